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
"""

import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from skfti.evaluation._baselines import reinforce_search
from skfti.population import task_data, train_on_task
from skfti.task import check_task_collection

__all__ = [
    "architecture_search",
    "experiment_table",
    "predictive_performance",
    "summarize",
    "task_embedding_points",
    "training_tasks_curve",
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


def _row(task, seed, method, test_accuracy, n_trained, seconds, **extra):
    return {
        "task": task.name,
        "seed": seed,
        "method": method,
        "test_accuracy": float(test_accuracy),
        "children_trained": n_trained,
        "seconds": seconds,
        **extra,
    }


def _suggested_rows(inferrer, tasks, experiments, k, seed, settings, data):
    """Ours: the relaxed and discretized suggestions, each trained once."""
    task, rows = tasks[k], []
    start = time.perf_counter()
    model = _fit_held_out(inferrer, tasks, experiments, k, seed)
    fit_seconds = time.perf_counter() - start
    for discretize in (False, True):
        start = time.perf_counter()
        suggestion = model.suggest(task.X_train, task.y_train, discretize=discretize)
        suggest_seconds = time.perf_counter() - start
        child_seed = int(check_random_state(seed).randint(_SEED_MAX))
        result = train_on_task(data, suggestion.encoding, child_seed, settings)
        name = "ours (discretized)" if discretize else "ours (relaxed)"
        rows.append(
            _row(
                task,
                seed,
                name,
                result["test_accuracy"] if result["status"] == "ok" else np.nan,
                1,
                suggest_seconds + result["train_time"],
                suggest_seconds=suggest_seconds,
                value_network_fit_seconds=fit_seconds,
                architecture=suggestion.encoding.describe(),
            )
        )
    return rows, model.search_space_


def _population_rows(task, seed, table_row, n_random):
    """Baselines read off the stored population (children already trained)."""
    rng = check_random_state(seed)
    val, test = table_row["val"], table_row["test"]
    rows = []
    if len(val) >= 10:
        mean = test[:10].mean()
        rows.append(
            _row(task, seed, "First10 (mean of 10 random children)", mean, 10, np.nan)
        )
    if len(val) >= n_random:
        pick = rng.choice(len(val), n_random, replace=False)
        best = pick[np.argmax(val[pick])]
        method = f"random search best-of-{n_random}"
        rows.append(_row(task, seed, method, test[best], n_random, np.nan))
    best = int(np.argmax(val))
    method = f"population best of {len(val)}"
    rows.append(_row(task, seed, method, test[best], len(val), np.nan))
    return rows


def _sklearn_rows(task, seed, data):
    """What a user would pick instead, on the same embeddings."""
    Xtr, ytr, Xte, yte = _baseline_features(data)
    rows = []
    for label, estimator in [
        ("LogisticRegression", LogisticRegression(max_iter=2000)),
        ("MLPClassifier", MLPClassifier(max_iter=500, random_state=seed)),
    ]:
        start = time.perf_counter()
        score = estimator.fit(Xtr, ytr).score(Xte, yte)
        rows.append(_row(task, seed, label, score, 0, time.perf_counter() - start))
    return rows


def _search_row(
    inferrer, tasks, experiments, table, k, seed, settings, data, n_random, n_rl
):
    """All methods of Table 4 on held-out task ``k`` with one seed."""
    task = tasks[k]
    rows, space = _suggested_rows(inferrer, tasks, experiments, k, seed, settings, data)
    start = time.perf_counter()
    rl = reinforce_search(data, space, n_rl, settings, random_state=seed)
    rows.append(
        _row(
            task,
            seed,
            f"REINFORCE NAS best-of-{n_rl}",
            rl["test_accuracy"],
            rl["n_trained"],
            time.perf_counter() - start,
            architecture=rl["encoding"].describe(),
        )
    )
    rows += _population_rows(task, seed, table[k], n_random)
    return rows + _sklearn_rows(task, seed, data)


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
