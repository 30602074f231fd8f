import copy
import csv
import json
import multiprocessing
import os
import pickle
import sqlite3
import subprocess
import sys
import threading

import numpy as np
import pytest

from skfti import META_FEATURE_NAMES, ArchitectureEncoding, SearchSpace, Task
from skfti.datasets import make_task_family
from skfti.meta_features import compute_meta_features
from skfti.store import (
    SCHEMA_VERSION,
    STORE_BACKENDS,
    ExperimentStore,
    encoding_hash,
    open_store,
    resolve_store,
    settings_hash,
)

SPACE = SearchSpace(n_layers=2, widths=(8, 16))
SETTINGS = {"epochs": 3, "batch_size": 16}


def _u(i, space=SPACE):
    return ArchitectureEncoding.random_one_hot(space, random_state=i)


def _tables(path):
    con = sqlite3.connect(path)
    try:
        return {
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            )
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def tasks():
    return make_task_family(3, n_samples=60, n_features=4, random_state=0)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "experiments.sqlite"


@pytest.fixture
def store(path, tasks):
    store = ExperimentStore(path, search_space=SPACE)
    for task in tasks:
        store.add_task(task)
    yield store
    store.close()


def _write_from_process(store, task_name, first_seed, n, barrier):
    # Runs in a spawned process: the store arrives pickled, without connection.
    barrier.wait(timeout=60)  # both processes write at the same time
    for i in range(n):
        inserted = store.record(
            task_name,
            _u(i),
            seed=first_seed + i,
            settings=SETTINGS,
            val_accuracy=0.5,
        )
        assert inserted
    store.close()


# -- file format -------------------------------------------------------------
def test_new_store_has_schema_wal_and_meta(path):
    store = ExperimentStore(path, search_space=SPACE)
    assert _tables(path) >= {"meta", "tasks", "experiments", "experiment_results"}
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(con.execute("SELECT key, value FROM meta"))
        unique = [
            row
            for row in con.execute("PRAGMA index_list(experiments)")
            if row[2]  # unique
        ]
    finally:
        con.close()
    assert meta["schema_version"] == str(SCHEMA_VERSION) == "1"
    assert meta["application"] == "skfti"
    assert json.loads(meta["search_space"]) == SPACE.to_dict()
    assert meta["search_space_fingerprint"] == SPACE.fingerprint()
    assert meta["created_at"].endswith("+00:00")
    assert len(unique) == 1
    assert store.search_space == SPACE
    assert store.integrity_check() == "ok"
    store.close()


def test_reopen_existing_store_keeps_data(path, tasks):
    with ExperimentStore(path, search_space=SPACE) as store:
        store.add_task(tasks[0])
        store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.9)
    reopened = ExperimentStore(str(path))  # no search space given: read it
    assert reopened.search_space == SPACE
    assert reopened.count() == 1
    assert reopened.task_names() == [tasks[0].name]
    reopened.close()


def test_store_without_search_space_takes_first_encodings(path, tasks):
    store = ExperimentStore(path)
    assert store.search_space is None
    store.add_task(tasks[0])
    ((encodings, scores),) = store.experiments([tasks[0]])
    assert encodings.shape == (0, 0) and scores.shape == (0,)
    store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    assert store.search_space == SPACE
    assert ExperimentStore(path).search_space == SPACE
    store.close()


# -- tasks -------------------------------------------------------------------
def test_add_task_stores_description_and_meta_features(store, tasks):
    record = store.get_task_record(tasks[1].name)
    assert record["name"] == tasks[1].name
    assert record["content_hash"] == tasks[1].content_hash
    assert (record["n_samples"], record["n_classes"], record["n_features"]) == (
        tasks[1].n_samples,
        tasks[1].n_classes,
        4,
    )
    assert record["is_text"] is False
    assert record["meta_feature_names"] == META_FEATURE_NAMES
    expected = compute_meta_features(tasks[1].X_train, tasks[1].y_train)
    np.testing.assert_array_equal(record["meta_features"], expected)
    assert store.task_names() == [task.name for task in tasks]
    # idempotent: same id, no new row
    assert store.add_task(tasks[1]) == record["id"]
    assert store.task_names() == [task.name for task in tasks]


