import os

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfti import ArchitectureInferrer, InferredArchitectureClassifier
from skfti._tf import single_thread_env

CHILD = {"epochs": 10, "random_state": 0}  # fewer epochs, defaults otherwise


@pytest.fixture(scope="module")
def inferrer(task_family_population):
    tasks, experiments, space = task_family_population
    return ArchitectureInferrer(search_space=space, n_steps=1000, random_state=0).fit(
        tasks[1:], experiments[1:]
    )


def test_defaults_average_the_five_favourites(inferrer, task_family_population):
    task = task_family_population[0][0]
    clf = InferredArchitectureClassifier(inferrer, **CHILD)
    clf.fit(task.X_train, task.y_train)
    assert clf.encodings_ == inferrer.suggest(
        task.X_train, task.y_train, n_suggestions=5, discretize=True
    )
    assert len(clf.estimators_) == 5
    members = [e.predict_proba(task.X_test) for e in clf.estimators_]
    np.testing.assert_allclose(
        clf.predict_proba(task.X_test), np.mean(members, axis=0), atol=1e-6
    )


def test_fit_trains_the_suggested_architecture(inferrer, task_family_population):
    task = task_family_population[0][0]
    clf = InferredArchitectureClassifier(inferrer, n_candidates=1, **CHILD)
    clf.fit(task.X_train, task.y_train)
    encoding, value = inferrer.suggest(
        task.X_train, task.y_train, discretize=True, return_values=True
    )
    assert clf.encoding_ == encoding and clf.encodings_ == [encoding]
    assert clf.predicted_value_ == pytest.approx(value)
    assert clf.estimator_.encoding_ == clf.encoding_
    np.testing.assert_array_equal(clf.classes_, np.unique(task.y_train))
    labels, counts = np.unique(task.y_train, return_counts=True)
    majority = np.mean(task.y_test == labels[counts.argmax()])
    assert clf.score(task.X_test, task.y_test) > majority


def test_discrete_by_default_relaxed_on_request(inferrer, task_family_population):
    task = task_family_population[0][0]
    clf = InferredArchitectureClassifier(inferrer, n_candidates=1, **CHILD)
    assert clf.fit(task.X_train, task.y_train).encoding_.is_discrete
    assert clf.encoding_ == inferrer.suggest(task.X_train, task.y_train)
    relaxed = InferredArchitectureClassifier(
        inferrer, n_candidates=1, discretize=False, **CHILD
    )
    relaxed.fit(task.X_train, task.y_train)
    assert not relaxed.encoding_.is_discrete
    assert relaxed.encoding_ == inferrer.suggest(
        task.X_train, task.y_train, discretize=False
    )


@pytest.mark.parametrize("combine", ["best", "ensemble"])
def test_top_candidates_trained_in_parallel(inferrer, task_family_population, combine):
    task = task_family_population[0][0]
    # n_jobs=None, the default, follows joblib.parallel_config
    parallel = {"n_jobs": 2} if combine == "best" else {}
    threads = {k: os.environ.get(k) for k in single_thread_env()}
    with joblib.parallel_config(n_jobs=2):
        clf = InferredArchitectureClassifier(
            inferrer, n_candidates=3, combine=combine, **parallel, **CHILD
        ).fit(task.X_train, task.y_train)
    assert {k: os.environ.get(k) for k in threads} == threads  # only workers'
    encodings = inferrer.suggest(
        task.X_train, task.y_train, n_suggestions=3, discretize=True
    )
    assert clf.encodings_ == encodings
    assert len({tuple(np.round(e.to_vector(), 6)) for e in encodings}) == 3
    assert [e.encoding_ for e in clf.estimators_] == encodings
    assert clf.predicted_values_.shape == clf.validation_scores_.shape == (3,)
    assert np.all(np.diff(clf.predicted_values_) <= 0)  # best predicted first
    assert np.all((clf.validation_scores_ >= 0) & (clf.validation_scores_ <= 1))
    proba = clf.predict_proba(task.X_test)
    members = [e.predict_proba(task.X_test) for e in clf.estimators_]
    if combine == "ensemble":
        np.testing.assert_allclose(proba, np.mean(members, axis=0))
    else:
        best = clf.best_index_
        assert clf.validation_scores_[best] == clf.validation_scores_.max()
        np.testing.assert_allclose(proba, members[best])
        assert clf.estimator_ is clf.estimators_[best]
    # n_jobs does not change the result
    serial = InferredArchitectureClassifier(
        inferrer, n_candidates=3, combine=combine, **CHILD
    ).fit(task.X_train, task.y_train)
    np.testing.assert_allclose(serial.predict_proba(task.X_test), proba, atol=1e-6)


