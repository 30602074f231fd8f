import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from fresh_process import run_python
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, LeaveOneOut
from sklearn.preprocessing import StandardScaler

from skfti import (
    ArchitectureEncoding,
    ArchitectureInferrer,
    RelaxedFFNNClassifier,
    SearchSpace,
)
from skfti._inferrer_calibration import fit_value_scale
from skfti._inferrer_search import canonical_rows

# Default parameters, fewer steps than the default 5000.
QUICK = {"n_steps": 2000}


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


def test_leave_one_task_out_ranks_unseen_tasks(task_family_population):
    """The paper's Table 2 protocol on synthetic tasks, with default parameters.

    Measured: mean Spearman 0.228 with learned meta-features, 0.241 without
    (0.351 for learned before features were standardized within each task:
    the unit-free task view costs ranking on this family).
    """
    tasks, experiments, space = task_family_population
    learned = leave_one_task_out(tasks, experiments, space, **QUICK)
    assert learned.mean() > 0.15, learned
    assert np.sum(learned > 0) >= 8, learned


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
    X, y = task.X_train, task.y_train
    space = fitted.search_space_
    best, value = fitted.suggest(X, y, discretize=False, return_values=True)
    assert isinstance(best, ArchitectureEncoding) and best.search_space == space
    assert not best.is_discrete
    assert isinstance(value, float)
    assert value == pytest.approx(fitted.predict(task, [best])[0], abs=1e-9)
    uniform = fitted.predict(task, [ArchitectureEncoding.uniform(space)])[0]
    assert value > uniform  # the uniform encoding is one start
    assert fitted.suggest(X, y, discretize=False) == best


def test_suggest_top_k_is_distinct_and_ranked(fitted, task_family_population):
    task = task_family_population[0][0]
    X, y = task.X_train, task.y_train
    ranked, values = fitted.suggest(
        X, y, n_suggestions=4, discretize=False, return_values=True
    )
    assert isinstance(ranked, list) and len(ranked) == 4 and values.shape == (4,)
    assert list(values) == sorted(values, reverse=True)
    assert ranked[0] == fitted.suggest(X, y, discretize=False)
    vectors = np.array([e.to_vector() for e in ranked])
    gaps = np.abs(vectors[:, None] - vectors[None]).max(-1)
    assert np.all(gaps[~np.eye(4, dtype=bool)] > 1e-3)
    # more suggestions than starting points: more starts are drawn
    many = fitted.suggest(X, y, n_suggestions=12, discretize=True)
    assert len(many) == 12 and all(e.is_discrete for e in many)
    assert len({e.describe() for e in many}) == 12  # distinct as networks
    discrete, value = fitted.suggest(X, y, return_values=True)
    assert discrete.is_discrete and discrete == many[0]  # discrete by default
    assert value == pytest.approx(fitted.predict(task, [discrete])[0], abs=1e-9)
    with pytest.raises(ValueError, match="n_suggestions"):
        fitted.suggest(X, y, n_suggestions=0)
    with pytest.raises(ValueError, match="holds only"):
        fitted.suggest(X, y, n_suggestions=10**9, discretize=True)


def test_suggestion_trains_as_the_card_reads(fitted, task_family_population):
    task = task_family_population[0][0]
    encoding = fitted.suggest(task.X_train, task.y_train)
    clf = RelaxedFFNNClassifier(encoding=encoding, epochs=2, random_state=0)
    clf.fit(task.X_train, task.y_train)
    assert clf.score(task.X_test, task.y_test) > 0


