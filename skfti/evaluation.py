"""Leave-one-task-out evaluation: the paper's Tables 2-4 and its supplement.

Every function takes the training tasks and what an
:class:`~skfti.store.ExperimentStore` holds for them, holds each task out in
turn, fits an :class:`~skfti.ArchitectureInferrer` on the others and measures,
on the held-out task:

- :func:`predictive_performance`: Spearman and R^2 of predicted against
  actual child accuracies (Tables 2 and 3), for several meta-feature choices
  and seeds;
- :func:`architecture_search`: test accuracy of the child trained from
  ``suggest`` (relaxed and discretized) against First10, random search,
  REINFORCE NAS and the population's best child, and against
  LogisticRegression and MLPClassifier on the same embeddings (Table 4),
  with the number of child trainings each spent on the held-out task;
- :func:`training_tasks_curve`: Spearman against the number of training
  tasks (supplementary Fig. 1);
- :func:`task_embedding_points`: learned task embeddings of several sample
  batches per task, for 2-D maps (supplementary Figs. 2 and 3).

:func:`write_report` turns the results into a Markdown report with PNG plots.
"""

import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from skfti.task import check_task_collection

__all__ = [
    "architecture_search",
    "experiment_table",
    "predictive_performance",
    "summarize",
    "task_embedding_points",
    "training_tasks_curve",
    "write_report",
]

_SEED_MAX = np.iinfo(np.int32).max


def experiment_table(store, tasks, settings=None):
    """Per task, the stored children in insertion order.

    Returns
    -------
    table : list of dict
        Aligned with ``tasks``: ``encodings`` (n, n_dims), ``val`` and
        ``test`` accuracies (n,), of the children with status 'ok'.
    """
    from skfti.store import settings_hash

    wanted = None if settings is None else settings_hash(settings)
    by_task = {task.name: {"encodings": [], "val": [], "test": []} for task in tasks}
    for record in store.to_records():
        if record["task"] not in by_task or record["status"] != "ok":
            continue
        if wanted is not None and record["settings_hash"] != wanted:
            continue
        row = by_task[record["task"]]
        row["encodings"].append(record["encoding"])
        row["val"].append(record["val_accuracy"])
        row["test"].append(record["test_accuracy"])
    return [
        {k: np.asarray(v, dtype=np.float64) for k, v in by_task[task.name].items()}
        for task in tasks
    ]


def _fit_held_out(inferrer, tasks, experiments, k, seed, **params):
    train = [i for i in range(len(tasks)) if i != k]
    model = clone(inferrer).set_params(random_state=seed, **params)
    return model.fit([tasks[i] for i in train], [experiments[i] for i in train])


def _prediction_row(inferrer, tasks, experiments, k, seed, meta_features):
    model = _fit_held_out(
        inferrer, tasks, experiments, k, seed, meta_features=meta_features
    )
    report = model.evaluate([tasks[k]], [experiments[k]])
    return {
        "task": tasks[k].name,
        "meta_features": meta_features,
        "seed": seed,
        "spearman": float(report["spearman"][0]),
        "r2": float(report["r2"][0]),
    }


def predictive_performance(
    tasks,
    experiments,
    inferrer,
    *,
    meta_features=("learned", "none"),
    seeds=(0, 1, 2),
    n_jobs=None,
):
    """Leave-one-task-out Spearman and R^2 (the paper's Tables 2 and 3).

    Parameters
    ----------
    tasks : list of Task
    experiments : list of (encodings, scores)
        As returned by :meth:`ExperimentStore.experiments`.
    inferrer : ArchitectureInferrer
        Template; cloned for every held-out task, meta-feature choice and seed.
    meta_features : sequence of str
        The choices to compare ("none" is the paper's "without meta-features").
    seeds : sequence of int
        Seeds of the value network (the paper repeated ten times).
    n_jobs : int, default=None
        Parallel fits (joblib processes).

    Returns
    -------
    rows : list of dict
        ``task``, ``meta_features``, ``seed``, ``spearman``, ``r2``.
    """
    tasks = check_task_collection(tasks)
    jobs = [
        delayed(_prediction_row)(inferrer, tasks, experiments, k, seed, mf)
        for k in range(len(tasks))
        for mf in meta_features
        for seed in seeds
    ]
    return list(Parallel(n_jobs=n_jobs)(jobs))