def test_ensemble_members_have_their_own_seeds(inferrer, task_family_population):
    task = task_family_population[0][0]
    kwargs = {"n_candidates": 3, **CHILD}
    best = InferredArchitectureClassifier(inferrer, combine="best", **kwargs)
    ensemble = InferredArchitectureClassifier(inferrer, combine="ensemble", **kwargs)
    best.fit(task.X_train, task.y_train)
    ensemble.fit(task.X_train, task.y_train)
    seeds = [e.random_state for e in ensemble.estimators_]
    assert len(set(seeds)) == 3  # each its own hold-out and initialization
    assert len({e.random_state for e in best.estimators_}) == 1  # shared
    assert seeds[0] == best.estimators_[0].random_state
    np.testing.assert_allclose(
        ensemble.estimators_[0].predict_proba(task.X_test),
        best.estimators_[0].predict_proba(task.X_test),
        atol=1e-6,
    )


def test_pickle_round_trip_of_an_ensemble(inferrer, task_family_population):
    import pickle

    task = task_family_population[0][0]
    clf = InferredArchitectureClassifier(
        inferrer, n_candidates=2, combine="ensemble", **CHILD
    ).fit(task.X_train, task.y_train)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        again.predict_proba(task.X_test), clf.predict_proba(task.X_test)
    )


def test_last_step_of_a_pipeline_with_cross_validation(
    inferrer, task_family_population
):
    task = task_family_population[0][0]
    pipe = make_pipeline(
        StandardScaler(),
        InferredArchitectureClassifier(FrozenEstimator(inferrer), **CHILD),
    )
    scores = cross_val_score(pipe, task.X_train, task.y_train, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0)


def test_unfitted_inferrer_and_bad_input(inferrer, task_family_population):
    task = task_family_population[0][0]
    with pytest.raises(NotFittedError, match="FrozenEstimator"):
        InferredArchitectureClassifier(ArchitectureInferrer()).fit(
            task.X_train, task.y_train
        )
    clf = InferredArchitectureClassifier(inferrer, **CHILD)
    with pytest.raises(ValueError, match="different feature space"):
        clf.fit(task.X_train[:, :5], task.y_train)
    with pytest.raises(ValueError, match="single class"):
        clf.fit(task.X_train, np.zeros(len(task.y_train)))
    X = task.X_train.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="InferredArchitectureClassifier does not"):
        clf.fit(X, task.y_train)  # named as itself, not as its children
    fitted = clf.set_params(n_candidates=1).fit(task.X_train, task.y_train)
    with pytest.raises(ValueError, match="but InferredArchitectureClassifier is exp"):
        fitted.predict(task.X_train[:3, :4])
    texts = ["a cat", "a dog", "an oak", "a pine"] * 5
    with pytest.raises(ValueError, match="X holds texts, but the inferrer's"):
        clf.fit(texts, [0, 0, 1, 1] * 5)


def test_numbers_for_a_text_inferrer_are_named():
    import skfti.pretrained

    clf = InferredArchitectureClassifier(skfti.pretrained.load("text-v1"))
    with pytest.raises(ValueError, match="X is not a list of texts, but the"):
        clf.fit(np.zeros((20, 818)), [0, 1] * 10)