def test_suggestion_does_not_depend_on_units(task_family_population):
    tasks, experiments, space = task_family_population
    X, y = tasks[0].X_train, tasks[0].y_train
    rng = np.random.RandomState(0)
    affine = X * rng.uniform(0.01, 100.0, X.shape[1]) + rng.normal(0, 50, X.shape[1])
    for meta_features in ("learned", "both"):
        inferrer = ArchitectureInferrer(
            search_space=space, meta_features=meta_features, n_steps=300, random_state=0
        ).fit(tasks[1:], experiments[1:])
        u, v = inferrer.suggest(X, y, discretize=False, return_values=True)
        for X_other in (StandardScaler().fit_transform(X), affine):
            u2, v2 = inferrer.suggest(X_other, y, discretize=False, return_values=True)
            np.testing.assert_allclose(u2.to_vector(), u.to_vector(), atol=1e-6)
            assert v2 == pytest.approx(v, abs=1e-6)


def test_pickled_inferrer_suggests_without_tensorflow(fitted, tmp_path):
    path = tmp_path / "inferrer.pkl"
    path.write_bytes(pickle.dumps(fitted))
    code = (
        "import pickle, sys\n"
        "from skfti.datasets import make_task_family\n"
        f"inferrer = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "task = make_task_family(1, n_samples=400, n_features=32, random_state=1)[0]\n"
        "u = inferrer.suggest(task.X_train, task.y_train, n_suggestions=2)\n"
        "inferrer.predict((task.X_train, task.y_train), u)\n"
        "inferrer.task_embedding(task.X_train, task.y_train)\n"
        "print(len(u), 'tensorflow' in sys.modules)\n"
    )
    out = run_python(code)
    assert out.stdout.split() == ["2", "False"], out.stderr


def test_pickle_round_trip_gives_the_same_suggestion(fitted, task_family_population):
    task = task_family_population[0][0]
    expected, value = fitted.suggest(task.X_train, task.y_train, return_values=True)
    loaded = pickle.loads(pickle.dumps(fitted))
    got, got_value = loaded.suggest(task.X_train, task.y_train, return_values=True)
    assert got == expected and got_value == value


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
    encoding = inferrer.suggest(tasks[0].X_train, tasks[0].y_train)
    assert encoding.search_space == space


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
    for name, units, message in [
        ("phi_units", (50,), "phi_units must be 2 positive layer widths, got"),
        ("phi_units", (50, 0), "phi_units must be 2"),
        ("rho_units", (0,), r"rho_units must be one or more positive .* \(0,\)"),
        ("rho_units", (), "rho_units must be one or more"),
    ]:
        with pytest.raises(ValueError, match=message):
            clone(fresh).set_params(**{name: units}).fit(tasks, experiments)
    with pytest.raises(ValueError, match="different feature space"):
        fitted.suggest(tasks[0].X_train[:, :10], tasks[0].y_train)
    with pytest.raises(ValueError, match="single class"):
        fitted.suggest(tasks[0].X_train, np.zeros(len(tasks[0].y_train)))
    X, y = tasks[0].X_train, tasks[0].y_train
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        fitted.suggest(X, X[:, 0])
    for missing in (None, np.nan, np.float32("nan"), pd.NA):
        labels = np.array([missing, *y[1:]], dtype=object)
        with pytest.raises(ValueError, match="y has 1 missing labels"):
            fitted.suggest(X, labels)
    with pytest.raises(ValueError, match="NaN"):
        X = tasks[0].X_train.copy()
        X[0, 0] = np.nan
        fitted.suggest(X, tasks[0].y_train)
    with pytest.raises(NotFittedError):
        ArchitectureInferrer().suggest(tasks[0].X_train, tasks[0].y_train)
    with pytest.raises(ValueError, match="0 samples"):
        fitted.suggest(np.zeros((0, 32)), np.zeros(0))
    with pytest.raises(ValueError, match="[Dd]ense data is required"):
        fitted.suggest(sparse.csr_matrix(tasks[0].X_train), tasks[0].y_train)
    texts = [None] + ["a text"] * 9
    with pytest.raises(ValueError, match="entry 0 is None"):
        fitted.suggest(texts, [0, 1] * 5)
    with pytest.raises(ValueError, match="X holds texts, but the search space is"):
        fitted.suggest(["a text"] * 10, [0, 1] * 5)  # a numeric inferrer
    negative = ArchitectureEncoding.uniform(space).to_vector()
    negative[: space.n_base] = 0.0
    negative[:2] = [1.5, -0.5]  # the group sums to 1, but holds a negative weight
    with pytest.raises(ValueError, match="negative weight"):
        fitted.predict(tasks[0], [negative])


