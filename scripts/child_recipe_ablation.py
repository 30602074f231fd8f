"""Ablation of the child-training recipe on the 12-task text study.

Every variant trains the same random one-hot children (same encodings, same
seeds) on the same tasks, into one store keyed by the settings; selection
uses the validation split only, the test split is reported. Prints a Markdown
table (mean over tasks of the median child and of the best-by-validation
child), next to LogisticRegression and MLPClassifier on the same features.

    python scripts/child_recipe_ablation.py --store results/ablation.sqlite \
        --n-children 10 --n-jobs 2
"""

import argparse
import json

import numpy as np

from skfti import ExperimentStore, SearchSpace, generate_population
from skfti.child_recipe import PAPER_SETTINGS, RECIPE_SETTINGS, check_settings

TEXT_VIEWS = ("glove50", "use512", "hashed256")

BASE = {**PAPER_SETTINGS, "learning_rate": 1e-3}  # the README recipe of 2026-11-27
PREVIOUS = {**RECIPE_SETTINGS, "dropout": 0.0, "refit": False}  # of 2026-11-28
VARIANTS = {
    "previous (Adam 1e-3, 20 epochs)": BASE,
    "+ standardize": {**BASE, "standardize": True},
    "+ early stopping (<=200 epochs, patience 10)": {
        **BASE,
        "standardize": True,
        "epochs": 200,
        "n_iter_no_change": 10,
        "validation_fraction": 0.1,
    },
    "+ weight decay 1e-4 (default of 2026-11-28)": PREVIOUS,
    "default of 2026-11-28, weight decay 1e-3": {**PREVIOUS, "weight_decay": 1e-3},
    "default of 2026-11-28, weight decay 1e-2": {**PREVIOUS, "weight_decay": 1e-2},
    "default of 2026-11-28, batch 64": {**PREVIOUS, "batch_size": 64},
    "default of 2026-11-28, learning rate 3e-4": {**PREVIOUS, "learning_rate": 3e-4},
    "default of 2026-11-28 without standardize": {**PREVIOUS, "standardize": False},
    "+ dropout 0.2": {**PREVIOUS, "dropout": 0.2},
    "+ dropout 0.2 + refit (default)": RECIPE_SETTINGS,
}


def text_tasks(seed=0):
    from skfti.datasets import load_fortune_tasks, load_review_tasks, load_wordnet_tasks

    return (
        load_wordnet_tasks(4, n_classes=4, n_samples_per_class=150, random_state=seed)
        + load_fortune_tasks(3, random_state=seed)
        + load_review_tasks(max_samples=1000, random_state=seed)
    )


def baselines(tasks, space):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skfti.population import task_views

    out = {"LogisticRegression": [], "MLPClassifier": []}
    for task in tasks:
        X = np.hstack(task_views(task, space))
        tr, te = task.train_index_, task.test_index_
        for name, model in [
            ("LogisticRegression", LogisticRegression(max_iter=2000)),
            ("MLPClassifier", MLPClassifier(random_state=0)),
        ]:
            pipe = make_pipeline(StandardScaler(), model).fit(X[tr], task.y[tr])
            out[name].append(pipe.score(X[te], task.y[te]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="results/ablation.sqlite")
    parser.add_argument("--n-children", type=int, default=10)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--variants", nargs="*", default=None)
    args = parser.parse_args()
    tasks = text_tasks()
    space = SearchSpace(views=TEXT_VIEWS)
    names = args.variants or list(VARIANTS)
    for name in names:
        summary = generate_population(
            tasks,
            args.n_children,
            store=args.store,
            search_space=space,
            n_jobs=args.n_jobs,
            random_state=0,
            **VARIANTS[name],
        )
        print(name, summary, flush=True)
    records = ExperimentStore(args.store).to_records()
    print(
        "| recipe | median child test | best-by-val child test | mean val | "
        "epochs | s/child |"
    )
    print("|---|---|---|---|---|---|")
    for name in names:
        # the text tasks' numbers ("auto" dropout is 0.2 on texts)
        settings = check_settings({**RECIPE_SETTINGS, **VARIANTS[name]}, text=True)
        rows = [
            r for r in records if r["status"] == "ok" and _same(r["settings"], settings)
        ]
        med, best, val, epochs, secs = [], [], [], [], []
        for task in tasks:
            rs = [r for r in rows if r["task"] == task.name]
            if not rs:
                continue
            test = np.array([r["test_accuracy"] for r in rs])
            v = np.array([r["val_accuracy"] for r in rs])
            med.append(np.median(test))
            best.append(test[np.argmax(v)])
            val.append(v.mean())
            epochs.extend(r.get("n_epochs") or settings["epochs"] for r in rs)
            secs.extend(r["train_time"] for r in rs)
        print(
            f"| {name} | {np.mean(med):.3f} | {np.mean(best):.3f} | "
            f"{np.mean(val):.3f} | {np.mean(epochs):.0f} | {np.mean(secs):.2f} |"
        )
    for name, scores in baselines(tasks, space).items():
        print(f"| {name} (standardized, all views) | {np.mean(scores):.3f} | | | | |")


def _same(stored, settings):
    stored = json.loads(stored) if isinstance(stored, str) else stored
    return all(stored.get(k) == v for k, v in settings.items())


if __name__ == "__main__":
    main()
