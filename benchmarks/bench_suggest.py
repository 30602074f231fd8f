"""Online inference speed: the NumPy path against the TensorFlow path.

Fits an ArchitectureInferrer (default search space, 99 dims) on a synthetic
task family (random scores stand in for a population: this measures speed,
not quality), saves it with :func:`skfti.pretrained.save`, and times, side by
side on the same network, task (1,000 samples) and starting points:

- warm: ``suggest`` (NumPy, 10 starting points x 1,000 gradient-ascent
  steps, the default), the NumPy ascent alone, and the TensorFlow ascent
  (one XLA-compiled loop; first call with compilation, then the median);
- cold: a fresh process that imports skfti, loads the saved model and
  suggests, on the NumPy path and on the TensorFlow path (wall time of the
  whole process, and whether TensorFlow was imported); and each shipped
  text model (``text-v1``, ``text-v2``) suggesting for 1,000 samples of
  view features and for 1,000 raw texts, which a model without
  meta-features checks and does not embed.

Usage: python benchmarks/bench_suggest.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import skfti.pretrained  # noqa: E402
from skfti import ArchitectureEncoding, ArchitectureInferrer, SearchSpace  # noqa: E402
from skfti.datasets import make_task_family  # noqa: E402
from skfti.encoding import encoding_groups  # noqa: E402

COLD = """
import sys, time
start = time.perf_counter()
import numpy as np
import skfti.pretrained
from skfti.datasets import make_task_family
task = make_task_family(1, n_samples=1250, n_features=32, random_state=99)[0]
inferrer = skfti.pretrained.load({path!r})
X, y = task.X_train[:1000], task.y_train[:1000]
if {tf_path}:
    from skfti.encoding import encoding_groups
    from skfti.value_network import gradient_ascent
    space = inferrer.search_space_
    logits = np.random.RandomState(0).normal(size=(10, space.n_dims))
    gradient_ascent(inferrer._network(), inferrer._z((X, y)), logits,
                    encoding_groups(space), max_iter=1000, step_size=1.0)
else:
    inferrer.suggest(X, y)
print(time.perf_counter() - start, "tensorflow" in sys.modules)
"""


COLD_TEXT = """
import sys, time
start = time.perf_counter()
import numpy as np
import skfti.pretrained
inferrer = skfti.pretrained.load({name!r})
rng = np.random.RandomState(0)
if {raw}:
    X = [f"text {{i}} about {{'cats' if i % 2 else 'cars'}}" for i in range(1000)]
else:
    X = rng.normal(size=(1000, inferrer.n_features_in_)).astype(np.float32)
y = rng.randint(4, size=1000)
inferrer.suggest(X, y, n_suggestions=3, discretize=True)
print(time.perf_counter() - start, "tensorflow" in sys.modules)
"""


def _cold_text(name, raw):
    """A shipped text model, 1,000 samples (view features or raw texts), in a
    fresh process."""
    code = COLD_TEXT.format(name=name, raw=raw)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        return None
    inner, imported = out.stdout.split()
    return wall, float(inner), imported == "True"


def _median_time(fn, repeat=7):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cold(path, tf_path):
    code = COLD.format(path=str(path), tf_path=tf_path)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    inner, imported = out.stdout.split()
    return wall, float(inner), imported == "True"


def main():
    space = SearchSpace()
    tasks = make_task_family(8, n_samples=1250, n_features=32, random_state=0)
    rng = np.random.RandomState(0)
    experiments = []
    for _ in tasks:
        U = np.array(
            [
                ArchitectureEncoding.random_one_hot(space, rng).to_vector()
                for _ in range(50)
            ]
        )
        experiments.append((U, rng.uniform(0.4, 0.9, len(U))))
    inferrer = ArchitectureInferrer(search_space=space, n_steps=1000, random_state=0)
    inferrer.fit(tasks, experiments)
    task = make_task_family(1, n_samples=1250, n_features=32, random_state=99)[0]
    X, y = task.X_train[:1000], task.y_train[:1000]

    from skfti.value_network import gradient_ascent

    z = inferrer._z((X, y))
    groups = encoding_groups(space)
    logits = np.random.RandomState(0).normal(size=(10, space.n_dims))
    net_np, net_tf = inferrer._numpy_network(), inferrer._network()
    kwargs = {"max_iter": 1000, "step_size": 1.0}
    start = time.perf_counter()
    gradient_ascent(net_tf, z, logits, groups, **kwargs)
    tf_first = time.perf_counter() - start
    tf_warm = _median_time(lambda: gradient_ascent(net_tf, z, logits, groups, **kwargs))
    np_ascent = _median_time(
        lambda: net_np.gradient_ascent(z, logits, groups, **kwargs)
    )
    np_suggest = _median_time(lambda: inferrer.suggest(X, y))

    with tempfile.TemporaryDirectory() as tmp:
        path = skfti.pretrained.save(
            inferrer, os.path.join(tmp, "bench"), provenance={"benchmark": True}
        )[0]
        cold = {name: _cold(path, tf) for name, tf in (("NumPy", False), ("TF", True))}

    print(f"{space.n_dims}-dim encodings, 1,000 samples x 32 features, 10 starts")
    print("warm (median of 7)                      NumPy      TensorFlow")
    print(f"  ascent, 10 starts x 1,000 steps   {np_ascent:8.3f} s  {tf_warm:8.3f} s")
    print(f"  first call (TF: trace + XLA)                 {tf_first:8.3f} s")
    print(f"  suggest() with task embedding     {np_suggest:8.3f} s")
    print("cold: fresh process, import + load + suggest")
    for name in skfti.pretrained.available():
        if skfti.pretrained.data_kind(name) != "text":
            continue
        width = skfti.pretrained.load(name).n_features_in_
        for raw, what in ((False, f"{width} view features"), (True, "raw texts")):
            timing = _cold_text(name, raw)
            if timing is not None:
                cold[f"{name} (top 3, discrete; 1,000 x {what})"] = timing
    for name, (wall, inner, imported) in cold.items():
        print(
            f"  {name:10s} process wall {wall:6.2f} s, in-script {inner:6.2f} s, "
            f"tensorflow imported: {imported}"
        )


if __name__ == "__main__":
    main()