def summarize(rows, value, by=("task", "meta_features")):
    """Mean and standard deviation of ``value`` grouped by ``by``."""
    groups = {}
    for row in rows:
        key = tuple(row[b] for b in by)
        groups.setdefault(key, []).append(row[value])
    return {
        key: (float(np.nanmean(v)), float(np.nanstd(v)), len(v))
        for key, v in groups.items()
    }


def _baseline_features(data):
    views, y, (train, val, test), _ = data
    X = np.hstack(views)
    scaler = StandardScaler().fit(X[train])
    return scaler.transform(X[train]), y[train], scaler.transform(X[test]), y[test]


def _search_row(
    inferrer, tasks, experiments, table, k, seed, settings, data, n_random, n_rl
):
    """All methods of Table 4 on held-out task ``k`` with one seed."""
    from skfti.nas_baselines import reinforce_search
    from skfti.population import train_on_task

    task = tasks[k]
    rows = []

    def add(method, test_accuracy, n_trained, seconds, **extra):
        rows.append(
            {
                "task": task.name,
                "seed": seed,
                "method": method,
                "test_accuracy": float(test_accuracy),
                "children_trained": n_trained,
                "seconds": seconds,
                **extra,
            }
        )

    start = time.perf_counter()
    model = _fit_held_out(inferrer, tasks, experiments, k, seed)
    fit_seconds = time.perf_counter() - start
    space = model.search_space_
    for discretize in (False, True):
        start = time.perf_counter()
        suggestion = model.suggest(task.X_train, task.y_train, discretize=discretize)
        suggest_seconds = time.perf_counter() - start
        child_seed = int(check_random_state(seed).randint(_SEED_MAX))
        result = train_on_task(data, suggestion.encoding, child_seed, settings)
        name = "ours (discretized)" if discretize else "ours (relaxed)"
        add(
            name,
            result["test_accuracy"] if result["status"] == "ok" else np.nan,
            1,
            suggest_seconds + result["train_time"],
            suggest_seconds=suggest_seconds,
            value_network_fit_seconds=fit_seconds,
            architecture=suggestion.encoding.describe(),
        )
    start = time.perf_counter()
    rl = reinforce_search(data, space, n_rl, settings, random_state=seed)
    add(
        f"REINFORCE NAS best-of-{n_rl}",
        rl["test_accuracy"],
        rl["n_trained"],
        time.perf_counter() - start,
        architecture=rl["encoding"].describe(),
    )
    # Baselines read off the stored population (children already trained).
    rng = check_random_state(seed)
    val, test = table[k]["val"], table[k]["test"]
    if len(val) >= 10:
        add("First10 (mean of 10 random children)", test[:10].mean(), 10, np.nan)
    if len(val) >= n_random:
        pick = rng.choice(len(val), n_random, replace=False)
        best = pick[np.argmax(val[pick])]
        add(f"random search best-of-{n_random}", test[best], n_random, np.nan)
    best = int(np.argmax(val))
    add(f"population best of {len(val)}", test[best], len(val), np.nan)
    # What a user would pick instead, on the same embeddings.
    Xtr, ytr, Xte, yte = _baseline_features(data)
    for label, estimator in [
        ("LogisticRegression", LogisticRegression(max_iter=2000)),
        ("MLPClassifier", MLPClassifier(max_iter=500, random_state=seed)),
    ]:
        start = time.perf_counter()
        score = estimator.fit(Xtr, ytr).score(Xte, yte)
        add(label, score, 0, time.perf_counter() - start)
    return rows


