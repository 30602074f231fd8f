"""Population throughput: a plain Keras loop against generate_population.

One run, the same kind of children (discrete random one-hot encodings of the
paper's search space, 2,000 x 256 training inputs, 3 classes; the paper's
recipe of 20 epochs, batch 32, Adam 1e-4), side by side:

- a plain sequential loop of Keras ``model.fit`` (a ``Sequential`` of the
  chosen ``Dense`` layers per child);
- ``generate_population(n_jobs=1)``;
- ``generate_population(n_jobs=2)`` (loky processes, one TensorFlow thread
  each), over 200 children, with the peak memory of the parent and its
  workers after the first 20 children and at the end;
- ``generate_population(n_jobs=2)`` with the child recipe of 2026-11-28
  (standardized inputs, AdamW 1e-3, up to 200 epochs with early stopping on
  a 10% hold-out), with the default recipe (that, plus dropout 0.2 and the
  refit on the whole training split) and with the default recipe without
  the refit (what the pretraining populations use), over the same number of
  children each, with the mean number of epochs before any refit.

Each ``generate_population`` writes into a fresh SQLite store in a temporary
folder; children/minute counts the whole call (worker start-up, embedding
nothing, writing every result).

Usage:
    python benchmarks/bench_population.py [--n-keras 6] [--n-serial 30]
        [--n-parallel 200]
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402

from skfti import ArchitectureEncoding, SearchSpace, Task, generate_population  # noqa: E402

EPOCHS, BATCH, LR = 20, 32, 1e-4  # the paper's recipe (PAPER_SETTINGS)


def make_tasks(n_tasks):
    tasks = []
    for k in range(n_tasks):
        X, y = make_classification(
            n_samples=2500,
            n_features=256,
            n_informative=32,
            n_classes=3,
            random_state=k,
        )
        tasks.append(Task(f"bench-{k}", X.astype(np.float32), y, random_state=k))
    return tasks  # 2,000 / 250 / 250 per task


def keras_child(space, encoding, n_classes, seed):
    import keras

    keras.utils.set_random_seed(seed)
    layers = [keras.Input((256,))]
    for j in range(space.n_layers):
        if encoding.beta[j, 0] == 1.0:
            width, act = space.base_layers[int(encoding.alpha[j].argmax())]
            layers.append(keras.layers.Dense(width, activation=act))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.Adam(LR),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def peak_memory_mib():
    """Peak resident memory (VmHWM) of this process and of its live children."""
    me = os.getpid()
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if int(pid) != me and ppid != me:
                continue
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


RECIPES = {  # name: settings (missing keys take the default recipe's)
    "recipe of 2026-11-28": {"dropout": 0.0, "refit": False},
    "default recipe": {},
    "default recipe without refit": {"refit": False},
}


def recipe_rate(tasks, space, per_task, folder, settings):
    """Children per minute and mean epochs of a recipe, 2 workers."""
    from skfti import ExperimentStore

    path = os.path.join(folder, f"recipe-{len(os.listdir(folder))}.sqlite")
    start = time.perf_counter()
    generate_population(
        tasks,
        per_task,
        store=path,
        search_space=space,
        n_jobs=2,
        random_state=1,
        **settings,
    )
    rate = 60 * per_task * len(tasks) / (time.perf_counter() - start)
    epochs = [r["n_epochs"] for r in ExperimentStore(path).to_records()]
    return rate, float(np.mean(epochs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-keras", type=int, default=6)
    parser.add_argument("--n-serial", type=int, default=30)
    parser.add_argument("--n-parallel", type=int, default=200)
    args = parser.parse_args()
    space = SearchSpace()
    tasks = make_tasks(4)
    from skfti.child_recipe import PAPER_SETTINGS

    settings = PAPER_SETTINGS
    rates = {}

    task = tasks[0]
    rng = np.random.RandomState(0)
    start = time.perf_counter()
    for k in range(args.n_keras):
        encoding = ArchitectureEncoding.random_one_hot(space, rng)
        model = keras_child(space, encoding, 3, seed=k)
        model.fit(
            task.X_train,
            task.y_train,
            epochs=EPOCHS,
            batch_size=BATCH,
            validation_data=(task.X_val, task.y_val),
            verbose=0,
        )
        model.evaluate(task.X_test, task.y_test, verbose=0)
    rates["keras"] = 60 * args.n_keras / (time.perf_counter() - start)
    print(f"sequential Keras loop: {args.n_keras} children, {rates['keras']:.1f}/min")

    with tempfile.TemporaryDirectory() as folder:
        per_task = -(-args.n_serial // len(tasks))
        start = time.perf_counter()
        generate_population(
            tasks,
            per_task,
            store=os.path.join(folder, "serial.sqlite"),
            search_space=space,
            n_jobs=1,
            random_state=0,
            **settings,
        )
        n = per_task * len(tasks)
        rates["serial"] = 60 * n / (time.perf_counter() - start)
        print(f"generate_population(n_jobs=1): {n} children, {rates['serial']:.1f}/min")

        path = os.path.join(folder, "parallel.sqlite")
        start = time.perf_counter()
        generate_population(  # the first 20 children, then resume to the rest
            tasks,
            5,
            store=path,
            search_space=space,
            n_jobs=2,
            random_state=1,
            **settings,
        )
        memory_20 = peak_memory_mib()
        per_task = -(-args.n_parallel // len(tasks))
        generate_population(
            tasks,
            per_task,
            store=path,
            search_space=space,
            n_jobs=2,
            random_state=1,
            **settings,
        )
        n = per_task * len(tasks)
        rates["parallel"] = 60 * n / (time.perf_counter() - start)
        memory_end = peak_memory_mib()
        print(
            f"generate_population(n_jobs=2): {n} children, {rates['parallel']:.1f}/min"
        )
        for name, recipe in RECIPES.items():
            rates[name], epochs = recipe_rate(tasks, space, per_task, folder, recipe)
            print(
                f"generate_population(n_jobs=2), {name}: {n} children, "
                f"{rates[name]:.1f}/min, {epochs:.1f} epochs per child on average"
            )

    print()
    print(f"{'approach':44s} {'children/min':>12s} {'vs Keras':>9s}")
    for label, key in [
        ("sequential Keras model.fit loop", "keras"),
        ("generate_population(n_jobs=1)", "serial"),
        ("generate_population(n_jobs=2)", "parallel"),
    ] + [(f"n_jobs=2, {name}", name) for name in RECIPES]:
        print(f"{label:44s} {rates[key]:12.1f} {rates[key] / rates['keras']:8.1f}x")
    print("targets: n_jobs=2 >= 5x the Keras loop and >= 60 children/min;")
    print("the default recipe >= 120 children/min with 2 workers")
    print(
        f"peak memory (parent + workers, VmHWM): {memory_20:.0f} MiB after the "
        f"first 20 children, {memory_end:.0f} MiB after {n}"
    )


if __name__ == "__main__":
    main()
