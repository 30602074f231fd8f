"""The Markdown report of an evaluation, with its PNG plots.

:func:`write_report` writes one section per kind of result; each section
function returns its Markdown lines and saves its figures into the folder.
"""

import os

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
    """Table 4: test accuracy per task and method, and a bar plot of the means."""
    methods = list(dict.fromkeys(r["method"] for r in rows))
    stats = summarize(rows, "test_accuracy", by=("task", "method"))
    trained = summarize(rows, "children_trained", by=("method",))
    overall = summarize(rows, "test_accuracy", by=("method",))
    lines = [
        "### Test accuracy of the architecture found (Table 4)",
        "",
        "| task | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for task in dict.fromkeys(r["task"] for r in rows):
        cells = [
            _fmt(*stats[(task, m)][:2]) if (task, m) in stats else "-" for m in methods
        ]
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    lines.append(
        "| **mean** | " + " | ".join(_fmt(*overall[(m,)][:2]) for m in methods) + " |"
    )
    lines.append(
        "| children trained on the task | "
        + " | ".join(f"{trained[(m,)][0]:.0f}" for m in methods)
        + " |"
    )
    lines.append("")
    fig, ax = plt.subplots(figsize=(8, 4))
    means = [overall[(m,)][0] for m in methods]
    stds = [overall[(m,)][1] for m in methods]
    ax.barh(range(len(methods)), means, xerr=stds, color="tab:blue")
    ax.set_yticks(range(len(methods)), methods)
    ax.set_xlabel("test accuracy (mean over held-out tasks and seeds)")
    _save(plt, fig, folder, "architecture_search.png")
    return lines + ["![architecture search](architecture_search.png)", ""]


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
        ``architecture_search.png``.
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