def architecture_search(
    tasks,
    experiments,
    table,
    inferrer,
    *,
    settings,
    search_space=None,
    embedding_modules=None,
    seeds=(0, 1, 2),
    n_random=10,
    n_rl=10,
    held_out=None,
    n_jobs=None,
):
    """Test accuracy of suggested architectures against baselines (Table 4).

    For each held-out task and seed: the inferrer is fitted on the other
    tasks, ``suggest`` gives a relaxed and a discretized architecture, and
    each is trained once on the task (train split, ``settings``) and scored
    on its test split. REINFORCE NAS trains ``n_rl`` children on the task;
    First10, random search and the population's best are read off the stored
    population (``table``, from :func:`experiment_table`); LogisticRegression
    and MLPClassifier train on the standardized embeddings. Every child uses
    the same training settings. ``held_out`` names the tasks to hold out in
    turn (default: every task).

    Returns
    -------
    rows : list of dict
        ``task``, ``seed``, ``method``, ``test_accuracy``,
        ``children_trained`` (on the held-out task), ``seconds``.
    """
    from skfti.population import task_data

    tasks = check_task_collection(tasks)
    space = search_space or inferrer.search_space
    names = [t.name for t in tasks]
    unknown = sorted(set(held_out or []) - set(names))
    if unknown:
        raise ValueError(f"unknown held-out tasks: {unknown}")
    held = range(len(tasks)) if held_out is None else [names.index(n) for n in held_out]
    jobs = []
    for k in held:
        data = task_data(tasks[k], space, embedding_modules=embedding_modules)
        for seed in seeds:
            jobs.append(
                delayed(_search_row)(
                    inferrer,
                    tasks,
                    experiments,
                    table,
                    k,
                    seed,
                    settings,
                    data,
                    n_random,
                    n_rl,
                )
            )
    return [row for rows in Parallel(n_jobs=n_jobs)(jobs) for row in rows]


def training_tasks_curve(
    tasks, experiments, inferrer, held_out, *, sizes, n_orderings=5, seed=0
):
    """Spearman on ``held_out`` against the number of training tasks.

    For ``n_orderings`` random orderings of the other tasks, the inferrer is
    fitted on the first ``n`` tasks of each ordering, for each ``n`` in
    ``sizes`` (supplementary material, Fig. 1).

    Returns
    -------
    rows : list of dict
        ``n_tasks``, ``ordering``, ``spearman``, ``r2``.
    """
    rng = check_random_state(seed)
    names = [t.name for t in tasks]
    k = names.index(held_out)
    others = [i for i in range(len(tasks)) if i != k]
    rows = []
    for ordering in range(n_orderings):
        order = rng.permutation(others)
        for n in sizes:
            chosen = order[:n]
            model = clone(inferrer).set_params(random_state=ordering)
            model.fit([tasks[i] for i in chosen], [experiments[i] for i in chosen])
            report = model.evaluate([tasks[k]], [experiments[k]])
            rows.append(
                {
                    "n_tasks": int(n),
                    "ordering": ordering,
                    "spearman": float(report["spearman"][0]),
                    "r2": float(report["r2"][0]),
                }
            )
    return rows


def task_embedding_points(inferrer, tasks, *, n_batches=10, batch_size=200, seed=0):
    """Learned embeddings of ``n_batches`` random sample batches per task.

    Returns
    -------
    Z : ndarray of shape (n_tasks * n_batches, embedding_dim)
    labels : list of str
        The task of each row.
    """
    rng = check_random_state(seed)
    Z, labels = [], []
    for task in tasks:
        X, y = task.X_train, task.y_train
        for _ in range(n_batches):
            idx = rng.choice(len(y), min(batch_size, len(y)), replace=False)
            if len(np.unique(y[idx])) < 2:
                continue
            Xb = X[idx] if not task.is_text else list(np.asarray(X, dtype=object)[idx])
            Z.append(inferrer.task_embedding(Xb, y[idx]))
            labels.append(task.name)
    return np.array(Z), labels