def test_a_model_name_by_default_survives_clone(task_family_population):
    """inferrer="auto" (the default) loads the shipped model for the kind of
    X at fit: cross_val_score needs no FrozenEstimator, and a name gives the
    same suggestions as the loaded model."""
    from sklearn.base import clone

    import skfti.pretrained

    task = task_family_population[0][0]
    X, y = task.X_train[:120], task.y_train[:120]
    auto = InferredArchitectureClassifier(n_candidates=2, **CHILD)
    assert clone(auto).get_params()["inferrer"] == "auto"
    scores = cross_val_score(auto, X, y, cv=2)
    assert scores.shape == (2,) and np.all(scores > 0)
    fitted = clone(auto).fit(X, y)
    loaded = skfti.pretrained.load(skfti.pretrained.DEFAULT_MODELS["numeric"])
    assert fitted.encodings_ == loaded.suggest(X, y, n_suggestions=2)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    with pytest.warns(UserWarning, match="feature names") as record:
        fitted.predict(frame)  # fitted without names: one warning, not three
    named_warnings = [w for w in record if "feature names" in str(w.message)]
    assert len(named_warnings) == 1
    assert "InferredArchitectureClassifier was fitted" in str(named_warnings[0].message)
    named = InferredArchitectureClassifier("tabular-v1", n_candidates=2, **CHILD)
    assert named.fit(X, y).encodings_ == fitted.encodings_
    with pytest.raises(ValueError, match="No pretrained model named 'nope'"):
        InferredArchitectureClassifier("nope").fit(X, y)
    texts = pd.DataFrame({"text": [f"text {i}" for i in range(len(y))]})
    for table in (texts, texts.to_numpy()):
        with pytest.raises(ValueError, match="one column of texts .* df\\['text'\\]"):
            InferredArchitectureClassifier().fit(table, y)


def test_text_tasks_end_to_end(tmp_path, monkeypatch):
    """Population, value network and suggestion on raw text (WordNet glosses)."""
    from skfti import ExperimentStore, SearchSpace, generate_population
    from skfti.datasets import MissingDataSourceError, load_wordnet_tasks

    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path / "cache"))
    try:
        tasks = load_wordnet_tasks(3, n_classes=3, n_samples_per_class=40)
    except MissingDataSourceError as exc:
        pytest.skip(str(exc))
    space = SearchSpace(n_layers=2, widths=(16, 64), views=("glove50", "hashed64"))
    store = tmp_path / "text.sqlite"
    generate_population(
        tasks, 4, store=store, search_space=space, epochs=2, random_state=0
    )
    experiments = ExperimentStore(store).experiments(tasks[1:])
    inferrer = ArchitectureInferrer(
        search_space=space, n_steps=100, max_iter=50, random_state=0
    ).fit(tasks[1:], experiments)
    task = tasks[0]
    clf = InferredArchitectureClassifier(inferrer, **CHILD)
    clf.fit(task.X_train, task.y_train)  # an object array of str
    assert clf.encoding_.search_space == space
    assert clf.predict(task.X_test).shape == task.y_test.shape
    assert set(clf.predict(list(task.X_test))) <= set(task.y)


def test_candidates_read_texts_embedded_once_for_them(tmp_path, monkeypatch):
    """fit embeds the texts once, on every core, before the candidates train:
    with an empty cache no candidate loads a model of its own (each used to
    load MiniLM, USE and GloVe, the first of them to embed every text again
    on one thread)."""
    from skfti.embeddings import ConcatenatedEmbedding
    from skfti.embeddings._registry import _MODULES

    for _, import_names, _ in _MODULES.values():
        for name in import_names:
            pytest.importorskip(name)
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path))
    texts = [
        f"a short text number {i} about {('cats', 'cars', 'cups')[i % 3]}"
        for i in range(60)
    ]
    labels = [i % 3 for i in range(60)]
    clf = InferredArchitectureClassifier("text-v2", n_candidates=2, **CHILD)
    clf.fit(texts, labels)
    for member in clf.estimators_:
        parts = [
            p
            for m in member.embedding_modules
            for p in (m.modules if isinstance(m, ConcatenatedEmbedding) else [m])
        ]
        loaded = [
            p.name for p in parts if getattr(p, "_model", getattr(p, "_encoder", None))
        ]
        assert loaded == []
        assert all(getattr(p, "vectors", None) is None for p in parts)
    assert clf.score(texts, labels) > 1 / 3
