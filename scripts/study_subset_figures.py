"""The 12-task text study's figures, read off the pretrained text model's evaluation.

The study's tasks (``load_family("text", 12)``) are a subset of the 35
pretraining tasks (same names, contents and splits). This prints, over
those 12 tasks: the mean test accuracy of the suggestions and baselines of
``docs/results/pretrained/children.json`` (leave-one-family-out models), and,
from the population store, the test accuracy of the best stored child by
validation accuracy (ties averaged) among the first N stored per task, and
of the median stored child.

Usage:
    python scripts/study_subset_figures.py [--store results/pretrain-text.sqlite]
        [--children docs/results/pretrained/children.json] [--first 100 150]
"""

import argparse
import json
from collections import defaultdict

import numpy as np

from skfti import ExperimentStore
from skfti.datasets import load_family

ROWS = (
    "ours (1 child) [discrete]",
    "ours ensemble-3 [discrete]",
    "MLPClassifier",
    "LogisticRegression",
    "random best-of-30",
)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="results/pretrain-text.sqlite")
    parser.add_argument("--children", default="docs/results/pretrained/children.json")
    parser.add_argument("--first", type=int, nargs="*", default=[100, 150])
    args = parser.parse_args()
    tasks = load_family("text", 12)[0]
    names = [t.name for t in tasks]
    rows = [r for r in json.load(open(args.children)) if r["task"] in names]
    print(f"{len(rows)} of the study's 12 tasks in {args.children}")
    for key in ROWS:
        print(f"  {key}: {np.mean([r[key] for r in rows]):.3f}")
    by_task = defaultdict(list)
    with ExperimentStore(args.store) as store:
        for r in store.to_records():  # in insertion order
            if r["task"] in names and r["status"] == "ok":
                by_task[r["task"]].append((r["val_accuracy"], r["test_accuracy"]))
    counts = sorted(len(v) for v in by_task.values())
    print(f"stored children per task: {counts[0]}-{counts[-1]}")
    for n in [*args.first, None]:
        best = []
        for children in by_task.values():
            val, test = np.array(children[:n]).T
            best.append(test[val == val.max()].mean())
        label = f"first {n}" if n else "all"
        print(f"  best stored child by validation, {label}: {np.mean(best):.3f}")
    median = [np.median(np.array(c)[:, 1]) for c in by_task.values()]
    print(f"  median stored child: {np.mean(median):.3f}")


if __name__ == "__main__":
    main()