def _fmt(mean, std):
    return f"{mean:.3f} ± {std:.3f}"


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
    """Write ``report.md`` and PNG plots into ``folder``; return the Markdown."""
    import os

    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "Reports need matplotlib: pip install 'skfti[report]'"
        ) from exc

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(folder, exist_ok=True)
    lines = [header] if header else []
    if prediction_rows:
        variants = sorted({r["meta_features"] for r in prediction_rows})
        for value, title in [
            ("spearman", "Spearman rank correlation (Table 2)"),
            ("r2", "R^2 of normalized accuracy (Table 3)"),
        ]:
            stats = summarize(prediction_rows, value)
            overall = summarize(prediction_rows, value, by=("meta_features",))
            lines += [
                f"### {title}",
                "",
                "| task | " + " | ".join(variants) + " |",
                "|---|" + "---|" * len(variants),
            ]
            for task in dict.fromkeys(r["task"] for r in prediction_rows):
                cells = [_fmt(*stats[(task, v)][:2]) for v in variants]
                lines.append(f"| {task} | " + " | ".join(cells) + " |")
            cells = [_fmt(*overall[(v,)][:2]) for v in variants]
            lines += ["| **mean** | " + " | ".join(cells) + " |", ""]
    if search_rows:
        methods = list(dict.fromkeys(r["method"] for r in search_rows))
        stats = summarize(search_rows, "test_accuracy", by=("task", "method"))
        trained = summarize(search_rows, "children_trained", by=("method",))
        lines += [
            "### Test accuracy of the architecture found (Table 4)",
            "",
            "| task | " + " | ".join(methods) + " |",
            "|---|" + "---|" * len(methods),
        ]
        for task in dict.fromkeys(r["task"] for r in search_rows):
            cells = [
                _fmt(*stats[(task, m)][:2]) if (task, m) in stats else "-"
                for m in methods
            ]
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
        overall = summarize(search_rows, "test_accuracy", by=("method",))
        lines.append(
            "| **mean** | "
            + " | ".join(_fmt(*overall[(m,)][:2]) for m in methods)
            + " |"
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
        fig.tight_layout()
        fig.savefig(os.path.join(folder, "architecture_search.png"), dpi=100)
        plt.close(fig)
        lines += ["![architecture search](architecture_search.png)", ""]
    if curve_rows:
        stats = summarize(curve_rows, "spearman", by=("n_tasks",))
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
        fig.tight_layout()
        fig.savefig(os.path.join(folder, "training_tasks.png"), dpi=100)
        plt.close(fig)
        lines += [
            "### Adding training tasks",
            "",
            "| training tasks | Spearman |",
            "|---|---|",
        ]
        lines += [f"| {n} | {_fmt(*stats[(n,)][:2])} |" for n in sizes]
        lines += ["", "![training tasks](training_tasks.png)", ""]
    if embedding is not None:
        from sklearn.decomposition import PCA
        from sklearn.manifold import TSNE

        Z, labels = embedding
        names = list(dict.fromkeys(labels))
        for method, model in [
            ("pca", PCA(n_components=2)),
            (
                "tsne",
                TSNE(
                    n_components=2,
                    perplexity=min(30, len(Z) - 1),
                    random_state=0,
                    init="pca",
                ),
            ),
        ]:
            P = model.fit_transform(Z)
            fig, ax = plt.subplots(figsize=(6, 5))
            for i, name in enumerate(names):
                m = np.array([lab == name for lab in labels])
                style = (
                    {"color": "black", "marker": "*", "s": 80}
                    if (name == held_out_for_maps)
                    else {"s": 20, "color": plt.cm.tab20(i % 20)}
                )
                ax.scatter(P[m, 0], P[m, 1], label=name, **style)
            ax.legend(fontsize=6, ncol=2)
            ax.set_title(f"learned task embeddings ({method.upper()})")
            fig.tight_layout()
            fig.savefig(os.path.join(folder, f"task_embeddings_{method}.png"), dpi=100)
            plt.close(fig)
        lines += [
            "### Learned task embeddings",
            "",
            "![PCA](task_embeddings_pca.png) ![t-SNE](task_embeddings_tsne.png)",
            "",
        ]
    text = "\n".join(lines)
    with open(os.path.join(folder, "report.md"), "w") as f:
        f.write(text)
    return text
