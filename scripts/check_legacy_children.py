"""Retrain stored children whose settings predate some recipe keys.

A child recorded before the recipe had ``dropout`` and ``refit`` trained with
their legacy values (``skfti.child_recipe.LEGACY_SETTINGS``). This retrains
``--n`` such children, drawn at random, with today's code under the complete
settings (``complete_legacy_settings``) and their stored seeds, and prints
the stored and the new scores side by side: equal scores are what lets
``pretrain_population.py`` adopt them instead of training them again.

    python scripts/check_legacy_children.py --family tabular \
        --store results/pretrain-tabular.sqlite --n 10
"""

import argparse

import numpy as np
from pretrain_population import pretraining_collection

from skfti import ArchitectureEncoding, ExperimentStore
from skfti.child_recipe import LEGACY_SETTINGS, complete_legacy_settings
from skfti.population import task_data, train_on_task


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--family", choices=("text", "tabular"), default="tabular")
    parser.add_argument("--store", default=None, help="results/pretrain-FAMILY.sqlite")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tasks, space = pretraining_collection(args.family)
    by_name = {t.name: t for t in tasks}
    store = ExperimentStore(args.store or f"results/pretrain-{args.family}.sqlite")
    legacy = [
        r
        for r in store.to_records()
        if r["status"] == "ok"
        and r["task"] in by_name
        and not set(LEGACY_SETTINGS) <= set(r["settings"])
    ]
    if not legacy:
        raise SystemExit("no stored child predates the recipe's later keys")
    rng = np.random.RandomState(args.seed)
    picked = [legacy[i] for i in rng.choice(len(legacy), args.n, replace=False)]
    same = 0
    print("task | seed | val stored / now | test stored / now | epochs stored / now")
    for r in picked:
        encoding = ArchitectureEncoding.from_vector(space, np.asarray(r["encoding"]))
        settings = complete_legacy_settings(r["settings"])
        data = task_data(by_name[r["task"]], space)
        now = train_on_task(data, encoding, r["seed"], settings)
        row = [
            (r["val_accuracy"], now["val_accuracy"]),
            (r["test_accuracy"], now["test_accuracy"]),
            (r["n_epochs"], now.get("n_epochs")),
        ]
        same += all(a == b for a, b in row)
        cells = " | ".join(f"{a} / {b}" for a, b in row)
        print(f"{r['task']} | {r['seed']} | {cells}", flush=True)
    print(f"{same} of {len(picked)} reproduced exactly")


if __name__ == "__main__":
    main()
