"""Leave-one-task-out evaluation: the paper's Tables 2-4 and its supplement.

Every function takes the training tasks and what an
:class:`~skfti.store.ExperimentStore` holds for them, holds each task out in
turn, fits an :class:`~skfti.ArchitectureInferrer` on the others and measures,
on the held-out task:

- :func:`predictive_performance`: Spearman and R^2 of predicted against
  actual child accuracies (Tables 2 and 3), for several meta-feature choices
  and seeds;
- :func:`architecture_search`: test accuracy of the child trained from
  ``suggest`` (relaxed and discretized), of the best of and the ensemble of
  the top 3 and 5 suggestions, against random search and REINFORCE NAS
  given the same numbers of children, First10 and the population's best
  child, and against LogisticRegression and MLPClassifier on the same
  embeddings (Table 4), with the number of children each trained on the
  held-out task;

and, in :mod:`skfti.evaluation._supplement`, the supplementary material's
training-task curve and task-embedding maps.
"""

import time
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from skfti.child_recipe import check_settings, texts_of
from skfti.evaluation._baselines import _best, reinforce_search
from skfti.inferred_classifier import InferredArchitectureClassifier
from skfti.population import task_data, train_on_task
from skfti.task import check_task_collection

__all__ = [
    "architecture_search",
    "experiment_table",
    "predictive_performance",
    "summarize",
]

from skfti._seeds import SEED_MAX as _SEED_MAX

_CLASSIFIER_SETTINGS = (
    "epochs",
    "batch_size",
    "learning_rate",
    "weight_decay",
    "dropout",
    "n_iter_no_change",
    "tol",
    "validation_fraction",
    "refit",
)


def experiment_table(store, tasks, settings=None):
    """Per task, the stored children in insertion order.

    Returns
    -------
    table : list of dict
        Aligned with ``tasks``: ``encodings`` (n, n_dims), ``val`` and
        ``test`` accuracies (n,), of the children with status 'ok'.
    """
    from skfti.store import settings_hash

    wanted = None
    if settings is not None:
        wanted = settings_hash(check_settings(settings, text=texts_of(tasks)))
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
    meta_features = _one_or_many(meta_features)
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


def _relaxed_row(model, task, seed, settings, data, fit_seconds):
    """Ours as in the paper: the relaxed suggestion, trained once."""
    start = time.perf_counter()
    encoding = model.suggest(task.X_train, task.y_train, discretize=False)
    suggest_seconds = time.perf_counter() - start
    child_seed = int(check_random_state(seed).randint(_SEED_MAX))
    result = train_on_task(data, encoding, child_seed, settings)
    return _row(
        task,
        seed,
        "ours (relaxed)",
        result["test_accuracy"] if result["status"] == "ok" else np.nan,
        1,
        suggest_seconds + result["train_time"],
        suggest_seconds=suggest_seconds,
        value_network_fit_seconds=fit_seconds,
        architecture=encoding.describe(),
    )


def _best_of(classifier, k):
    """Index of the kept candidate among the first ``k``, as ``combine="best"``."""
    scores = classifier.validation_scores_[:k]
    if not np.any(np.isfinite(scores)):
        return 0  # no hold-out: the value network's favourite
    losses = []
    for estimator in classifier.estimators_[:k]:
        history = estimator.history_
        losses.append(history["val_loss"][history["best_epoch"]])
    return min(range(k), key=lambda i: (-scores[i], losses[i], i))


def _candidate_picks(classifier, budgets):
    """``(method, candidate indices, children trained)`` of the top-k rows."""
    n = len(classifier.estimators_)
    picks = [("ours (discretized)", [0], 1)]
    for k in sorted({b for b in budgets if 1 < b <= n}):
        picks.append((f"ours best-of-{k}", [_best_of(classifier, k)], k))
        picks.append((f"ours ensemble-{k}", list(range(k)), k))
    return picks


def _candidate_rows(model, task, seed, settings, budgets, fit_seconds):
    """Ours, top-k: one classifier trains ``max(budgets)`` discrete candidates.

    The first candidate is "ours (discretized)" (one child); "ours
    best-of-k" keeps the best of the first k by ``validation_scores_``
    (each on its own hold-out: ensemble members have their own seeds), "ours
    ensemble-k" averages their probabilities. Every row reads the same
    ``max(budgets)`` trained children.
    """
    recipe = {key: settings[key] for key in _CLASSIFIER_SETTINGS}
    classifier = InferredArchitectureClassifier(
        model,
        n_candidates=max(budgets),
        combine="ensemble",
        random_state=seed,
        **recipe,
    )
    start = time.perf_counter()
    classifier.fit(task.X_train, task.y_train)
    fitted = time.perf_counter() - start
    train = [float(np.sum(e.history_["time"])) for e in classifier.estimators_]
    suggest_seconds = max(fitted - sum(train), 0.0)
    proba = [e.predict_proba(task.X_test) for e in classifier.estimators_]
    y_test = np.asarray(task.y_test)
    rows = []
    for method, chosen, k in _candidate_picks(classifier, budgets):
        mean = np.mean([proba[i] for i in chosen], axis=0)
        accuracy = np.mean(classifier.classes_[mean.argmax(axis=1)] == y_test)
        architecture = " + ".join(classifier.encodings_[i].describe() for i in chosen)
        rows.append(
            _row(
                task,
                seed,
                method,
                accuracy,
                k,
                suggest_seconds + sum(train[:k]),
                suggest_seconds=suggest_seconds,
                value_network_fit_seconds=fit_seconds,
                architecture=architecture,
            )
        )
    return rows


