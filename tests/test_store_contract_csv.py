"""Contract tests of the export and the way back: to_records, to_csv, record_csv.

Every backend passes them (``make_store`` and ``store`` in ``tests/conftest.py``).
"""

import csv
import gzip
import json

import pytest
from store_testing import SETTINGS, SPACE, _u

from skfti import ArchitectureEncoding, Task
from skfti.store import encoding_hash, settings_hash
from skfti.store._schema import EXPERIMENT_COLUMNS


def test_to_records_and_to_csv(store, tasks, tmp_path):
    store.record(
        tasks[0],
        _u(0),
        seed=0,
        settings=SETTINGS,
        val_accuracy=0.5,
        val_log_loss=0.75,
        test_accuracy=0.4,
        train_time=2.0,
        n_epochs=3,
        started_at=1714557600.5,
    )
    store.record(
        tasks[1], _u(1), seed=7, settings=SETTINGS, status="failed", error="nan loss"
    )
    records = store.to_records()
    assert [r["task"] for r in records] == [tasks[0].name, tasks[1].name]
    first = records[0]
    assert list(first) == list(EXPERIMENT_COLUMNS)
    assert first["encoding"] == _u(0).to_vector().tolist()
    assert first["settings"] == SETTINGS
    assert first["settings_hash"] == settings_hash(SETTINGS)
    assert first["encoding_hash"] == encoding_hash(_u(0))
    assert first["search_space_fingerprint"] == SPACE.fingerprint()
    assert (first["val_accuracy"], first["val_log_loss"], first["n_epochs"]) == (
        0.5,
        0.75,
        3,
    )
    assert (first["test_accuracy"], first["train_time"]) == (0.4, 2.0)
    assert first["started_at"] == "2024-05-01T10:00:00.500+00:00"
    assert (records[1]["seed"], records[1]["status"]) == (7, "failed")
    assert (records[1]["val_log_loss"], records[1]["n_epochs"]) == (None, None)

    csv_path = tmp_path / "experiments.csv"
    store.to_csv(csv_path)
    with open(csv_path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2
    assert list(rows[0]) == [
        *EXPERIMENT_COLUMNS,
        "task_content_hash",
        "task_split_hash",
    ]
    assert rows[0]["task"] == tasks[0].name
    assert rows[0]["task_content_hash"] == tasks[0].content_hash
    assert float(rows[0]["val_log_loss"]) == 0.75 and rows[0]["n_epochs"] == "3"
    assert json.loads(rows[0]["encoding"]) == first["encoding"]
    assert json.loads(rows[0]["settings"]) == SETTINGS
    assert rows[1]["error"] == "nan loss" and rows[1]["val_accuracy"] == ""


def _two_recorded(store, tasks):
    store.record(
        tasks[0],
        _u(0),
        seed=0,
        settings=SETTINGS,
        val_accuracy=0.5,
        val_log_loss=0.75,
        n_epochs=3,
        started_at=1714557600.5,
    )
    relaxed = ArchitectureEncoding.random_relaxed(SPACE, random_state=2)
    store.record(tasks[1], relaxed, seed=7, settings=SETTINGS, val_accuracy=0.25)
    store.record(
        tasks[1], _u(1), seed=7, settings=SETTINGS, status="failed", error="nan loss"
    )


def _without_ids(records):
    return [{k: v for k, v in r.items() if k != "id"} for r in records]


def test_record_csv_reads_back_what_to_csv_wrote(make_store, tasks, tmp_path):
    source = make_store()
    for task in tasks:
        source.add_task(task)
    _two_recorded(source, tasks)
    path = tmp_path / "experiments.csv.gz"
    with gzip.open(path, "wt", newline="") as file:
        source.to_csv(file)

    copy = make_store(name="copy")
    for task in tasks:
        copy.add_task(task)
    with gzip.open(path, "rt", newline="") as file:
        assert copy.record_csv(file) == 3
    assert _without_ids(copy.to_records()) == _without_ids(source.to_records())
    # a population rerun over the copy skips what the file held
    assert copy.done(tasks[1], SETTINGS) == source.done(tasks[1], SETTINGS)
    # reading it again adds nothing, and a plain path works too
    plain = tmp_path / "experiments.csv"
    source.to_csv(plain)
    assert copy.record_csv(plain) == 0
    assert copy.count() == 3


@pytest.fixture
def exported(store, tasks, tmp_path):
    """The rows of a store with three experiments, as ``to_csv`` wrote them."""
    _two_recorded(store, tasks)
    path = tmp_path / "exported.csv"
    store.to_csv(path)
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def _write_rows(path, rows):
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def fresh(make_store, tasks):
    """An empty store of the same backend holding the same tasks."""
    store = make_store(name="fresh")
    for task in tasks:
        store.add_task(task)
    return store


def test_record_csv_keeps_the_version_that_trained_the_child(exported, fresh, tmp_path):
    exported[0]["package_version"] = "0.0.1"
    assert fresh.record_csv(_write_rows(tmp_path / "old.csv", exported)) == 3
    assert [r["package_version"] for r in fresh.to_records()][:2] == [
        "0.0.1",
        exported[1]["package_version"],
    ]


@pytest.mark.parametrize(
    "edit, message",
    [
        ({"task": "no-such-task"}, "line 3: task 'no-such-task' is not in the store"),
        ({"search_space_fingerprint": "0123abcd"}, "line 3: .*another search space"),
        ({"seed": "x"}, "line 3: .*invalid literal"),
        ({"encoding": "[0.5"}, "line 3: encoding or settings is not JSON"),
        ({"settings": json.dumps({"epochs": 4})}, "line 3: settings_hash .*edited"),
        ({"status": "ok", "val_accuracy": ""}, "line 4: .*finite val_accuracy"),
    ],
)
def test_record_csv_rejects_a_bad_row_and_writes_nothing(
    exported, fresh, tmp_path, edit, message
):
    row = 1 if "status" not in edit else 2
    exported[row].update(edit)
    with pytest.raises(ValueError, match=message):
        fresh.record_csv(_write_rows(tmp_path / "bad.csv", exported))
    assert fresh.count() == 0


def test_record_csv_refuses_a_stored_task_of_the_same_name_with_other_data(
    make_store, tasks, exported, tmp_path
):
    other = make_store(name="other")
    for task in tasks:  # the same names, other rows (and so another split)
        other.add_task(
            Task(task.name, task.X[::-1].copy(), task.y[::-1].copy(), random_state=3)
        )
    path = _write_rows(tmp_path / "exported.csv", exported)
    with pytest.raises(
        ValueError, match="line 2: the store's task .* holds other data"
    ):
        other.record_csv(path)
    assert other.count() == 0
    # An export of before the task hashes is read without that check.
    old = [
        {k: v for k, v in row.items() if not k.startswith("task_")} for row in exported
    ]
    assert other.record_csv(_write_rows(tmp_path / "old.csv", old)) == 3


def test_record_csv_reads_back_fields_of_any_length(store, fresh, tasks, tmp_path):
    long_error = "x" * 200_000  # past the csv module's default field limit
    store.record(
        tasks[0], _u(0), seed=0, settings=SETTINGS, status="failed", error=long_error
    )
    store.to_csv(tmp_path / "long.csv")
    assert fresh.record_csv(tmp_path / "long.csv") == 1
    assert fresh.to_records()[0]["error"] == long_error
    assert csv.field_size_limit() == 131072  # the module's setting is restored


def test_record_csv_rejects_an_edited_encoding(exported, fresh, tmp_path):
    vector = json.loads(exported[0]["encoding"])
    vector[0], vector[1] = vector[1], vector[0]
    exported[0]["encoding"] = json.dumps(vector)
    with pytest.raises(ValueError, match="line 2: encoding_hash .*edited"):
        fresh.record_csv(_write_rows(tmp_path / "bad.csv", exported))
    assert fresh.count() == 0


def test_record_csv_needs_the_columns_and_a_search_space(
    exported, make_store, fresh, tmp_path
):
    for row in exported:
        del row["settings_hash"]
    with pytest.raises(ValueError, match=r"missing columns \['settings_hash'\]"):
        fresh.record_csv(_write_rows(tmp_path / "short.csv", exported))
    unbound = make_store(search_space=None, name="unbound")
    with pytest.raises(ValueError, match="no search space"):
        unbound.record_csv(tmp_path / "short.csv")
