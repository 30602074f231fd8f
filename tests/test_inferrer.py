import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, LeaveOneOut

from skfti import ArchitectureEncoding, ArchitectureInferrer, SearchSpace

# The paper's optimizer (SGD, momentum 0.5) with a step size that converges in
# the few steps a test affords.
QUICK = {"optimizer": "sgd", "learning_rate": 1e-2, "n_steps": 2000}


def leave_one_task_out(tasks, experiments, space, **params):
    scores = []
    for k in range(len(tasks)):
        train = [i for i in range(len(tasks)) if i != k]
        inferrer = ArchitectureInferrer(search_space=space, random_state=0, **params)
        inferrer.fit([tasks[i] for i in train], [experiments[i] for i in train])
        scores.append(inferrer.score([tasks[k]], [experiments[k]]))
    return np.array(scores)


@pytest.fixture(scope="module")
def fitted(task_family_population):
    tasks, experiments, space = task_family_population
    inferrer = ArchitectureInferrer(search_space=space, random_state=0, **QUICK)
    return inferrer.fit(tasks[1:], experiments[1:])


def test_leave_one_task_out_beats_no_meta_features(task_family_population):
    """The paper's Tables 2 vs 'without meta-features', on synthetic tasks."""
    tasks, experiments, space = task_family_population
    learned = leave_one_task_out(tasks, experiments, space, **QUICK)
    none = leave_one_task_out(tasks, experiments, space, meta_features="none", **QUICK)
    assert learned.mean() > 0.25, learned
    assert learned.mean() > none.mean(), (learned.mean(), none.mean())


def test_grid_search_over_tasks_is_leave_one_task_out(task_family_population):
    tasks, experiments, space = task_family_population
    grid = GridSearchCV(
        ArchitectureInferrer(search_space=space, random_state=0, n_steps=300),
        {"meta_features": ["learned", "none"]},
        cv=LeaveOneOut(),
        n_jobs=2,
    )
    grid.fit(tasks[:4], experiments[:4])
    assert grid.cv_results_["split3_test_score"].shape == (2,)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_params_["meta_features"] in ("learned", "none")


def test_task_embedding_is_invariant(fitted, task_family_population):
    task = task_family_population[0][0]
    X, y = task.X_train, task.y_train
    z = fitted.task_embedding(X, y)
    order = np.random.RandomState(0).permutation(len(y))
    np.testing.assert_allclose(fitted.task_embedding(X[order], y[order]), z, atol=1e-5)
    renamed = np.array(["c", "a", "d", "b", "e"])[y]  # other names, other order
    np.testing.assert_allclose(fitted.task_embedding(X, renamed), z, atol=1e-5)
    assert not np.allclose(fitted.task_embedding(X, np.roll(y, 1)), z, atol=1e-3)


def test_predict_evaluate_and_score(fitted, task_family_population):
    tasks, experiments, _ = task_family_population
    encodings, scores = experiments[0]
    values = fitted.predict(tasks[0], encodings)
    assert values.shape == scores.shape and np.all(np.isfinite(values))
    report = fitted.evaluate(tasks[:2], experiments[:2])
    assert report["task"] == [tasks[0].name, tasks[1].name]
    assert report["spearman"].shape == (2,) and report["r2"].shape == (2,)
    assert isinstance(fitted.score(tasks[:1], experiments[:1]), float)
    assert len(fitted.loss_curve_) == 10  # 2000 steps in chunks of 200


def test_suggest_ascends_and_is_deterministic(fitted, task_family_population):
    task = task_family_population[0][0]
    space = fitted.search_space_
    best = fitted.suggest(task.X_train, task.y_train)
    assert best.encoding.search_space == space
    uniform = fitted.predict(task, [ArchitectureEncoding.uniform(space)])[0]
    assert best.predicted_value > uniform  # the uniform encoding is one start
    again = fitted.suggest(task.X_train, task.y_train)
    assert again.encoding == best.encoding
    ranked = fitted.suggest(task.X_train, task.y_train, return_all=True)
    values = [s.predicted_value for s in ranked]
    assert len(ranked) == 10 and values == sorted(values, reverse=True)
    assert ranked[0].encoding == best.encoding
    discrete = fitted.suggest(task.X_train, task.y_train, discretize=True)
    assert discrete.encoding.is_discrete
    assert discrete.predicted_value == pytest.approx(
        fitted.predict(task, [discrete.encoding])[0], abs=1e-5
    )


def test_pickle_round_trip_gives_the_same_suggestion(fitted, task_family_population):
    task = task_family_population[0][0]
    expected = fitted.suggest(task.X_train, task.y_train)
    loaded = pickle.loads(pickle.dumps(fitted))
    got = loaded.suggest(task.X_train, task.y_train)
    assert got.encoding == expected.encoding
    assert got.predicted_value == pytest.approx(expected.predicted_value, abs=1e-6)


@pytest.mark.parametrize("meta_features", ["precomputed", "both", "none"])
def test_other_meta_features_and_the_ranking_loss(
    task_family_population, meta_features
):
    tasks, experiments, space = task_family_population
    inferrer = ArchitectureInferrer(
        search_space=space,
        meta_features=meta_features,
        loss="ranking",
        n_steps=200,
        random_state=0,
    ).fit(tasks[1:], experiments[1:])
    assert np.isfinite(inferrer.score(tasks[:1], experiments[:1]))
    assert inferrer.suggest(tasks[0].X_train, tasks[0].y_train).encoding is not None


# -- bad input ------------------------------------------------------------------


def test_bad_input_is_named(fitted, task_family_population):
    tasks, experiments, space = task_family_population
    fresh = ArchitectureInferrer(search_space=space, n_steps=10)
    with pytest.raises(ValueError, match="aligned"):
        fresh.fit(tasks, experiments[:-1])
    with pytest.raises(ValueError, match="no experiments"):
        fresh.fit(tasks[:2], [experiments[0], (np.zeros((0, space.n_dims)), [])])
    other = SearchSpace(n_layers=2)
    foreign = [
        (
            np.array([ArchitectureEncoding.uniform(other).to_vector()] * 3),
            [0.1, 0.2, 0.3],
        )
    ]
    with pytest.raises(ValueError, match="another search space"):
        fresh.fit(tasks[:1], foreign)
    with pytest.raises(ValueError, match="different feature space"):
        fitted.suggest(tasks[0].X_train[:, :10], tasks[0].y_train)
    with pytest.raises(ValueError, match="single class"):
        fitted.suggest(tasks[0].X_train, np.zeros(len(tasks[0].y_train)))
    with pytest.raises(ValueError, match="NaN"):
        X = tasks[0].X_train.copy()
        X[0, 0] = np.nan
        fitted.suggest(X, tasks[0].y_train)
    with pytest.raises(NotFittedError):
        ArchitectureInferrer().suggest(tasks[0].X_train, tasks[0].y_train)
