"""Stage 1 of the pretraining: the population of children on every offline task.

Three collections, one value network each: ``text`` (every offline text
task: WordNet 20, fortunes 10, reviews 5, in the space of the three text views
and their concatenation; ``text-v1``), ``text2`` (the same tasks, with
all-MiniLM-L6-v2 as a fourth view, alone and beside the three; ``text-v2``)
and ``tabular`` (the 39 balanced KEEL data sets with >= 200 rows; children
train on each task's own standardized columns).

Resumable: the store keys each child by task, encoding, seed and settings, so
rerunning (or raising --n-architectures) trains only what is missing, and the
first N children of a task are the same whatever the final N.

Children train with the default recipe except ``refit`` (POPULATION_SETTINGS):
the refit on the whole training split doubles a child's cost and lifts the
children alike (docs/results.md, "Child recipe"), so the stored scores are
those of the early-stopped networks. Tabular children train without dropout,
which costs numeric data 1.5-1.7 points (docs/results.md, the tabular lever
study); children stored before the recipe had ``dropout`` and ``refit``
(2026-11-28) are exactly those and are adopted (:func:`adopt_legacy_children`).

    python scripts/pretrain_population.py --family text \
        --store results/pretrain-text.sqlite --n-architectures 300 --n-jobs 2
"""

import argparse
import gzip

from skfti import (
    ArchitectureEncoding,
    ExperimentStore,
    SearchSpace,
    generate_population,
)
from skfti.child_recipe import check_settings, complete_legacy_settings
from skfti.datasets import (
    TEXT_VIEWS,
    load_fortune_tasks,
    load_review_tasks,
    load_tabular_tasks,
    load_wordnet_tasks,
)

TEXT_SPACE_VIEWS = TEXT_VIEWS + ("+".join(TEXT_VIEWS),)
"""The three text views, and all three side by side."""

TEXT2_VIEWS = TEXT_VIEWS + ("minilm384",)
TEXT2_SPACE_VIEWS = TEXT2_VIEWS + ("+".join(TEXT2_VIEWS),)
"""The four text views of ``text-v2`` (the three, and all-MiniLM-L6-v2), and
all four side by side."""

TEXT_FAMILIES = ("text", "text2")

POPULATION_SETTINGS = {
    "text": check_settings({"refit": False, "tol": 0.0}, text=True),
    "text2": check_settings({"refit": False, "tol": 0.0}, text=True),
    "tabular": check_settings({"refit": False, "tol": 0.0}, text=False),
}
"""What the pretraining children of each collection train with: the default
recipe without the refit (so for numeric data without dropout: the recipe's
``dropout="auto"``), and early stopping with ``tol=0``, the rule of every
child stored before the recipe had ``tol`` (2026-12-03): the populations
keep one rule (:func:`adopt_legacy_children` adopts the stored ones)."""


def pretraining_text_tasks(random_state=0):
    """Every offline text task of the project: WordNet 20, fortunes 10, reviews 5.

    The 12-task study (``load_family("text", 12)``) is a subset of these,
    with the same names and contents.
    """
    return (
        load_wordnet_tasks(
            20, n_classes=4, n_samples_per_class=150, random_state=random_state
        )
        + load_fortune_tasks(10, random_state=random_state)
        + load_review_tasks(max_samples=1000, random_state=random_state)
    )


def pretraining_tabular_tasks(random_state=0):
    """The balanced KEEL data sets with >= 200 rows (39), at most 2,000 rows each."""
    return load_tabular_tasks(random_state=random_state)


def pretraining_collection(family, random_state=0):
    """``(tasks, search_space)`` of a pretraining collection."""
    if family == "text":
        return pretraining_text_tasks(random_state), SearchSpace(views=TEXT_SPACE_VIEWS)
    if family == "text2":
        return pretraining_text_tasks(random_state), SearchSpace(
            views=TEXT2_SPACE_VIEWS
        )
    if family == "tabular":
        return pretraining_tabular_tasks(random_state), SearchSpace()
    raise ValueError(f"unknown collection {family!r}; use 'text', 'text2' or 'tabular'")


def restore(location, tasks, space, path):
    """Record an export's experiments in the store; return how many were new."""
    store = ExperimentStore(location, search_space=space)
    for task in tasks:
        store.add_task(task)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as file:
        return store.record_csv(file)


def adopt_legacy_children(store, tasks, settings):
    """Record again, under ``settings``, the children stored before its keys.

    A child recorded before the recipe had some of its keys (its settings
    lack them) trained as those keys' legacy values
    (:func:`skfti.child_recipe.complete_legacy_settings`). Where that
    completion equals ``settings``, the child is recorded once more under
    ``settings`` (the original row stays), so that the population skips it
    and the value network finds it. Returns how many rows were added.
    """
    space = store.search_space
    names = {task.name for task in tasks}
    rows = [
        {
            "task_name": r["task"],
            "encoding": ArchitectureEncoding.from_vector(space, r["encoding"]),
            "seed": r["seed"],
            "settings": settings,
            **{
                k: r[k]
                for k in (
                    "val_accuracy",
                    "val_log_loss",
                    "test_accuracy",
                    "train_time",
                    "n_epochs",
                    "status",
                    "error",
                    "started_at",
                    "finished_at",
                )
            },
        }
        for r in store.to_records()
        if r["task"] in names
        and r["settings"] != settings
        and complete_legacy_settings(r["settings"]) == settings
    ]
    return store.record_many(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--family", choices=(*TEXT_FAMILIES, "tabular"), default="text")
    parser.add_argument("--store", default=None, help="results/pretrain-FAMILY.sqlite")
    parser.add_argument("--n-architectures", type=int, default=300)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="draws the tasks")
    parser.add_argument(
        "--plan-seed",
        type=int,
        default=None,
        help="draws the children (default: --seed); another seed adds new ones",
    )
    parser.add_argument(
        "--depth-sampling",
        default="gates",
        help="'gates' (the paper's independent gates), 'uniform' (a depth "
        "uniform in 1..n_layers) or comma-separated depths, e.g. '0'",
    )
    parser.add_argument(
        "--from-csv",
        default=None,
        help="first record the experiments of an export (to_csv, .csv or "
        ".csv.gz), e.g. docs/results/pretrained/experiments.csv.gz, so that only "
        "what it lacks is trained",
    )
    args = parser.parse_args()
    tasks, space = pretraining_collection(args.family, args.seed)
    store = args.store or f"results/pretrain-{args.family}.sqlite"
    if args.from_csv:
        print(f"recorded {restore(store, tasks, space, args.from_csv)} experiments")
    settings = POPULATION_SETTINGS[args.family]
    with ExperimentStore(store, search_space=space) as opened:
        print(f"adopted {adopt_legacy_children(opened, tasks, settings)} children")
    summary = generate_population(
        tasks,
        args.n_architectures,
        store=store,
        search_space=space,
        n_jobs=args.n_jobs,
        depth_sampling=(
            args.depth_sampling
            if args.depth_sampling in ("gates", "uniform")
            else [int(d) for d in args.depth_sampling.split(",")]
        ),
        random_state=args.seed if args.plan_seed is None else args.plan_seed,
        verbose=1,
        **settings,
    )
    print(summary)


if __name__ == "__main__":
    main()
