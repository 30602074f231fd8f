import pickle
from pathlib import Path

import numpy as np
import pytest
from fresh_process import run_python

from skfti.task import Task, check_task_collection, is_text


def _text_task(name="toy", n_per_class=20, random_state=0, **kwargs):
    texts = [f"text number {i}" for i in range(3 * n_per_class)]
    labels = ["a", "b", "c"] * n_per_class
    return Task(name, texts, labels, random_state=random_state, **kwargs)


def test_text_task_split_is_stratified_and_partitions_samples():
    task = _text_task(n_per_class=30)
    assert task.is_text and task.n_samples == 90 and task.n_classes == 3
    assert task.classes.tolist() == ["a", "b", "c"]
    parts = [task.train_index_, task.val_index_, task.test_index_]
    assert sorted(np.concatenate(parts).tolist()) == list(range(90))
    for labels in (task.y_train, task.y_val, task.y_test):
        _, counts = np.unique(labels, return_counts=True)
        assert len(counts) == 3 and len(set(counts.tolist())) == 1
    assert (len(task.y_train), len(task.y_val), len(task.y_test)) == (72, 9, 9)
    assert task.X_val.tolist() == [task.X[i] for i in task.val_index_]
    assert task.n_features is None


def test_numeric_task_properties_and_split_sizes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = np.repeat([0, 1], 100)
    task = Task("num", X, y, validation_size=0.2, test_size=0.1, random_state=3)
    assert not task.is_text and task.n_features == 5
    assert task.X_train.shape == (140, 5)
    assert task.X_val.shape == (40, 5) and task.X_test.shape == (20, 5)
    np.testing.assert_array_equal(task.X_test, X[task.test_index_])
    np.testing.assert_array_equal(task.y_train, y[task.train_index_])


def test_integer_X_is_converted_to_float():
    task = Task("ints", np.arange(40).reshape(20, 2), [0, 1] * 10)
    assert task.X.dtype == np.float64


def test_split_is_reproducible_and_depends_on_seed():
    first, second = _text_task(random_state=7), _text_task(random_state=7)
    other = _text_task(random_state=8)
    np.testing.assert_array_equal(first.train_index_, second.train_index_)
    np.testing.assert_array_equal(first.test_index_, second.test_index_)
    assert not np.array_equal(first.test_index_, other.test_index_)


def test_content_hash_depends_on_data_not_on_name_or_split():
    base = _text_task("one", random_state=0)
    assert _text_task("two", random_state=5).content_hash == base.content_hash
    texts = list(base.X)
    texts[0] = texts[0] + "!"
    changed = Task("one", texts, base.y)
    assert changed.content_hash != base.content_hash
    relabelled = Task("one", base.X, np.roll(base.y, 1))
    assert relabelled.content_hash != base.content_hash
    assert len(base.content_hash) == 64
    int(base.content_hash, 16)


def test_content_hash_is_stable_across_processes():
    code = (
        "from skfti.task import Task\n"
        "t = Task('toy', [f'text number {i}' for i in range(60)], "
        "['a', 'b', 'c'] * 20)\n"
        "print(t.content_hash)\n"
    )
    hashes = {
        run_python(
            code,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert hashes == {_text_task().content_hash}


def test_pickle_round_trip_is_small_and_identical():
    task = _text_task()
    payload = pickle.dumps(task)
    clone = pickle.loads(payload)
    assert len(payload) < 5000
    assert clone.name == task.name and clone.content_hash == task.content_hash
    np.testing.assert_array_equal(clone.val_index_, task.val_index_)
    assert clone.X_train.tolist() == task.X_train.tolist()


def test_repr_is_readable():
    assert repr(_text_task()) == (
        "Task(name='toy', kind='text', n_samples=60, n_classes=3, split=48/6/6)"
    )
    numeric = Task("n", np.zeros((20, 4)), [0, 1] * 10)
    assert "kind='numeric[4]'" in repr(numeric)


def test_single_class_is_rejected():
    with pytest.raises(ValueError, match="at least 2 classes"):
        Task("one", ["x"] * 20, ["a"] * 20)


def test_too_few_samples_per_class_names_the_class():
    texts = [f"t{i}" for i in range(25)]
    labels = ["big"] * 20 + ["tiny"] * 5
    with pytest.raises(ValueError, match="class 'tiny'.*5 samples.*at least 10"):
        Task("small", texts, labels)
    # Larger split fractions need fewer samples per class.
    task = Task("small", texts, labels, validation_size=0.2, test_size=0.2)
    assert task.n_classes == 2


def test_length_mismatch_is_rejected():
    with pytest.raises(ValueError, match="different lengths: 3 samples but 2"):
        Task("bad", ["a", "b", "c"], [0, 1])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_numeric_X_is_rejected(bad):
    X = np.zeros((20, 2))
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        Task("bad", X, [0, 1] * 10)


@pytest.mark.parametrize(
    "X, match",
    [
        ("just one string", "single str"),
        (np.zeros((4, 2, 2)), "2-D"),
        (["a", 1, "b"], "mixes str"),
    ],
)
def test_bad_X_is_rejected(X, match):
    with pytest.raises(ValueError, match=match):
        Task("bad", X, [0, 1, 0, 1][: len(X)])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"validation_size": 0.0}, "validation_size"),
        ({"test_size": 1.5}, "test_size"),
        ({"validation_size": 0.5, "test_size": 0.5}, "must be < 1"),
    ],
)
def test_bad_split_sizes_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _text_task(**kwargs)


def test_check_task_collection_rejects_duplicates_and_non_tasks():
    tasks = [_text_task("a"), _text_task("b")]
    assert check_task_collection(iter(tasks)) == tasks
    with pytest.raises(ValueError, match="duplicate task names: 'a' \\(2 times\\)"):
        check_task_collection([tasks[0], tasks[1], _text_task("a")])
    with pytest.raises(ValueError, match="not a Task"):
        check_task_collection([tasks[0], "b"])
    with pytest.raises(ValueError, match="empty"):
        check_task_collection([])


def test_a_pandas_series_of_texts_is_texts():
    pd = pytest.importorskip("pandas")
    texts = [f"text number {i}" for i in range(60)]
    for series in (pd.Series(texts), pd.Series(texts, dtype="string")):
        assert is_text(series)
        task = Task("series", series, ["a", "b", "c"] * 20, random_state=0)
        assert task.is_text and task.X_train.tolist()[0] in texts
    assert not is_text(pd.Series(np.arange(5.0)))
    with pytest.raises(ValueError, match="entry 1 is None"):
        is_text(pd.Series(["a text", None]))


@pytest.mark.parametrize("name", ["", 7, "bad\udcff"])
def test_a_name_must_be_text_that_files_can_keep(name):
    # A lone surrogate passed Task and then failed in the store's SQLite.
    X, y = np.zeros((40, 2)), np.arange(40) % 2
    with pytest.raises(ValueError, match="name must be"):
        Task(name, X, y)
