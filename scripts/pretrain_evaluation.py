"""Held-out evaluation of value-network variants, for scripts/pretrain_model.py.

The pretraining collection and its held-out groups (:class:`Collection`), the
held-out Spearman of a variant, the children its suggestions train on held-out
tasks, and what those are compared against: scikit-learn classifiers on the
same features and random search over the stored population.
"""

import json
import time

import numpy as np
from pretrain_population import POPULATION_SETTINGS, pretraining_collection

from skfti import ArchitectureInferrer
from skfti.child_recipe import check_settings


def user_recipe(text):
    """The child recipe a user who passes nothing gets, for this kind of data."""
    return check_settings({}, text=text)


class Collection:
    """A pretraining collection: its tasks, space, held-out groups, features."""

    def __init__(self, family, seed=0, n_folds=None):
        self.family = family
        self.n_folds = n_folds
        self.tasks, self.space = pretraining_collection(family, seed)
        self._fitted = {}

    def group_of(self, task):
        """The held-out group of a task.

        Text: its family (WordNet / fortunes / reviews). Tabular: the task
        itself (leave one task out) or, with ``n_folds``, one of ``n_folds``
        groups of tasks (the tasks in alphabetical order dealt round-robin),
        each held out whole.
        """
        if self.family == "tabular":
            if not self.n_folds:
                return task.name
            names = sorted(t.name for t in self.tasks)
            return f"fold-{names.index(task.name) % self.n_folds}"
        for prefix in ("wordnet", "fortunes"):
            if task.name.startswith(prefix):
                return prefix
        return "reviews"

    @property
    def protocol(self):
        if self.family != "tabular":
            return "leave_one_family_out"
        if self.n_folds:
            return f"leave_tasks_out_{self.n_folds}_folds"
        return "leave_one_task_out"

    def feature_map(self):
        """The inferrer's feature map: none for text views, TabularFeatureMap."""
        if self.family != "tabular":
            return None
        from skfti.embeddings import TabularFeatureMap

        return TabularFeatureMap(random_state=0)

    def inferrer(self, params, seed=0):
        return ArchitectureInferrer(
            search_space=self.space,
            feature_map=self.feature_map(),
            random_state=seed,
            **params,
        )

    def fitted_without(self, group, tasks, experiments, params, seed=0):
        """The inferrer fitted on every task outside ``group``, fitted once.

        The Spearman figures and the trained suggestions of a variant use
        the same held-out fits (a fit is deterministic given its seed).
        """
        key = (group, json.dumps(params, sort_keys=True), seed, id(experiments))
        if key not in self._fitted:
            train = [i for i, t in enumerate(tasks) if self.group_of(t) != group]
            self._fitted[key] = self.inferrer(params, seed).fit(
                [tasks[i] for i in train], [experiments[i] for i in train]
            )
        return self._fitted[key]

    def features(self, task):
        """What the baselines see: the concatenated views of texts, or X."""
        if not task.is_text:
            return np.asarray(task.X, dtype=np.float64)
        from skfti.task_views import embed_views

        return embed_views(list(task.X), self.space, stack=True)


def held_out_spearman(collection, tasks, by_score, params, seed=0):
    """Spearman per held-out task, fitting without the task's group.

    ``by_score`` maps a score name to the tasks' experiments; the value
    network learns from ``params["score"]`` (default accuracy) and is always
    judged on how it ranks the validation accuracies of the held-out tasks.
    """
    params = dict(params)
    experiments = by_score[params.pop("score", "accuracy")]
    judged = by_score["accuracy"]
    out = {}
    group_of = collection.group_of
    for group in sorted({group_of(t) for t in tasks}):
        test = [i for i, t in enumerate(tasks) if group_of(t) == group]
        model = collection.fitted_without(group, tasks, experiments, params, seed)
        report = model.evaluate([tasks[i] for i in test], [judged[i] for i in test])
        out.update(zip(report["task"], report["spearman"], strict=True))
    return out


def baselines(task, X, seed=0):
    from child_recipe_levers import view_baselines
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    tr, te = task.train_index_, task.test_index_
    models = view_baselines(seed)
    if not task.is_text:
        models["HistGradientBoosting"] = make_pipeline(
            StandardScaler(), HistGradientBoostingClassifier(random_state=seed)
        )
    return {
        name: float(model.fit(X[tr], task.y[tr]).score(X[te], task.y[te]))
        for name, model in models.items()
    }


def search_winners(records, k, n_draws, seed=0):
    """Indices of the best-by-validation child of each of ``n_draws`` draws of k."""
    rng = np.random.RandomState(seed)
    val = np.array([r["val_accuracy"] for r in records])
    winners = []
    for _ in range(n_draws):
        idx = rng.choice(len(records), size=min(k, len(records)), replace=False)
        winners.append(int(idx[np.argmax(val[idx])]))
    return winners


def random_search(records, k, n_draws=50, seed=0):
    """Mean test accuracy of the best-by-validation of k stored children."""
    test = np.array([r["test_accuracy"] for r in records])
    return float(np.mean(test[search_winners(records, k, n_draws, seed)]))


