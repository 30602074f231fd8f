"""Contract tests: every experiment store backend passes them.

They run on the SQLite backend and on ``MemoryStore``, a tiny backend that
keeps its rows in dicts, written here to show that the contract of
:class:`skfti.store.BaseExperimentStore` can be implemented by a second backend.
"""

import csv
import gzip
import json
from datetime import datetime, timezone

import numpy as np
import pytest

from skfti import META_FEATURE_NAMES, ArchitectureEncoding, SearchSpace, Task
from skfti.datasets import make_task_family
from skfti.meta_features import compute_meta_features
from skfti.store import (
    BaseExperimentStore,
    ExperimentStore,
    encoding_hash,
    resolve_store,
    settings_hash,
)
from skfti.store._schema import EXPERIMENT_COLUMNS
from skfti.store._validation import (
    check_meta_features,
    check_same_task,
    check_status,
    task_row,
    unknown_task,
    wanted_meta_features,
)

SPACE = SearchSpace(n_layers=2, widths=(8, 16))
SETTINGS = {"epochs": 3, "batch_size": 16}


def _u(i, space=SPACE):
    return ArchitectureEncoding.random_one_hot(space, random_state=i)


class MemoryStore(BaseExperimentStore):
    """A second backend: tasks and experiments in dicts, in this process."""

    def __init__(self, location="memory://", *, search_space=None, timeout=60.0):
        self.location = location
        self._space = search_space
        self._tasks = {}
        self._rows = {}  # uniqueness key -> row, in recording order

    @property
    def search_space(self):
        return self._space

    def bind_search_space(self, search_space):
        if self._space is not None and (
            self._space.fingerprint() != search_space.fingerprint()
        ):
            raise ValueError("the store was made for another search space")
        self._space = search_space

    def add_task(self, task, *, meta_features=False):
        row = self._tasks.get(task.name)
        if row is not None:
            check_same_task(task, row)
        else:
            row = {"id": len(self._tasks) + 1, **task_row(task)}
            row.update(meta_features=None, meta_feature_names=None)
            self._tasks[task.name] = row
        if row["meta_features"] is None:
            values = wanted_meta_features(task, meta_features)
            if values is not None:
                row.update(meta_features=values, meta_feature_names=META_FEATURE_NAMES)
        return row["id"]

    def _task(self, name):
        name = name if isinstance(name, str) else name.name
        if name not in self._tasks:
            raise unknown_task(name)
        return self._tasks[name]

    def set_meta_features(self, task_name, values, names=META_FEATURE_NAMES):
        values, names = check_meta_features(values, names)
        self._task(task_name).update(meta_features=values, meta_feature_names=names)

    def get_task_record(self, name):
        return dict(self._task(name))

    def task_names(self):
        return list(self._tasks)

    def _insert_experiments(self, experiments):
        for experiment in experiments:  # all or nothing
            self._task(experiment.task)
        inserted = 0
        for e in experiments:
            key = (e.task, e.search_space_fingerprint, e.encoding_hash, e.seed)
            key += (e.settings_hash,)
            if key not in self._rows:
                self._rows[key] = {"id": len(self._rows) + 1, **vars(e)}
                inserted += 1
        return inserted

    def done(self, task_name, settings):
        task = self._task(task_name)["name"]
        fingerprint = self._space.fingerprint() if self._space else None
        return {
            (row["encoding_hash"], row["seed"])
            for row in self._rows.values()
            if (row["task"], row["settings_hash"]) == (task, settings_hash(settings))
            and row["search_space_fingerprint"] == fingerprint
        }

    def _select_experiments(self, names, *, settings_key, status, column):
        n_dims = 0 if self._space is None else self._space.n_dims
        results = []
        for name in names:
            self._task(name)
            rows = [
                row
                for row in self._rows.values()
                if row["task"] == name
                and status in (None, row["status"])
                and settings_key in (None, row["settings_hash"])
                and (column != "val_log_loss" or row["val_log_loss"] is not None)
            ]
            encodings = np.array([row["encoding"] for row in rows], dtype=np.float64)
            scores = [np.nan if row[column] is None else row[column] for row in rows]
            results.append(
                (encodings.reshape(len(rows), n_dims), np.array(scores, dtype=float))
            )
        return results

    def count(self, task_name=None, status=None):
        check_status(status, allow_none=True)
        name = None if task_name is None else self._task(task_name)["name"]
        return sum(
            name in (None, row["task"]) and status in (None, row["status"])
            for row in self._rows.values()
        )

    def to_records(self):
        records = []
        for row in self._rows.values():
            record = {column: row[column] for column in EXPERIMENT_COLUMNS}
            record.update(
                encoding=list(row["encoding"]), settings=json.loads(row["settings"])
            )
            records.append(record)
        return records

    def integrity_check(self):
        return "ok"

    def check_writable(self):
        return None

    def close(self):
        return None


@pytest.fixture(scope="module")
def tasks():
    return make_task_family(3, n_samples=60, n_features=4, random_state=0)


@pytest.fixture(params=["sqlite", "memory"])
def make_store(request, tmp_path):
    """A factory of empty stores of one backend."""
    opened = []

    def make(search_space=SPACE, name="s"):
        if request.param == "sqlite":
            store = ExperimentStore(
                tmp_path / f"{name}.sqlite", search_space=search_space
            )
        else:
            store = MemoryStore(search_space=search_space)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store, tasks):
    store = make_store()
    for task in tasks:
        store.add_task(task)
    return store


def test_the_abstract_base_names_the_contract():
    with pytest.raises(TypeError, match="abstract"):
        BaseExperimentStore()
    assert {
        "add_task",
        "bind_search_space",
        "check_writable",
        "close",
        "count",
        "done",
        "get_task_record",
        "integrity_check",
        "search_space",
        "set_meta_features",
        "task_names",
        "to_records",
        "_insert_experiments",
        "_select_experiments",
    } == BaseExperimentStore.__abstractmethods__
    assert isinstance(MemoryStore(), BaseExperimentStore)
    store = MemoryStore()
    assert resolve_store(store, search_space=SPACE) is store
    assert store.search_space == SPACE


# -- tasks -------------------------------------------------------------------------
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


# -- experiments ---------------------------------------------------------------------
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


# -- export ----------------------------------------------------------------------
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
    assert list(rows[0]) == list(EXPERIMENT_COLUMNS)
    assert rows[0]["task"] == tasks[0].name
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
        ({"task": "no-such-task"}, "unknown task 'no-such-task'"),
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


def test_writable_store_passes_check_and_integrity(store):
    assert store.check_writable() is None
    assert store.integrity_check() == "ok"
