import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfti import ArchitectureInferrer, InferredArchitectureClassifier

CHILD = {"epochs": 10, "learning_rate": 1e-2, "random_state": 0}


@pytest.fixture(scope="module")
def inferrer(task_family_population):
    tasks, experiments, space = task_family_population
    return ArchitectureInferrer(
        search_space=space,
        optimizer="sgd",
        learning_rate=1e-2,
        n_steps=1000,
        random_state=0,
    ).fit(tasks[1:], experiments[1:])


def test_fit_trains_the_suggested_architecture(inferrer, task_family_population):
    task = task_family_population[0][0]
    clf = InferredArchitectureClassifier(inferrer, **CHILD)
    clf.fit(task.X_train, task.y_train)
    suggestion = inferrer.suggest(task.X_train, task.y_train)
    assert clf.encoding_ == suggestion.encoding
    assert clf.predicted_value_ == pytest.approx(suggestion.predicted_value)
    assert clf.estimator_.encoding_ == clf.encoding_
    np.testing.assert_array_equal(clf.classes_, np.unique(task.y_train))
    labels, counts = np.unique(task.y_train, return_counts=True)
    majority = np.mean(task.y_test == labels[counts.argmax()])
    assert clf.score(task.X_test, task.y_test) > majority


def test_discretize_trains_a_discrete_child(inferrer, task_family_population):
    task = task_family_population[0][0]
    clf = InferredArchitectureClassifier(inferrer, discretize=True, **CHILD)
    assert clf.fit(task.X_train, task.y_train).encoding_.is_discrete


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
        tasks,
        4,
        store=store,
        search_space=space,
        epochs=2,
        learning_rate=1e-2,
        random_state=0,
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