def test_equal_scores_warn_and_score_nan(task_family_population):
    tasks, experiments, space = task_family_population
    flat = [(u, np.full(len(s), 0.5)) for u, s in experiments[:3]]
    inferrer = ArchitectureInferrer(search_space=space, n_steps=20, random_state=0)
    with pytest.warns(UserWarning, match="equal scores"):
        inferrer.fit(tasks[:3], flat)
    assert np.isnan(inferrer.score(tasks[:1], flat[:1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # real scores: no warning
        inferrer.fit(tasks[:3], experiments[:3])


def test_predictions_are_in_units_of_normalized_accuracy(
    fitted, task_family_population
):
    """The ranking loss's scores are mapped to ``(accuracy - mu) / sigma``."""
    tasks, experiments, space = task_family_population
    assert fitted.value_scale_ > 0
    assert fitted.reference_encodings_.shape == (
        min(1000, sum(len(u) for u, _ in experiments[1:])),
        space.n_dims,
    )
    # On the training tasks the normalized accuracies regress on the
    # predictions (within each task, pooled) with slope 1 ...
    num = den = 0.0
    for task, (U, scores) in zip(tasks[1:], experiments[1:], strict=True):
        predicted = fitted.predict(task, U)
        centred = predicted - predicted.mean()
        num += centred @ ((scores - scores.mean()) / scores.std())
        den += centred @ centred
    assert num / den == pytest.approx(1.0, rel=1e-6)
    # ... and a task's zero is its mean prediction of random architectures.
    task = tasks[0]
    zero = fitted.predict(task, fitted.reference_encodings_).mean()
    assert zero == pytest.approx(0.0, abs=1e-6)
    # The map is increasing: the order is the network's own.
    U = experiments[0][0]
    raw = fitted._numpy_network().value(
        canonical_rows(U, space), fitted._z((task.X_train, task.y_train))
    )
    scaled = fitted.predict(task, U)[np.argsort(raw, kind="stable")]
    assert np.all(np.diff(scaled) >= -1e-9)


def test_mse_networks_predict_normalized_accuracy_themselves(task_family_population):
    tasks, experiments, space = task_family_population
    inferrer = ArchitectureInferrer(
        search_space=space, loss="mse", n_steps=50, random_state=0
    ).fit(tasks[1:], experiments[1:])
    assert inferrer.value_scale_ is None and inferrer.reference_encodings_ is None
    task, U = tasks[0], experiments[0][0]
    raw = inferrer._numpy_network().value(
        canonical_rows(U, space), inferrer._z((task.X_train, task.y_train))
    )
    np.testing.assert_array_equal(inferrer.predict(task, U), raw)


def test_scores_that_do_not_rise_with_accuracy_are_left_raw():
    with pytest.warns(UserWarning, match="left as raw scores"):
        scale, reference = fit_value_scale(
            [np.array([1.0, 2.0, 3.0])],
            [np.array([1.0, 0.0, -1.0])],
            [np.eye(3)],
            np.random.RandomState(0),
        )
    assert scale is None and reference is None


def test_the_equal_scores_warning_points_at_the_callers_line():
    from skfti.datasets import make_task_family

    tasks = make_task_family(2, n_samples=60, n_features=8, random_state=0)
    space = SearchSpace(n_layers=2, widths=(8, 16))
    U = [ArchitectureEncoding.random_one_hot(space, i).to_vector() for i in range(4)]
    inferrer = ArchitectureInferrer(search_space=space, n_steps=5, random_state=0)
    with pytest.warns(UserWarning, match="equal scores") as record:
        inferrer.fit(tasks, [(U, np.full(4, 0.5))] * 2)
    assert [w.filename for w in record] == [__file__]