def test_add_task_without_meta_features_then_with(path, tasks):
    store = ExperimentStore(path)
    task_id = store.add_task(tasks[0], meta_features=False)
    assert store.get_task_record(tasks[0].name)["meta_features"] is None
    assert store.add_task(tasks[0]) == task_id
    assert store.get_task_record(tasks[0].name)["meta_features"].shape == (17,)
    store.close()


def test_text_task_has_no_meta_features_until_set(path):
    texts = [f"text number {i}" for i in range(40)]
    task = Task("texts", texts, ["a", "b"] * 20)
    store = ExperimentStore(path)
    store.add_task(task)
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
    store.close()


def test_same_task_name_with_different_data_is_refused(store, tasks):
    other = Task(tasks[0].name, tasks[1].X, tasks[1].y)
    with pytest.raises(ValueError, match="already stored with different data"):
        store.add_task(other)


def test_same_task_data_with_another_split_is_refused(store, tasks):
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


# -- experiments ---------------------------------------------------------------
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
        assert scores.shape == (len(expected),)
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


def test_duplicate_experiment_is_ignored(store, tasks):
    assert store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    same = ArchitectureEncoding.from_vector(SPACE, _u(0).to_vector())
    reordered = dict(reversed(list(SETTINGS.items())))
    assert not store.record(
        tasks[0], same, seed=0, settings=reordered, val_accuracy=0.9
    )
    assert store.count() == 1
    ((_, scores),) = store.experiments([tasks[0]])
    assert scores.tolist() == [0.5]  # the first result is kept
    # another seed is another experiment
    assert store.record(tasks[0], _u(0), seed=1, settings=SETTINGS, val_accuracy=0.6)
    assert store.count() == 2


def test_record_many_in_one_transaction(store, tasks):
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
        tasks[0],
        _u(1),
        seed=0,
        settings=SETTINGS,
        status="failed",
        error="ResourceExhaustedError: out of memory",
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
    assert failed_record["error"] == "ResourceExhaustedError: out of memory"
    assert failed_record["val_accuracy"] is None


def test_record_validates_its_arguments(store, tasks):
    with pytest.raises(ValueError, match="needs a finite val_accuracy"):
        store.record(tasks[0], _u(0), seed=0, settings=SETTINGS)
    with pytest.raises(ValueError, match="needs a finite val_accuracy"):
        store.record(
            tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=float("nan")
        )
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
    with pytest.raises(ValueError, match="wrap it in a list"):
        store.experiments(tasks[0].name)  # a single name, not a list
    assert store.count() == 0


def test_encoding_from_another_search_space_is_refused(store, tasks):
    other = SearchSpace(n_layers=2, widths=(8, 32))
    with pytest.raises(ValueError, match="encoding from another search space"):
        store.record(
            tasks[0], _u(0, other), seed=0, settings=SETTINGS, val_accuracy=0.5
        )
    assert store.count() == 0


def test_timestamps_are_iso_utc(store, tasks):
    store.record(
        tasks[0],
        _u(0),
        seed=0,
        settings=SETTINGS,
        val_accuracy=0.5,
        started_at="2024-05-01T12:00:00+02:00",
    )
    (record,) = store.to_records()
    assert record["started_at"] == "2024-05-01T10:00:00.000+00:00"
    assert record["finished_at"].endswith("+00:00")
    assert record["package_version"]


