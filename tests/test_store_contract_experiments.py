"""Contract tests of recording experiments and reading them back.

Every backend passes them (``make_store`` and ``store`` in ``tests/conftest.py``).
"""

import warnings
from datetime import datetime, timezone

import numpy as np
import pytest
from store_testing import SETTINGS, SPACE, _u

from skfti import ArchitectureEncoding, SearchSpace
from skfti.store import encoding_hash


def test_experiments_round_trip_aligned_with_task_order(store, tasks):
    written = {task.name: [] for task in tasks}
    for i, task in [(0, tasks[0]), (1, tasks[1]), (2, tasks[0]), (3, tasks[1])]:
        score = 0.1 * (i + 1)
        assert store.record(
            task, _u(i), seed=i, settings=SETTINGS, val_accuracy=score, train_time=1.5
        )
        written[task.name].append((_u(i).to_vector(), score))
    result = store.experiments([tasks[1], tasks[2].name, tasks[0]])
    assert len(result) == 3
    for task, (encodings, scores) in zip(
        [tasks[1], tasks[2], tasks[0]], result, strict=True
    ):
        assert encodings.dtype == np.float64 and scores.dtype == np.float64
        expected = written[task.name]
        assert encodings.shape == (len(expected), SPACE.n_dims)
        for row, (vector, _) in zip(encodings, expected, strict=True):
            np.testing.assert_array_equal(row, vector)  # exact float round trip
        np.testing.assert_allclose(scores, [score for _, score in expected])
    assert store.count() == 4
    assert store.count(tasks[0].name) == 2
    assert store.count(tasks[2]) == 0


def test_experiments_filter_by_settings(store, tasks):
    store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    store.record(tasks[0], _u(0), seed=0, settings={"epochs": 9}, val_accuracy=0.7)
    ((_, all_scores),) = store.experiments([tasks[0]])
    ((_, some_scores),) = store.experiments([tasks[0]], settings={"epochs": 9})
    assert all_scores.tolist() == [0.5, 0.7]
    assert some_scores.tolist() == [0.7]


def test_settings_that_match_nothing_stored_warn(store, tasks):
    # Settings compare as complete dicts: a partial one (or the recipe's
    # dropout="auto", which children store resolved) silently matched nothing.
    store.record(
        tasks[0], _u(0), seed=0, settings={"epochs": 9, "x": 1}, val_accuracy=0.5
    )
    with pytest.warns(UserWarning, match="none of the 1 stored experiments"):
        ((_, scores),) = store.experiments([tasks[0]], settings={"epochs": 9})
    assert scores.size == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.experiments([tasks[1]], settings={"epochs": 9})  # nothing stored
        store.experiments([tasks[0]], settings={"epochs": 9, "x": 1})


def test_neg_log_loss_score_is_higher_is_better(store, tasks):
    store.record(
        tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.9, val_log_loss=0.2
    )
    store.record(tasks[0], _u(1), seed=1, settings=SETTINGS, val_accuracy=0.8)
    store.record(
        tasks[0], _u(2), seed=2, settings=SETTINGS, val_accuracy=0.6, val_log_loss=0.7
    )
    ((encodings, scores),) = store.experiments([tasks[0]], score="neg_log_loss")
    assert scores.tolist() == [-0.2, -0.7]  # the row without a log-loss is left out
    np.testing.assert_array_equal(encodings, [_u(0).to_vector(), _u(2).to_vector()])
    ((_, accuracies),) = store.experiments([tasks[0]], score="accuracy")
    assert accuracies.tolist() == [0.9, 0.8, 0.6]
    with pytest.raises(ValueError, match=r"score must be one of \('accuracy', 'neg"):
        store.experiments([tasks[0]], score="log_loss")
    with pytest.raises(ValueError, match="val_log_loss must be >= 0"):
        store.record(
            tasks[0], _u(3), seed=0, settings=SETTINGS, val_accuracy=1, val_log_loss=-1
        )


def test_record_returns_whether_a_row_was_inserted(store, tasks):
    assert store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    same = ArchitectureEncoding.from_vector(SPACE, _u(0).to_vector())
    reordered = dict(reversed(list(SETTINGS.items())))
    assert (
        store.record(tasks[0], same, seed=0, settings=reordered, val_accuracy=0.9)
        is False
    )
    assert store.count() == 1
    ((_, scores),) = store.experiments([tasks[0]])
    assert scores.tolist() == [0.5]  # the first result is kept
    assert store.record(tasks[0], _u(0), seed=1, settings=SETTINGS, val_accuracy=0.6)
    assert store.count() == 2


def test_record_many_counts_only_inserted_rows(store, tasks):
    rows = [
        dict(
            task_name=tasks[i % 2].name,
            encoding=_u(i),
            seed=i,
            settings=SETTINGS,
            val_accuracy=0.5,
        )
        for i in range(6)
    ]
    assert store.record_many(rows) == 6
    assert store.record_many(rows[:3] + [{**rows[0], "seed": 99}]) == 1
    assert store.record_many([]) == 0
    assert store.count() == 7
    # one bad row: nothing is written
    bad = [{**rows[0], "seed": 100}, {**rows[1], "seed": 101, "val_accuracy": None}]
    with pytest.raises(ValueError, match="row 1: .*needs a finite val_accuracy"):
        store.record_many(bad)
    bad = [{**rows[0], "seed": 100}, {**rows[1], "seed": 101, "task_name": "nope"}]
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        store.record_many(bad)
    with pytest.raises(TypeError, match="row 0: .*unexpected keyword"):
        store.record_many([{**rows[0], "colour": "red"}])
    assert store.count() == 7


