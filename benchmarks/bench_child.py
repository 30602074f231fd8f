"""Children per minute: a straightforward Keras child against skfti's child.

One run, same data (2,000 x 256, 3 classes), same settings (20 epochs, batch
32, Adam 1e-4), side by side:

(a) a straightforward Keras implementation of the relaxed child of the
    paper's search space: one ``Dense`` per base layer, zero padding, ``Add``,
    trained with ``model.fit``;
(b) skfti's relaxed child (``RelaxedFFNNClassifier`` with the uniform
    encoding: base layers fused into one matmul, XLA-compiled step);
(c) skfti's discrete fast path (random one-hot encodings, the population's
    children).

Children per minute is 60 / the median time of one child. "first s" is the
first child of each kind, which includes building (and, for skfti's relaxed
child, XLA-compiling) the graph that later children of the same structure
reuse; Keras builds and compiles every model anew.

Usage: python benchmarks/bench_child.py [--n-keras 2] [--n-relaxed 3] [--n-discrete 12]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402

from skfti import ArchitectureEncoding, RelaxedFFNNClassifier, SearchSpace  # noqa: E402

EPOCHS, BATCH, LR = 20, 32, 1e-4


def keras_relaxed_child(space, encoding, n_features, n_classes, seed):
    import keras

    keras.utils.set_random_seed(seed)
    width = max(space.max_width, n_features)

    class RelaxedLayer(keras.layers.Layer):
        """Eq. 4 written plainly: one Dense per base layer, padded, summed."""

        def __init__(self, alpha, beta, in_width, **kwargs):
            super().__init__(**kwargs)
            self.alpha = [float(a) for a in alpha]
            self.on, self.off = (float(b) for b in beta)
            self.in_width = in_width
            self.dense = [
                keras.layers.Dense(w, activation=a) for w, a in space.base_layers
            ]

        def call(self, x):
            terms = [
                a * keras.ops.pad(d(x), [[0, 0], [0, width - d.units]])
                for a, d in zip(self.alpha, self.dense, strict=True)
            ]
            mixed = keras.layers.Add()(terms)
            passed = keras.ops.pad(x, [[0, 0], [0, width - self.in_width]])
            return self.on * mixed + self.off * passed

    inputs = keras.Input((n_features,))
    x, in_width = inputs, n_features
    for j in range(space.n_layers):
        x = RelaxedLayer(encoding.alpha[j], encoding.beta[j], in_width)(x)
        in_width = width
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(LR),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def per_minute(seconds):
    return 60.0 / statistics.median(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-keras", type=int, default=2)
    parser.add_argument("--n-relaxed", type=int, default=3)
    parser.add_argument("--n-discrete", type=int, default=12)
    args = parser.parse_args()

    X, y = make_classification(
        n_samples=2200, n_features=256, n_informative=32, n_classes=3, random_state=0
    )
    X = X.astype(np.float32)
    X_train, y_train, X_val, y_val = X[:2000], y[:2000], X[2000:], y[2000:]
    space = SearchSpace()
    uniform = ArchitectureEncoding.uniform(space)
    print(f"data: {X_train.shape}, 3 classes; {EPOCHS} epochs, batch {BATCH}")

    timings = {"keras": [], "relaxed": [], "discrete": []}
    accuracy = {"keras": [], "relaxed": [], "discrete": []}
    for k in range(args.n_keras):
        start = time.perf_counter()
        model = keras_relaxed_child(space, uniform, 256, 3, seed=k)
        hist = model.fit(
            X_train,
            y_train,
            epochs=EPOCHS,
            batch_size=BATCH,
            validation_data=(X_val, y_val),
            verbose=0,
        )
        timings["keras"].append(time.perf_counter() - start)
        accuracy["keras"].append(hist.history["val_accuracy"][-1])
        print(f"(a) keras relaxed child {k}: {timings['keras'][-1]:.1f}s")

    def ours(kind, encodings):
        for k, enc in enumerate(encodings):
            start = time.perf_counter()
            clf = RelaxedFFNNClassifier(
                enc, epochs=EPOCHS, batch_size=BATCH, learning_rate=LR, random_state=k
            )
            clf.fit(X_train, y_train, validation_data=(X_val, y_val))
            timings[kind].append(time.perf_counter() - start)
            accuracy[kind].append(clf.history_["val_accuracy"][-1])
            print(f"    {kind} child {k}: {timings[kind][-1]:.2f}s  {enc.describe()}")

    ours("relaxed", [uniform] * args.n_relaxed)
    rng = np.random.RandomState(0)
    ours(
        "discrete",
        [
            ArchitectureEncoding.random_one_hot(space, rng)
            for _ in range(args.n_discrete)
        ],
    )

    a = per_minute(timings["keras"])
    b = per_minute(timings["relaxed"])
    c = per_minute(timings["discrete"])
    print()
    print(
        f"{'approach':44s} {'children/min':>12s} {'median s':>9s} "
        f"{'first s':>8s} {'val acc':>8s}"
    )
    rows = [
        ("(a) Keras, one Dense per base layer, relaxed", "keras", a),
        ("(b) skfti relaxed child (uniform encoding)", "relaxed", b),
        ("(c) skfti discrete fast path (one-hot)", "discrete", c),
    ]
    for label, kind, rate in rows:
        print(
            f"{label:44s} {rate:12.2f} {statistics.median(timings[kind]):9.2f} "
            f"{timings[kind][0]:8.2f} {statistics.median(accuracy[kind]):8.3f}"
        )
    print(f"ratio b/a: {b / a:.1f}x (target >= 3)")
    print(f"ratio c/a: {c / a:.1f}x (target >= 20)")


if __name__ == "__main__":
    main()
