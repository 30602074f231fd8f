"""Mean and spread over seeds of the held-out evaluation's children.

``scripts/pretrain_model.py --seed S`` writes the evaluated children of the
chosen value network (one row per held-out task: its suggestions trained
with seed S, LogisticRegression and MLPClassifier with random_state S) to
``OUTPUT_DIR/children.json``. Given those files of several seeds, this
prints, per method, the mean test accuracy over tasks for each seed, their
mean and standard deviation over seeds, and the per-seed difference to the
baselines (with HistGradientBoosting's row for tabular models).

    python scripts/seed_spread.py docs/results/pretrained/children.json \\
        docs/results/pretrained/children-seed1.json \\
        docs/results/pretrained/children-seed2.json
"""

import argparse
import json

import numpy as np

METHODS = (
    "ours (1 child) [discrete]",
    "ours ensemble-3 [discrete]",
    "ours ensemble-5 [discrete]",
    "LogisticRegression",
    "MLPClassifier",
    "HistGradientBoosting",  # tabular only
)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("children", nargs="+", help="children.json, one per seed")
    args = parser.parse_args()
    runs = [json.load(open(path)) for path in args.children]
    tasks = [sorted(r["task"] for r in rows) for rows in runs]
    if any(t != tasks[0] for t in tasks):
        raise SystemExit("the files hold different tasks")
    rows_by_task = [{r["task"]: r for r in rows} for rows in runs]
    print(f"{len(tasks[0])} held-out tasks, {len(runs)} seeds\n")
    print("| method | per seed | mean ± sd over seeds | - LR | - MLP |")
    print("|---|---|---|---|---|")
    for method in (m for m in METHODS if m in runs[0][0]):
        per_seed = np.array(
            [np.mean([rows[t][method] for t in tasks[0]]) for rows in rows_by_task]
        )
        gaps = []
        for base in ("LogisticRegression", "MLPClassifier"):
            diff = [
                np.mean([rows[t][method] - rows[t][base] for t in tasks[0]])
                for rows in rows_by_task
            ]
            gaps.append(f"{100 * np.mean(diff):+.1f} ({100 * np.std(diff):.1f})")
        print(
            f"| {method} | {' / '.join(f'{v:.3f}' for v in per_seed)} "
            f"| {per_seed.mean():.3f} ± {per_seed.std():.3f} | {gaps[0]} | {gaps[1]} |"
        )


if __name__ == "__main__":
    main()
