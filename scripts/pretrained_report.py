"""Markdown tables and a cost-accuracy plot from scripts/pretrain_model.py's output.

python scripts/pretrained_report.py docs/results/pretrained
python scripts/pretrained_report.py docs/results/pretrained-tabular

Rows that a run did not measure (relaxed candidates, HistGradientBoosting
for text) are left out.
"""

import json
import sys
from pathlib import Path

import numpy as np

METHODS = [  # (row label, key in children.json, children trained on the task)
    ("ours, 1 suggested child (discrete)", "ours (1 child) [discrete]", 1),
    ("ours best-of-3 (discrete)", "ours best-of-3 [discrete]", 3),
    (
        "ours ensemble-3, one shared seed (discrete)",
        "ours ensemble-3, shared seed [discrete]",
        3,
    ),
    ("ours ensemble-3 (discrete)", "ours ensemble-3 [discrete]", 3),
    ("ours ensemble-5 (discrete)", "ours ensemble-5 [discrete]", 5),
    ("ours, 1 suggested child (relaxed)", "ours (1 child) [relaxed]", 1),
    ("ours ensemble-3 (relaxed)", "ours ensemble-3 [relaxed]", 3),
    ("random search best-of-3", "random best-of-3", 3),
    ("random search best-of-5", "random best-of-5", 5),
    ("random search best-of-30", "random best-of-30", 30),
    (
        "random search best-of-30, winner refitted",
        "random best-of-30, refitted",
        30,
    ),
    ("median random child", "population median", 1),
    ("LogisticRegression", "LogisticRegression", 0),
    ("MLPClassifier", "MLPClassifier", 0),
    ("HistGradientBoostingClassifier", "HistGradientBoosting", 0),
]
TEXT_FAMILIES = ("wordnet", "fortunes", "reviews")
BASELINES = ("LogisticRegression", "MLPClassifier", "HistGradientBoosting")


def _cell(values):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3f} ± {values.std():.3f}"


def _families(rows):
    """Text families as columns; tabular rows (one task each) get none."""
    found = {task_family(r["task"]) for r in rows}
    if not found <= set(TEXT_FAMILIES):
        return []
    return [f for f in TEXT_FAMILIES if f in found]


def accuracy_table(rows):
    families = _families(rows)
    head = f"| method | children trained on the task | all {len(rows)} tasks |"
    head += "".join(
        f" {f} ({sum(task_family(r['task']) == f for r in rows)}) |" for f in families
    )
    lines = [head, "|---" * (3 + len(families)) + "|"]
    for label, key, cost in METHODS:
        if key not in rows[0]:
            continue
        cells = [_cell([r[key] for r in rows])]
        cells += [
            _cell([r[key] for r in rows if task_family(r["task"]) == f])
            for f in families
        ]
        lines.append(f"| {label} | {cost} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def wins_table(rows):
    lines = [
        "| ours | vs | wins | ties | losses | mean difference |",
        "|---|---|---|---|---|---|",
    ]
    others = [k for k in BASELINES if k in rows[0]] + [
        k for k in ("random best-of-30", "random best-of-30, refitted") if k in rows[0]
    ]
    mines = (
        "ours (1 child) [discrete]",
        "ours ensemble-3 [discrete]",
        "ours ensemble-5 [discrete]",
    )
    for mine in (m for m in mines if m in rows[0]):
        for other in others:
            d = np.array([r[mine] - r[other] for r in rows])
            lines.append(
                f"| {mine} | {other} | {np.sum(d > 1e-9)} | "
                f"{np.sum(np.abs(d) <= 1e-9)} | {np.sum(d < -1e-9)} | {d.mean():+.3f} |"
            )
    return "\n".join(lines)


def selection_table(rows):
    """Ours, judged on the tasks' validation splits (which chose nothing)."""
    lines = ["| suggestion | validation accuracy | test accuracy |", "|---|---|---|"]
    for tag in ("discrete", "relaxed"):
        for name in (
            "(1 child)",
            "best-of-3",
            "ensemble-3, shared seed",
            "ensemble-3",
            "ensemble-5",
        ):
            key = f"val {name} [{tag}]"
            if key not in rows[0]:
                continue
            val = np.mean([r[key] for r in rows])
            test = np.mean([r[f"ours {name} [{tag}]"] for r in rows])
            lines.append(f"| {tag}, {name} | {val:.3f} | {test:.3f} |")
    return "\n".join(lines)


def spearman_table(spearman):
    tasks = next(iter(spearman.values()))
    families = _families([{"task": t} for t in tasks])
    lines = [
        "| value network (meta-features / loss) | mean |"
        + "".join(f" {f} |" for f in families),
        "|---" * (2 + len(families)) + "|",
    ]
    for name, per_task in spearman.items():
        cells = [f"{np.nanmean(list(per_task.values())):.3f}"]
        for f in families:
            vals = [v for t, v in per_task.items() if task_family(t) == f]
            cells.append(f"{np.nanmean(vals):.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def task_family(name):
    for family in TEXT_FAMILIES:
        if name.startswith(family):
            return family
    if name.startswith(("trump", "fine-food", "rotten")):
        return "reviews"
    return name


def cost_plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    lines = {
        "ours best-of-k (discrete)": [
            ("ours (1 child) [discrete]", 1),
            ("ours best-of-3 [discrete]", 3),
        ],
        "ours ensemble-k (discrete)": [
            ("ours (1 child) [discrete]", 1),
            ("ours ensemble-3 [discrete]", 3),
            ("ours ensemble-5 [discrete]", 5),
        ],
        "random search best-of-k": [
            ("population median", 1),
            ("random best-of-3", 3),
            ("random best-of-5", 5),
            ("random best-of-30", 30),
        ],
    }
    for label, points in lines.items():
        xs = [c for _, c in points]
        ys = [np.mean([r[k] for r in rows]) for k, _ in points]
        ax.plot(xs, ys, marker="o", label=label)
    for key, style in zip(BASELINES, (":", "--", "-."), strict=True):
        if key in rows[0]:
            ax.axhline(np.mean([r[key] for r in rows]), ls=style, c="gray", label=key)
    ax.set_xscale("log")
    ax.set_xticks([1, 3, 5, 30])
    ax.set_xticklabels(["1", "3", "5", "30"])
    ax.set_xlabel("children trained on the task")
    ax.set_ylabel(f"mean test accuracy ({len(rows)} held-out tasks)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/results/pretrained")
    rows = json.loads((folder / "children.json").read_text())
    spearman = json.loads((folder / "spearman.json").read_text())
    held_out = "families" if _families(rows) else "tasks"
    text = [
        f"### Held-out {held_out}: Spearman (validation accuracies of held-out tasks)",
        spearman_table(spearman),
        f"### Test accuracy on held-out {held_out} (mean ± sd over tasks)",
        accuracy_table(rows),
        "### Per task, ours against the alternatives",
        wins_table(rows),
        "### Ours on validation and test splits (validation chose nothing)",
        selection_table(rows),
    ]
    (folder / "tables.md").write_text("\n\n".join(text) + "\n")
    cost_plot(rows, folder / "cost_accuracy.png")
    print("\n\n".join(text))


if __name__ == "__main__":
    main()
