"""How much a task-aware choice could gain over one choice for every task.

The shipped ``text-v1`` has no meta-features: it suggests the same networks
for every text data set, and the task-aware variants ranked no better
(docs/results.md, "Held-out families: Spearman"). Is that because the best
networks are the same on every task? This script asks the stored population
(``docs/results/pretrained/experiments.csv.gz``, about 300 random children
per task, each task its own draws) without training anything.

Children are grouped into kinds (``--by``): their view; view and depth
(0, 1, 2, 3 or more switched-on layers); view, depth and their widest
layer (up to 32, 64-128, 256 units); or depth, widest layer and
activations (``--model tabular-v1``, whose space has one view; its export
holds three populations, and the one of the most children, the model's, is
read). Each task's children are split at
random into two halves, A and B; a kind counts on a task when both halves
hold at least ``--min-children`` of its children there. For every task:

- **one kind for all**: of the kinds that count on the task, the one whose
  children score best on the *other* tasks' halves A (validation accuracy
  standardized within each task, then averaged over tasks): what a
  task-blind portfolio would pick;
- **the task's own pick**: the kind whose children score best on this task's
  half A (validation accuracy): what a perfectly task-aware value network
  could pick at best, knowing the task's validation scores;

and both are scored by the mean *test* accuracy of their kind's children in
half B, which chose nothing. Repeated over ``--n-splits`` random halvings;
the table gives means over tasks and splits, and how often the two picks are
the same kind.

    python scripts/task_awareness_room.py --by view,depth
    python scripts/task_awareness_room.py --model tabular-v1 --by depth,width,activation
"""

import argparse
import collections
import json

import numpy as np
import pandas as pd

EXPERIMENTS = {
    "text-v1": "docs/results/pretrained/experiments.csv.gz",
    "tabular-v1": "docs/results/pretrained-tabular/experiments.csv.gz",
}
GROUPINGS = ("view", "view,depth", "view,depth,width", "depth,width,activation")


def kinds(frame, space, by):
    """The kind of every child: view, depth bucket, widest layer, activations."""
    from skfti import ArchitectureEncoding

    out = []
    for vector in frame["encoding"]:
        enc = ArchitectureEncoding.from_vector(space, np.asarray(json.loads(vector)))
        view = space.views[int(np.argmax(enc.gamma))]
        on = [j for j in range(space.n_layers) if np.argmax(enc.beta[j]) == 0]
        bases = [space.base_layers[int(np.argmax(enc.alpha[j]))] for j in on]
        widths = [width for width, _ in bases]
        activations = sorted({act for _, act in bases})
        parts = {"view": view, "depth": min(len(on), 3)}
        parts["activation"] = "+".join(activations) or "-"
        widest = max(widths, default=0)
        parts["width"] = (
            "<=32" if widest <= 32 else "64-128" if widest <= 128 else "256"
        )
        out.append(" | ".join(str(parts[k]) for k in by.split(",")))
    return out


def one_split(frame, rng, min_children):
    """Picks and their half-B test accuracy for every task, one halving."""
    half = np.zeros(len(frame), bool)
    for _, index in frame.groupby("task").indices.items():
        half[rng.permutation(index)[: len(index) // 2]] = True
    a, b = frame[half], frame[~half]
    # a kind counts on a task if both halves hold min_children of its children
    val_a = a.groupby(["task", "kind"]).val_accuracy.agg(["mean", "size"])
    test_b = b.groupby(["task", "kind"]).test_accuracy.agg(["mean", "size"])
    enough = (val_a["size"] >= min_children) & (test_b["size"] >= min_children)
    val_a = val_a["mean"].where(enough).unstack()
    test_b = test_b["mean"].where(enough).unstack()
    z = val_a.sub(val_a.mean(1), axis=0).div(val_a.std(1), axis=0)
    rows = []
    for task in val_a.index:
        counted = val_a.loc[task].notna()
        blind = z.drop(index=task).mean()[counted].idxmax()
        own = val_a.loc[task].idxmax()
        rows.append(
            {
                "task": task,
                "blind": blind,
                "own": own,
                "test_blind": test_b.loc[task, blind],
                "test_own": test_b.loc[task, own],
                "test_best": test_b.loc[task].max(),
                "test_all": b[b.task == task].test_accuracy.mean(),
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=sorted(EXPERIMENTS), default="text-v1")
    parser.add_argument("--experiments", default=None, help="default: the model's")
    parser.add_argument("--by", choices=GROUPINGS, default="view,depth")
    parser.add_argument("--n-splits", type=int, default=20)
    parser.add_argument("--min-children", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import skfti.pretrained

    space = skfti.pretrained.load(args.model).search_space_
    frame = pd.read_csv(args.experiments or EXPERIMENTS[args.model])
    frame = frame[frame.status == "ok"]
    # one population: the settings most children were trained with
    frame = frame[frame.settings == frame.settings.mode()[0]].reset_index(drop=True)
    frame["kind"] = kinds(frame, space, args.by)
    rng = np.random.default_rng(args.seed)
    rows = []
    for split in range(args.n_splits):
        for row in one_split(frame, rng, args.min_children):
            rows.append({**row, "split": split})
    got = pd.DataFrame(rows)
    got["family"] = got.task.str.split("-").str[0]
    print(
        f"{frame.task.nunique()} tasks, {len(frame)} children, "
        f"{frame.kind.nunique()} kinds by {args.by}, {args.n_splits} halvings "
        f"(seed {args.seed})\n"
    )
    print(
        "| tasks | one kind for all: test | the task's own pick: test "
        "| own - one (sd over halvings) | same pick | best kind in hindsight "
        "| all children |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, part in [("all", got), *got.groupby("family")]:
        gain = part.groupby("split").apply(
            lambda s: (s.test_own - s.test_blind).mean(), include_groups=False
        )
        print(
            f"| {name} ({part.task.nunique()}) | {part.test_blind.mean():.3f} "
            f"| {part.test_own.mean():.3f} | {gain.mean():+.3f} ({gain.std():.3f}) "
            f"| {np.mean(part.blind == part.own):.0%} "
            f"| {part.test_best.mean():.3f} | {part.test_all.mean():.3f} |"
        )
    print("\nthe one kind for all, how often:")
    for kind, n in collections.Counter(got.blind).most_common(3):
        print(f"  {kind}: {n / len(got):.0%}")
    print("the task's own pick, how often:")
    for kind, n in collections.Counter(got.own).most_common(5):
        print(f"  {kind}: {n / len(got):.0%}")


if __name__ == "__main__":
    main()