def _reinforce_rows(task, seed, data, space, settings, budgets):
    """REINFORCE NAS best-of-k for every budget k, from one run.

    The controller's first k children do not depend on what follows, so the
    best of the first k of one run of ``max(budgets)`` children is exactly a
    run of k children.
    """
    start = time.perf_counter()
    rl = reinforce_search(data, space, max(budgets), settings, random_state=seed)
    rows = []
    for k in sorted(set(budgets)):
        best = _best(rl["history"][:k])
        seconds = sum(h["train_time"] for h in rl["history"][:k])
        rows.append(
            _row(
                task,
                seed,
                f"REINFORCE NAS best-of-{k}",
                best["test_accuracy"],
                k,
                seconds,
                architecture=best["encoding"].describe(),
            )
        )
    rows[-1]["seconds"] = time.perf_counter() - start
    return rows


def _population_rows(task, seed, table_row, budgets):
    """Baselines read off the stored population (children already trained).

    Random search best-of-k: the first k children of one random permutation
    of the stored children, the best of them by validation accuracy.
    """
    val, test = table_row["val"], table_row["test"]
    rows = []
    if len(val) == 0:
        return rows
    if len(val) >= 10:
        mean = test[:10].mean()
        rows.append(
            _row(task, seed, "First10 (mean of 10 random children)", mean, 10, np.nan)
        )
    order = check_random_state(seed).permutation(len(val))
    for k in sorted(b for b in set(budgets) if b <= len(val)):
        best = order[:k][np.argmax(val[order[:k]])]
        method = f"random search best-of-{k}"
        rows.append(_row(task, seed, method, test[best], k, np.nan))
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


def _search_row(inferrer, tasks, experiments, table, k, seed, settings, data, budgets):
    """All methods of Table 4 on held-out task ``k`` with one seed.

    ``budgets`` maps ``"ours"``, ``"random"`` and ``"rl"`` to the numbers of
    children each search gets on the task.
    """
    task = tasks[k]
    start = time.perf_counter()
    model = _fit_held_out(inferrer, tasks, experiments, k, seed)
    fit_seconds = time.perf_counter() - start
    rows = [_relaxed_row(model, task, seed, settings, data, fit_seconds)]
    rows += _candidate_rows(model, task, seed, settings, budgets["ours"], fit_seconds)
    rows += _population_rows(task, seed, table[k], budgets["random"])
    space = model.search_space_
    rows += _reinforce_rows(task, seed, data, space, settings, budgets["rl"])
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
    budgets=(3, 5),
    n_random=10,
    n_rl=10,
    held_out=None,
    n_jobs=None,
):
    """Test accuracy of suggested architectures against baselines (Table 4).

    For each held-out task and seed, the inferrer is fitted on the other
    tasks, then every method gets its children on the task's train split
    (the same child ``settings``) and is scored on its test split:

    - "ours (relaxed)": the relaxed suggestion, trained once (the paper);
    - an :class:`~skfti.InferredArchitectureClassifier` with
      ``n_candidates=max(budgets)`` trained once: its first candidate is
      "ours (discretized)" (1 child), "ours best-of-k" keeps the best of the
      first k on the classifier's own hold-out, "ours ensemble-k" averages
      their probabilities (k children), for each k in ``budgets``;
    - "random search best-of-k" (k in ``budgets`` and ``n_random``), read
      off the stored population (``table``, from :func:`experiment_table`):
      the first k of one random permutation of the stored children, the best
      by validation accuracy; "First10" and the population's best likewise;
    - "REINFORCE NAS best-of-k" (k in ``budgets`` and ``n_rl``): the best of
      the first k children of one controller run;
    - LogisticRegression and MLPClassifier on the standardized embeddings.

    ``held_out`` names the tasks to hold out in turn (default: every task).
    ``settings`` missing keys take the recipe's defaults
    (:data:`skfti.child_recipe.RECIPE_SETTINGS`); the classifier's children
    always standardize their inputs (the recipe), the other settings are
    passed to it.

    Returns
    -------
    rows : list of dict
        ``task``, ``seed``, ``method``, ``test_accuracy``,
        ``children_trained`` (on the held-out task), ``seconds``.
    """
    tasks = check_task_collection(tasks)
    settings = check_settings(settings, text=texts_of(tasks))
    space = search_space or inferrer.search_space
    if inferrer.search_space is not None and space != inferrer.search_space:
        raise ValueError(
            f"search_space {space} is not the inferrer's ({inferrer.search_space}): "
            "the suggestions and baselines are drawn in the inferrer's space"
        )
    if not len(tasks) == len(experiments) == len(table):
        raise ValueError(
            f"tasks, experiments and table must be aligned: {len(tasks)}, "
            f"{len(experiments)} and {len(table)} entries"
        )
    names = [t.name for t in tasks]
    held_out = _one_or_many(held_out)
    unknown = sorted(set(held_out or []) - set(names))
    if unknown:
        raise ValueError(f"unknown held-out tasks: {unknown}")
    held = range(len(tasks)) if held_out is None else [names.index(n) for n in held_out]
    if not budgets or min(budgets) < 1:
        raise ValueError(f"budgets must be positive numbers of children: {budgets}")
    for value, name in ((n_random, "n_random"), (n_rl, "n_rl")):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be a number of children >= 1, got {value!r}")
    budgets = {
        "ours": tuple(budgets),
        "random": (*budgets, n_random),
        "rl": (*budgets, n_rl),
    }
    jobs = []
    for k in held:
        data = task_data(tasks[k], space, embedding_modules=embedding_modules)
        jobs += [
            delayed(_search_row)(
                inferrer, tasks, experiments, table, k, seed, settings, data, budgets
            )
            for seed in seeds
        ]
    return [row for rows in Parallel(n_jobs=n_jobs)(jobs) for row in rows]


def _one_or_many(value):
    """``value`` as a list (a single str is one item, not its letters), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)
