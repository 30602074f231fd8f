"""The Markdown report of an evaluation, with its PNG plots.

:func:`write_report` writes one section per kind of result; each section
function returns its Markdown lines and saves its figures into the folder.
"""

import os
import re

import numpy as np

from skfti._optional import import_optional
from skfti.evaluation._protocols import summarize

__all__ = ["write_report"]


def _fmt(mean, std):
    return f"{mean:.3f} ± {std:.3f}"


def _pyplot():
    matplotlib = import_optional("matplotlib", caller="write_report", extra="report")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, folder, name):
    fig.tight_layout()
    fig.savefig(os.path.join(folder, name), dpi=100)
    plt.close(fig)


def _prediction_section(rows):
    """Tables 2 and 3: Spearman and R^2 per task and meta-feature choice."""
    variants = sorted({r["meta_features"] for r in rows})
    lines = []
    for value, title in [
        ("spearman", "Spearman rank correlation (Table 2)"),
        ("r2", "R^2 of normalized accuracy (Table 3)"),
    ]:
        stats = summarize(rows, value)
        overall = summarize(rows, value, by=("meta_features",))
        lines += [
            f"### {title}",
            "",
            "| task | " + " | ".join(variants) + " |",
            "|---|" + "---|" * len(variants),
        ]
        for task in dict.fromkeys(r["task"] for r in rows):
            cells = [_fmt(*stats[(task, v)][:2]) for v in variants]
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
        cells = [_fmt(*overall[(v,)][:2]) for v in variants]
        lines += ["| **mean** | " + " | ".join(cells) + " |", ""]
    return lines


def _search_section(rows, folder, plt):
    """Table 4: test accuracy per method and task, a bar plot and the cost plot."""
    methods = list(dict.fromkeys(r["method"] for r in rows))
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    stats = summarize(rows, "test_accuracy", by=("method", "task"))
    trained = summarize(rows, "children_trained", by=("method",))
    overall = summarize(rows, "test_accuracy", by=("method",))
    lines = [
        "### Test accuracy of the architecture found (Table 4)",
        "",
        "| method | children trained on the task | mean | " + " | ".join(tasks) + " |",
        "|---|---|---|" + "---|" * len(tasks),
    ]
    for m in methods:
        cells = [_fmt(*stats[(m, t)][:2]) if (m, t) in stats else "-" for t in tasks]
        head = f"| {m} | {trained[(m,)][0]:.0f} | **{_fmt(*overall[(m,)][:2])}** | "
        lines.append(head + " | ".join(cells) + " |")
    lines.append("")
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.3 * len(methods)))
    means = [overall[(m,)][0] for m in methods]
    stds = [overall[(m,)][1] for m in methods]
    ax.barh(range(len(methods)), means, xerr=stds, color="tab:blue")
    ax.set_yticks(range(len(methods)), methods)
    ax.invert_yaxis()
    ax.set_xlabel("test accuracy (mean over held-out tasks and seeds)")
    _save(plt, fig, folder, "architecture_search.png")
    _cost_plot(rows, folder, plt)
    return lines + [
        "![architecture search](architecture_search.png)",
        "",
        "Cost against accuracy: children trained on the held-out task (log"
        " scale) against mean test accuracy, one line per method family;"
        " methods that train no child are dashed horizontal lines.",
        "",
        "![cost against accuracy](cost_accuracy.png)",
        "",
    ]


_BUDGETED = re.compile(r"^(?P<family>.+) (?P<kind>best-of|ensemble)-\d+$")


def _families(method):
    """The method families (plot lines) a method's point belongs to."""
    if method == "ours (discretized)":  # one child: k = 1 of both top-k rows
        return ["ours best-of-k", "ours ensemble-k"]
    match = _BUDGETED.match(method)
    if match is None:
        return [method]
    return [f"{match['family']} {match['kind']}-k"]