# -- files that are not (this) store ---------------------------------------------
def test_store_for_another_search_space_is_refused_and_unchanged(path, tasks):
    with ExperimentStore(path, search_space=SPACE) as store:
        store.add_task(tasks[0])
        store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    before = path.read_bytes()
    other = SearchSpace(n_layers=3, widths=(8, 16))
    with pytest.raises(ValueError, match="made for another search space") as info:
        ExperimentStore(path, search_space=other)
    assert SPACE.fingerprint() in str(info.value)
    assert other.fingerprint() in str(info.value)
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match="made for another search space"):
        resolve_store(str(path), search_space=other)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [os.urandom(4096), b"task,accuracy\nwordnet-0,0.8\n" * 10],
    ids=["random-bytes", "text-file"],
)
def test_non_sqlite_file_is_refused_and_unchanged(tmp_path, content):
    path = tmp_path / "results.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not an skfti experiment store"):
        ExperimentStore(path)
    assert path.read_bytes() == content
    assert os.listdir(tmp_path) == ["results.csv"]


def test_foreign_sqlite_database_is_refused_and_unchanged(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO users (name) VALUES ('ada')")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ValueError, match="without skfti's 'meta' table"):
        ExperimentStore(path, search_space=SPACE)
    assert _tables(path) == {"users"}
    assert path.read_bytes() == before


def test_foreign_meta_table_is_refused(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('application', 'other')")
    con.commit()
    con.close()
    with pytest.raises(ValueError, match="application='other'"):
        ExperimentStore(path)
    assert _tables(path) == {"meta"}


def test_newer_schema_version_is_refused(path):
    ExperimentStore(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(ValueError, match="newer skfti"):
        ExperimentStore(path)


# -- pickling and processes ------------------------------------------------------
def test_pickled_store_reconnects(store, tasks):
    store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    payload = pickle.dumps(store)  # works while store holds an open connection
    assert b"sqlite3" not in payload
    clone = pickle.loads(payload)
    assert clone.path == store.path
    assert clone._con is None  # lazily reconnected
    assert clone.count() == 1
    assert clone.record(tasks[0], _u(1), seed=0, settings=SETTINGS, val_accuracy=0.6)
    assert store.count() == 2
    copied = copy.deepcopy(store)
    assert copied.count() == 2
    copied.close()
    clone.close()


def test_close_and_reuse(path, tasks):
    with ExperimentStore(path, search_space=SPACE) as store:
        store.add_task(tasks[0])
    assert store._con is None
    assert store.task_names() == [tasks[0].name]  # reopens
    store.close()


def test_two_processes_write_concurrently(store, tasks):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    processes = [
        context.Process(
            target=_write_from_process,
            args=(store, tasks[0].name, 50 * p, 50, barrier),
        )
        for p in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0, 0]
    assert store.count() == 100
    seeds = sorted(record["seed"] for record in store.to_records())
    assert seeds == list(range(100))
    assert store.integrity_check() == "ok"


def test_threads_share_one_store(store, tasks):
    def write(first_seed):
        for i in range(25):
            store.record(
                tasks[1],
                _u(i),
                seed=first_seed + i,
                settings=SETTINGS,
                val_accuracy=0.5,
            )

    threads = [threading.Thread(target=write, args=(25 * t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count(tasks[1]) == 100
    assert len(store.done(tasks[1], SETTINGS)) == 100


# -- export --------------------------------------------------------------------------
def test_to_records_and_to_csv(store, tasks, tmp_path):
    store.record(
        tasks[0],
        _u(0),
        seed=0,
        settings=SETTINGS,
        val_accuracy=0.5,
        test_accuracy=0.4,
        train_time=2.0,
    )
    store.record(
        tasks[1], _u(1), seed=7, settings=SETTINGS, status="failed", error="nan loss"
    )
    records = store.to_records()
    assert [r["task"] for r in records] == [tasks[0].name, tasks[1].name]
    first = records[0]
    assert first["encoding"] == _u(0).to_vector().tolist()
    assert first["settings"] == SETTINGS
    assert first["settings_hash"] == settings_hash(SETTINGS)
    assert first["encoding_hash"] == encoding_hash(_u(0))
    assert first["search_space_fingerprint"] == SPACE.fingerprint()
    assert (first["val_accuracy"], first["test_accuracy"], first["train_time"]) == (
        0.5,
        0.4,
        2.0,
    )
    assert (records[1]["seed"], records[1]["status"]) == (7, "failed")

    csv_path = tmp_path / "experiments.csv"
    store.to_csv(csv_path)
    with open(csv_path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2
    assert set(rows[0]) == set(first)
    assert rows[0]["task"] == tasks[0].name
    assert float(rows[0]["val_accuracy"]) == 0.5
    assert json.loads(rows[0]["encoding"]) == first["encoding"]
    assert json.loads(rows[0]["settings"]) == SETTINGS
    assert rows[1]["error"] == "nan loss" and rows[1]["val_accuracy"] == ""


def test_view_joins_task_names(store, tasks, path):
    store.record(tasks[2], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT task, val_accuracy FROM experiment_results")
        assert rows.fetchall() == [(tasks[2].name, 0.5)]
    finally:
        con.close()


# -- locations and resolution ----------------------------------------------------
def test_sqlite_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = ExperimentStore("sqlite:///sub/relative.sqlite")
    assert relative.path == str(tmp_path / "sub" / "relative.sqlite")
    assert (tmp_path / "sub" / "relative.sqlite").exists()
    absolute_path = tmp_path / "absolute.sqlite"
    absolute = open_store("sqlite:///" + str(absolute_path))  # sqlite:////tmp/...
    assert absolute.path == str(absolute_path)
    assert "meta" in _tables(absolute_path)
    relative.close()
    absolute.close()
    with pytest.raises(ValueError, match="must name a file"):
        ExperimentStore("sqlite://")
    with pytest.raises(ValueError, match="in-memory"):
        ExperimentStore("sqlite:///:memory:")


def test_other_url_schemes_name_the_backend_seam(monkeypatch):
    url = "postgresql://user@db.example/experiments"
    for opener in (ExperimentStore, open_store, resolve_store):
        with pytest.raises(NotImplementedError, match="STORE_BACKENDS"):
            opener(url)

    class FakeStore:
        def __init__(self, location, *, search_space=None, timeout=60.0):
            self.location = location

    monkeypatch.setitem(STORE_BACKENDS, "postgresql", FakeStore)
    assert open_store(url).location == url


def test_resolve_store(path):
    with pytest.raises(ValueError, match="store is required"):
        resolve_store(None)
    with pytest.raises(ValueError, match="store should be"):
        resolve_store(42)
    store = resolve_store(path, search_space=SPACE)
    assert isinstance(store, ExperimentStore)
    assert store.search_space == SPACE
    assert resolve_store(store) is store
    assert resolve_store(store, search_space=SPACE) is store
    with pytest.raises(ValueError, match="made for another search space"):
        resolve_store(store, search_space=SearchSpace(n_layers=1))
    store.close()


def test_resolve_store_records_search_space_in_new_store(path):
    store = resolve_store(ExperimentStore(path), search_space=SPACE)
    assert ExperimentStore(path).search_space == SPACE
    store.close()


def test_keys_are_stable():
    u = _u(3)
    assert encoding_hash(u) == encoding_hash(
        ArchitectureEncoding.from_json(u.to_json())
    )
    assert encoding_hash(u) != encoding_hash(_u(4))
    wider = SearchSpace(n_layers=2, widths=(8, 32))  # same n_dims, other space
    assert encoding_hash(u) != encoding_hash(
        ArchitectureEncoding.from_vector(wider, u.to_vector())
    )
    assert settings_hash({"a": 1, "b": np.int64(2)}) == settings_hash({"b": 2, "a": 1})
    assert settings_hash(None) == settings_hash({})
    with pytest.raises(ValueError, match="NaN"):
        settings_hash({"lr": float("nan")})


def test_import_does_not_import_tensorflow():
    code = "import sys, skfti.store; print('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
