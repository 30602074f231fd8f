"""Contract tests of the tasks a store holds: description, meta-features, refusals.

Every backend passes them (``make_store`` and ``store`` in ``tests/conftest.py``).
"""

import numpy as np
import pytest
from store_testing import SETTINGS, _u

from skfti import META_FEATURE_NAMES, Task
from skfti.meta_features import compute_meta_features


def test_add_task_stores_description_without_meta_features(store, tasks):
    record = store.get_task_record(tasks[1].name)
    assert record["name"] == tasks[1].name
    assert record["content_hash"] == tasks[1].content_hash
    assert (record["n_samples"], record["n_classes"], record["n_features"]) == (
        tasks[1].n_samples,
        tasks[1].n_classes,
        4,
    )
    assert record["is_text"] is False
    assert record["meta_features"] is None  # not computed by default
    assert store.task_names() == [task.name for task in tasks]
    # idempotent: same id, no new row
    assert store.add_task(tasks[1]) == record["id"]
    assert store.task_names() == [task.name for task in tasks]


def test_add_task_computes_meta_features_when_asked(store, tasks):
    store.add_task(tasks[0], meta_features=True)
    record = store.get_task_record(tasks[0])
    assert record["meta_feature_names"] == META_FEATURE_NAMES
    expected = compute_meta_features(tasks[0].X_train, tasks[0].y_train)
    np.testing.assert_array_equal(record["meta_features"], expected)
    store.add_task(tasks[1], meta_features=np.arange(17.0))
    np.testing.assert_array_equal(
        store.get_task_record(tasks[1])["meta_features"], np.arange(17.0)
    )


def test_text_task_meta_features_are_set_by_the_caller(make_store):
    store = make_store()
    texts = [f"text number {i}" for i in range(40)]
    task = Task("texts", texts, ["a", "b"] * 20)
    store.add_task(task, meta_features=True)  # text: nothing to compute from
    record = store.get_task_record("texts")
    assert record["is_text"] is True
    assert record["n_features"] is None
    assert record["meta_features"] is None
    store.set_meta_features("texts", np.arange(3.0), names=("x", "y", "z"))
    record = store.get_task_record(task)
    np.testing.assert_array_equal(record["meta_features"], [0.0, 1.0, 2.0])
    assert record["meta_feature_names"] == ("x", "y", "z")
    with pytest.raises(ValueError, match="one value per name"):
        store.set_meta_features("texts", [1.0, 2.0], names=("x",))


def test_same_task_name_with_other_data_or_split_is_refused(store, tasks):
    other = Task(tasks[0].name, tasks[1].X, tasks[1].y)
    with pytest.raises(ValueError, match="already stored with different data"):
        store.add_task(other)
    resplit = Task(tasks[0].name, tasks[0].X, tasks[0].y, random_state=1)
    with pytest.raises(ValueError, match="different train/validation/test split"):
        store.add_task(resplit)


def test_unknown_task_is_refused(store):
    with pytest.raises(
        ValueError, match=r"unknown task 'nope'.*add_task\(task\) first"
    ):
        store.record("nope", _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        store.experiments(["nope"])
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        store.done("nope", SETTINGS)
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        store.get_task_record("nope")
    assert store.count() == 0