def _cost_plot(rows, folder, plt):
    """``cost_accuracy.png``: children trained (x, log) against test accuracy."""
    trained = summarize(rows, "children_trained", by=("method",))
    overall = summarize(rows, "test_accuracy", by=("method",))
    lines = {}
    for (method,), (cost, _, _) in trained.items():
        for family in _families(method):
            lines.setdefault(family, []).append((cost, overall[(method,)][0]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (family, points) in enumerate(lines.items()):
        color = plt.cm.tab10(i % 10)
        points = sorted(points)
        if all(cost == 0 for cost, _ in points):
            ax.axhline(points[0][1], color=color, linestyle="--", label=family)
            continue
        x, y = zip(*[p for p in points if p[0] > 0], strict=True)
        ax.plot(x, y, marker="o", color=color, label=family)
    ax.set_xscale("log")
    ticks = sorted({c for points in lines.values() for c, _ in points if c > 0})
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("children trained on the task")
    ax.set_ylabel("test accuracy (mean over held-out tasks and seeds)")
    ax.legend(fontsize=7, loc="best")
    _save(plt, fig, folder, "cost_accuracy.png")


def _curve_section(rows, folder, plt):
    """Supplementary Fig. 1: Spearman against the number of training tasks."""
    stats = summarize(rows, "spearman", by=("n_tasks",))
    sizes = sorted(k[0] for k in stats)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.errorbar(
        sizes,
        [stats[(n,)][0] for n in sizes],
        yerr=[stats[(n,)][1] for n in sizes],
        marker="o",
    )
    ax.set_xlabel("number of training tasks")
    ax.set_ylabel("Spearman on the held-out task")
    _save(plt, fig, folder, "training_tasks.png")
    lines = [
        "### Adding training tasks",
        "",
        "| training tasks | Spearman |",
        "|---|---|",
    ]
    lines += [f"| {n} | {_fmt(*stats[(n,)][:2])} |" for n in sizes]
    return lines + ["", "![training tasks](training_tasks.png)", ""]


def _embedding_map(P, labels, held_out, title, plt):
    fig, ax = plt.subplots(figsize=(6, 5))
    for i, name in enumerate(dict.fromkeys(labels)):
        m = np.array([lab == name for lab in labels])
        style = (
            {"color": "black", "marker": "*", "s": 80}
            if (name == held_out)
            else {"s": 20, "color": plt.cm.tab20(i % 20)}
        )
        ax.scatter(P[m, 0], P[m, 1], label=name, **style)
    ax.legend(fontsize=6, ncol=2)
    ax.set_title(title)
    return fig


def _embedding_section(embedding, held_out, folder, plt):
    """Supplementary Figs. 2 and 3: PCA and t-SNE maps of the task embeddings."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    Z, labels = embedding
    tsne = TSNE(
        n_components=2, perplexity=min(30, len(Z) - 1), random_state=0, init="pca"
    )
    for method, model in [("pca", PCA(n_components=2)), ("tsne", tsne)]:
        P = model.fit_transform(Z)
        title = f"learned task embeddings ({method.upper()})"
        fig = _embedding_map(P, labels, held_out, title, plt)
        _save(plt, fig, folder, f"task_embeddings_{method}.png")
    return [
        "### Learned task embeddings",
        "",
        "![PCA](task_embeddings_pca.png) ![t-SNE](task_embeddings_tsne.png)",
        "",
    ]


def write_report(
    folder,
    *,
    prediction_rows=None,
    search_rows=None,
    curve_rows=None,
    embedding=None,
    held_out_for_maps=None,
    header="",
):
    """Write ``report.md`` and PNG plots into ``folder``; return the Markdown.

    Parameters
    ----------
    folder : str or path-like
        Where to write (created if needed).
    prediction_rows : list of dict, default=None
        From :func:`predictive_performance`: the tables of Spearman and R^2.
    search_rows : list of dict, default=None
        From :func:`architecture_search`: the table of test accuracies and
        children trained on the task per method, ``architecture_search.png``
        and ``cost_accuracy.png`` (children trained, log scale, against
        mean test accuracy, one line per method family).
    curve_rows : list of dict, default=None
        From :func:`training_tasks_curve`: a table and ``training_tasks.png``.
    embedding : tuple of (ndarray, list of str), default=None
        From :func:`task_embedding_points`: ``task_embeddings_pca.png`` and
        ``task_embeddings_tsne.png``.
    held_out_for_maps : str, default=None
        The task drawn as black stars on the embedding maps.
    header : str, default=""
        First paragraph of the report.

    Returns
    -------
    text : str
        The Markdown written to ``report.md``.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "skfti[report]"``).
    """
    plt = _pyplot()
    os.makedirs(folder, exist_ok=True)
    lines = [header] if header else []
    if prediction_rows:
        lines += _prediction_section(prediction_rows)
    if search_rows:
        lines += _search_section(search_rows, folder, plt)
    if curve_rows:
        lines += _curve_section(curve_rows, folder, plt)
    if embedding is not None:
        lines += _embedding_section(embedding, held_out_for_maps, folder, plt)
    text = "\n".join(lines)
    with open(os.path.join(folder, "report.md"), "w") as f:
        f.write(text)
    return text
