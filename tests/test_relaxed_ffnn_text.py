"""RelaxedFFNNClassifier on raw text, soft-selecting embedding modules."""

import numpy as np
import pytest

from skfti import ArchitectureEncoding, RelaxedFFNNClassifier, SearchSpace
from skfti.datasets import MissingDataSourceError, load_wordnet_tasks
from skfti.embeddings import get_embedding_module


@pytest.fixture(scope="module")
def wordnet_task():
    try:
        tasks = load_wordnet_tasks(n_tasks=1, n_classes=4, n_samples_per_class=150)
    except MissingDataSourceError as exc:
        pytest.skip(str(exc))
    return tasks[0]


@pytest.fixture
def modules():
    try:
        return [get_embedding_module(n) for n in ("glove50", "use512", "hashed256")]
    except ImportError as exc:
        pytest.skip(str(exc))


def test_text_child_beats_the_majority_and_hits_the_cache(
    wordnet_task, modules, tmp_path, monkeypatch
):
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path))
    task = wordnet_task
    space = SearchSpace(n_layers=2, views=[m.name for m in modules])
    clf = RelaxedFFNNClassifier(
        search_space=space,  # the uniform encoding: all three modules mixed
        embedding_modules=modules,
        epochs=20,
        learning_rate=1e-3,
        random_state=0,
    )
    clf.fit(task.X_train, task.y_train, validation_data=(task.X_val, task.y_val))
    labels, counts = np.unique(task.y_train, return_counts=True)
    majority = np.mean(task.y_test == labels[counts.argmax()])
    accuracy = clf.score(task.X_test, task.y_test)
    assert accuracy > majority + 0.2, (accuracy, majority)
    assert len(list(tmp_path.rglob("*.npy"))) == 3 * 3  # 3 modules x train/val/test

    def no_embedding(texts):
        raise AssertionError("embedded again: the cache missed")

    for module in modules:
        monkeypatch.setattr(module, "embed", no_embedding)
    clf.fit(task.X_train, task.y_train, validation_data=(task.X_val, task.y_val))
    assert clf.score(task.X_test, task.y_test) == accuracy  # same seed, same child


def test_unused_modules_are_never_embedded(
    wordnet_task, modules, tmp_path, monkeypatch
):
    monkeypatch.setenv("SKFTI_CACHE_DIR", str(tmp_path))
    space = SearchSpace(n_layers=2, widths=(16,), views=[m.name for m in modules])
    u = ArchitectureEncoding.random_one_hot(space, random_state=0)
    chosen = space.views[int(u.gamma.argmax())]

    def no_embedding(texts):
        raise AssertionError("an unused module was embedded")

    for module in modules:
        if module.name != chosen:
            monkeypatch.setattr(module, "embed", no_embedding)
    clf = RelaxedFFNNClassifier(u, embedding_modules=modules, epochs=2, random_state=0)
    clf.fit(wordnet_task.X_train, wordnet_task.y_train)
    assert clf.predict(wordnet_task.X_test[:5]).shape == (5,)


def test_text_input_errors(modules):
    space = SearchSpace(n_layers=2, views=[m.name for m in modules])
    clf = RelaxedFFNNClassifier(search_space=space, embedding_modules=modules)
    with pytest.raises(ValueError, match="sequence of str"):
        clf.fit(np.zeros((4, 3)), [0, 1, 0, 1])
    wrong = RelaxedFFNNClassifier(
        ArchitectureEncoding.uniform(SearchSpace(views=("a", "b", "c"))),
        embedding_modules=modules,
    )
    with pytest.raises(ValueError, match="another search space"):
        wrong.fit(["a text", "another one"], [0, 1])


def test_auto_dropout_on_texts_is_the_text_recipe(wordnet_task):
    module = get_embedding_module("hashed256")  # no download
    task = wordnet_task
    space = SearchSpace(n_layers=1, views=[module.name])
    u = ArchitectureEncoding.random_one_hot(space, random_state=0)
    kw = dict(embedding_modules=[module], epochs=3, random_state=0)
    auto = RelaxedFFNNClassifier(u, **kw).fit(task.X_train, task.y_train)
    text = RelaxedFFNNClassifier(u, dropout=0.2, **kw).fit(task.X_train, task.y_train)
    none = RelaxedFFNNClassifier(u, dropout=0.0, **kw).fit(task.X_train, task.y_train)
    np.testing.assert_array_equal(auto.history_["loss"], text.history_["loss"])
    assert not np.allclose(auto.history_["loss"], none.history_["loss"])


def test_a_text_fit_after_a_numeric_one_has_no_feature_count():
    module = get_embedding_module("hashed16")  # no download
    rng = np.random.RandomState(0)
    clf = RelaxedFFNNClassifier(epochs=2, random_state=0)
    clf.fit(rng.normal(size=(20, 5)), [0, 1] * 10)
    assert clf.n_features_in_ == 5
    space = SearchSpace(n_layers=1, views=[module.name])
    clf.set_params(embedding_modules=[module], search_space=space)
    clf.fit(["a cat", "a dog", "an oak", "a pine"] * 5, [0, 0, 1, 1] * 5)
    assert not hasattr(clf, "n_features_in_")
