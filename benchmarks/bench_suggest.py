"""Online inference speed: Algorithm 2 compiled against a plain eager loop.

Fits an ArchitectureInferrer on a synthetic task family (random scores stand in
for a population: this measures speed, not quality), then times, side by
side on the same network and starting points:

- ``suggest``: 10 starting points x 1,000 gradient-ascent iterations, batched
  into one XLA-compiled graph (median of repeated calls after the first);
- the same ascent as a plain eager Python loop (one ``GradientTape`` per
  iteration);

and prints the ratio, plus the value network's fit time per 1,000 steps.

Usage: python benchmarks/bench_suggest.py
"""

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from skfti import ArchitectureEncoding, SearchSpace  # noqa: E402
from skfti.datasets import make_task_family  # noqa: E402
from skfti.inferrer import ArchitectureInferrer, _groups  # noqa: E402


def main():
    space = SearchSpace()
    tasks = make_task_family(8, n_samples=400, n_features=32, random_state=0)
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

    n_steps = 2000
    inferrer = ArchitectureInferrer(search_space=space, n_steps=n_steps, random_state=0)
    start = time.perf_counter()
    inferrer.fit(tasks, experiments)
    fit_seconds = time.perf_counter() - start
    X, y = tasks[0].X_train, tasks[0].y_train

    start = time.perf_counter()
    inferrer.suggest(X, y)
    first = time.perf_counter() - start
    compiled = []
    for _ in range(7):
        start = time.perf_counter()
        inferrer.suggest(X, y)
        compiled.append(time.perf_counter() - start)

    import tensorflow as tf

    from skfti.value_network import task_embedding

    net = inferrer._network()
    z = tf.constant(task_embedding(net, X.astype(np.float32), y, 4))
    groups = _groups(space)
    logits = tf.Variable(np.random.RandomState(0).normal(size=(10, space.n_dims)))
    logits = tf.Variable(tf.cast(logits, tf.float32))

    def softmax_groups(lg):
        return tf.concat([tf.nn.softmax(lg[:, a:b], axis=1) for a, b in groups], 1)

    start = time.perf_counter()
    for _ in range(1000):
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(net.value(softmax_groups(logits), z))
        logits.assign_add(inferrer.step_size * tape.gradient(total, logits))
    eager = time.perf_counter() - start

    median = statistics.median(compiled)
    print("10 starting points x 1,000 iterations of gradient ascent")
    print(f"  compiled suggest (median of 7, after the first): {median:.3f} s")
    print(f"  first suggest call (tracing + XLA compile):      {first:.3f} s")
    print(f"  plain eager loop:                                {eager:.3f} s")
    print(f"  ratio eager / compiled: {eager / median:.0f}x (target >= 20x)")
    print(f"  target under 0.2 s after the first call: {median < 0.2}")
    print(
        f"value network fit: {1000 * fit_seconds / n_steps:.3f} s per 1,000 steps "
        f"({n_steps} steps, {len(tasks)} tasks, meta_features='learned', "
        "sample batch 256)"
    )


if __name__ == "__main__":
    main()