def test_done_returns_keys_of_finished_experiments(store, tasks):
    store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    store.record(
        tasks[0], _u(1), seed=3, settings=SETTINGS, status="failed", error="boom"
    )
    store.record(tasks[0], _u(2), seed=0, settings={"epochs": 1}, val_accuracy=0.5)
    store.record(tasks[1], _u(3), seed=0, settings=SETTINGS, val_accuracy=0.5)
    assert store.done(tasks[0].name, SETTINGS) == {
        (encoding_hash(_u(0)), 0),
        (encoding_hash(_u(1)), 3),
    }
    assert store.done(tasks[0], {"epochs": 1}) == {(encoding_hash(_u(2)), 0)}
    assert store.done(tasks[2], SETTINGS) == set()


def test_failed_experiments_are_kept_but_not_returned(store, tasks):
    store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    assert store.record(
        tasks[0], _u(1), seed=0, settings=SETTINGS, status="failed", error="OOM"
    )
    ((encodings, scores),) = store.experiments([tasks[0]])
    assert scores.tolist() == [0.5]
    np.testing.assert_array_equal(encodings[0], _u(0).to_vector())
    ((_, failed),) = store.experiments([tasks[0]], status="failed")
    assert np.isnan(failed).all() and failed.shape == (1,)
    ((_, every),) = store.experiments([tasks[0]], status=None)
    assert every.shape == (2,)
    assert store.count(status="failed") == 1
    assert store.count(status="ok") == 1
    (failed_record,) = [r for r in store.to_records() if r["status"] == "failed"]
    assert failed_record["error"] == "OOM"
    assert failed_record["val_accuracy"] is None


def test_record_validates_its_arguments(store, tasks):
    with pytest.raises(ValueError, match="needs a finite val_accuracy"):
        store.record(tasks[0], _u(0), seed=0, settings=SETTINGS)
    with pytest.raises(ValueError, match="status must be one of"):
        store.record(
            tasks[0], _u(0), seed=0, settings=SETTINGS, status="done", val_accuracy=0.5
        )
    with pytest.raises(TypeError, match="seed must be an int"):
        store.record(tasks[0], _u(0), seed=1.5, settings=SETTINGS, val_accuracy=0.5)
    with pytest.raises(TypeError, match="JSON data"):
        store.record(
            tasks[0], _u(0), seed=0, settings={"f": object()}, val_accuracy=0.5
        )
    with pytest.raises(TypeError, match="n_epochs must be an int"):
        store.record(
            tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5, n_epochs=2.5
        )
    with pytest.raises(ValueError, match="n_epochs must be >= 0"):
        store.record(
            tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5, n_epochs=-1
        )
    with pytest.raises(ValueError, match="started_at must be a datetime, ISO"):
        store.record(
            tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5, started_at="x"
        )
    with pytest.raises(ValueError, match="wrap it in a list"):
        store.experiments(tasks[0].name)  # a single name, not a list
    with pytest.raises(ValueError, match="status must be one of"):
        store.experiments([tasks[0]], status="done")
    assert store.count() == 0


def test_encoding_from_another_search_space_is_refused(store, tasks):
    other = SearchSpace(n_layers=2, widths=(8, 32))
    with pytest.raises(ValueError, match="encoding from another search space"):
        store.record(
            tasks[0], _u(0, other), seed=0, settings=SETTINGS, val_accuracy=0.5
        )
    assert store.count() == 0


def test_store_without_search_space_takes_first_encodings(make_store, tasks):
    store = make_store(search_space=None)
    assert store.search_space is None
    store.add_task(tasks[0])
    ((encodings, scores),) = store.experiments([tasks[0]])
    assert encodings.shape == (0, 0) and scores.shape == (0,)
    store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    assert store.search_space == SPACE
    with pytest.raises(ValueError, match="another search space"):
        store.bind_search_space(SearchSpace(n_layers=1))


@pytest.mark.parametrize(
    "started_at",
    [
        "2024-05-01T12:00:00+02:00",
        datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc),
        datetime(2024, 5, 1, 10, 0),  # naive: UTC
        1714557600.0,  # time.time() of the same instant
        1714557600,
    ],
    ids=["iso", "aware", "naive", "float", "int"],
)
def test_started_at_is_stored_as_iso_utc(store, tasks, started_at):
    store.record(
        tasks[0],
        _u(0),
        seed=0,
        settings=SETTINGS,
        val_accuracy=0.5,
        started_at=started_at,
    )
    (record,) = store.to_records()
    assert record["started_at"] == "2024-05-01T10:00:00.000+00:00"
    assert record["finished_at"].endswith("+00:00")
    assert record["finished_at"] > record["started_at"]
    assert record["package_version"]
