"""One relaxed child, the default recipe: XLA-compiled step against the plain graph.

``RelaxedFFNNClassifier()`` with every default (the uniform encoding of the
7-layer search space, up to 200 epochs with early stopping, dropout, the
refit on all rows) fitted on ``make_classification`` data of a few sizes,
side by side with the step XLA-compiled and with the plain graph. Each mode
runs in its own fresh process (compiled graphs are cached per process), and
fits twice: the first fit includes tracing and compiling, the second reuses
them (same shapes). ``skfti.child_training.JIT_MIN_ROWS`` chooses the mode
by the number of training rows; this benchmark is what set it.

Usage: python benchmarks/bench_relaxed_fit.py [--sizes 150 500 2000] [--features 64]
"""

import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CHILD = r"""
import json, sys, time
from sklearn.datasets import make_classification
import skfti.child_training as ct
from skfti import RelaxedFFNNClassifier
n, d, jit = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "xla"
ct.JIT_MIN_ROWS = 0 if jit else 10**12
X, y = make_classification(n_samples=n, n_features=d, n_informative=d // 2,
                           n_classes=3, random_state=0)
out = []
for seed in (0, 1):
    start = time.perf_counter()
    clf = RelaxedFFNNClassifier(random_state=seed).fit(X, y)
    out.append([time.perf_counter() - start, int(clf.n_iter_)])
print(json.dumps(out))
"""


def run(n, d, mode):
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(d), mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 500, 2000])
    parser.add_argument("--features", type=int, default=64)
    args = parser.parse_args()
    print(
        f"RelaxedFFNNClassifier() on {args.features} features, 3 classes; "
        "seconds per fit (epochs before the refit)"
    )
    print("rows | plain 1st | plain 2nd | XLA 1st | XLA 2nd | XLA/plain 1st | 2nd")
    for n in args.sizes:
        plain, xla = run(n, args.features, "plain"), run(n, args.features, "xla")
        print(
            f"{n} | {plain[0][0]:.1f} ({plain[0][1]}) | {plain[1][0]:.1f} "
            f"({plain[1][1]}) | {xla[0][0]:.1f} ({xla[0][1]}) | {xla[1][0]:.1f} "
            f"({xla[1][1]}) | {xla[0][0] / plain[0][0]:.2f} | "
            f"{xla[1][0] / plain[1][0]:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