def random_search_refitted(collection, task, records, k, n_draws=10, seed=0):
    """Random search best-of-k whose winner is retrained by the default recipe.

    The stored children trained without the refit (POPULATION_SETTINGS);
    a user's random search would train its winner with the default recipe
    (for the kind of data: no dropout on numeric data),
    refit included. The same draws as :func:`random_search` (its first
    ``n_draws``); each distinct winner is retrained once, with its stored
    seed, and scored on the test split.
    """
    from skfti import ArchitectureEncoding
    from skfti.population import task_data, train_on_task

    winners = search_winners(records, k, n_draws, seed)
    data = task_data(task, collection.space)
    test = {}
    for i in sorted(set(winners)):
        encoding = ArchitectureEncoding.from_vector(
            collection.space, np.asarray(records[i]["encoding"])
        )
        result = train_on_task(
            data, encoding, records[i]["seed"], user_recipe(task.is_text)
        )
        test[i] = result["test_accuracy"]
    return float(np.mean([test[i] for i in winners]))


def suggested_children(
    model, task, discretize, n_jobs, seed=0, first_only=False, ensemble_size=5
):
    """Validation and test accuracies of ours, as a user would run them.

    ``InferredArchitectureClassifier`` with ``combine="best"`` over 3
    candidates (its first candidate is "1 child"; the mean of its 3,
    which share one hold-out, is "ensemble-3, shared seed") and with
    ``combine="ensemble"`` over 5 (members with their own seeds; its first
    3 are "ensemble-3"), or over ``ensemble_size`` members, whose first 5
    are the same and whose first 7 and 10 give "ensemble-7" and "-10".
    Validation accuracy is on the task's validation split, which chose
    nothing here. With ``first_only``, only the first
    suggestion trains (the same child as "1 child").
    """
    from skfti import InferredArchitectureClassifier

    def fit(n, combine):
        return InferredArchitectureClassifier(
            model,
            n_candidates=n,
            combine=combine,
            discretize=discretize,
            n_jobs=n_jobs,
            random_state=seed,
        ).fit(task.X_train, task.y_train)

    def rows(X):
        return list(X) if task.is_text else X

    out = {}
    if first_only:
        first = fit(1, "best")
        for split, X, y in [
            ("val", task.X_val, task.y_val),
            ("ours", task.X_test, task.y_test),
        ]:
            out[f"{split} (1 child)"] = float(first.score(rows(X), y))
        out["encoding"] = first.encodings_[0].describe()
        return out
    best, ensemble = fit(3, "best"), fit(max(5, ensemble_size), "ensemble")
    for split, X, y in [
        ("val", task.X_val, task.y_val),
        ("test", task.X_test, task.y_test),
    ]:
        X = rows(X)
        shared = [e.predict_proba(X) for e in best.estimators_]
        own = [e.predict_proba(X) for e in ensemble.estimators_]
        classes = best.classes_

        def acc(probas, y=y, classes=classes):
            return float(np.mean(classes[np.mean(probas, 0).argmax(1)] == y))

        tag = "ours" if split == "test" else "val"
        out[f"{tag} (1 child)"] = acc(shared[:1])
        out[f"{tag} best-of-3"] = acc(shared[best.best_index_ : best.best_index_ + 1])
        out[f"{tag} ensemble-3, shared seed"] = acc(shared)
        out[f"{tag} ensemble-3"] = acc(own[:3])
        out[f"{tag} ensemble-5"] = acc(own[:5])
        for k in (7, 10):
            if k <= len(own):
                out[f"{tag} ensemble-{k}"] = acc(own[:k])
    out["encoding"] = best.encodings_[0].describe()
    return out


def evaluate_children(
    collection, tasks, experiments, store, params, args, first_only=False
):
    records = [
        r
        for r in store.to_records()
        if r["status"] == "ok"
        and r["settings"] == POPULATION_SETTINGS[collection.family]
    ]
    modes = (True, False) if args.relaxed else (True,)
    group_of = collection.group_of
    rows = []
    for group in sorted({group_of(t) for t in tasks}):
        model = collection.fitted_without(group, tasks, experiments, params)
        for task in (t for t in tasks if group_of(t) == group):
            start = time.perf_counter()
            row = {"task": task.name, "family": group}
            for discretize in modes:
                tag = "discrete" if discretize else "relaxed"
                result = suggested_children(
                    model,
                    task,
                    discretize,
                    args.n_jobs,
                    args.seed,
                    first_only,
                    args.ensemble_size,
                )
                row.update({f"{k} [{tag}]": v for k, v in result.items()})
            if first_only:
                rows.append(row)
                continue
            row.update(baselines(task, collection.features(task), args.seed))
            mine = [r for r in records if r["task"] == task.name]
            for k in (3, 5, 30):
                row[f"random best-of-{k}"] = random_search(mine, k)
            if args.refit_draws:
                row["random best-of-30, refitted"] = random_search_refitted(
                    collection, task, mine, 30, n_draws=args.refit_draws
                )
            row["population median"] = float(
                np.median([r["test_accuracy"] for r in mine])
            )
            rows.append(row)
            print(
                json.dumps({k: v for k, v in row.items() if "val" not in k}),
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    return rows
