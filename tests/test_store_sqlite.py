"""The SQLite backend: file format, migrations, safety checks, processes."""

import copy
import json
import multiprocessing
import os
import pickle
import sqlite3
import tempfile
import threading

import pytest

from skfti import ArchitectureEncoding, SearchSpace
from skfti.datasets import make_task_family
from skfti.store import SCHEMA_VERSION, ExperimentStore, _schema, resolve_store

SPACE = SearchSpace(n_layers=2, widths=(8, 16))
SETTINGS = {"epochs": 3, "batch_size": 16}

# The layout of schema version 1, as skfti 0.1.0.dev0 wrote it before version 2.
V1_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE tasks (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,
    content_hash TEXT NOT NULL, split_hash TEXT, n_samples INTEGER NOT NULL,
    n_classes INTEGER NOT NULL, n_features INTEGER, is_text INTEGER NOT NULL,
    meta_features TEXT, meta_feature_names TEXT, created_at TEXT NOT NULL)""",
    """CREATE TABLE experiments (id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    search_space_fingerprint TEXT NOT NULL, encoding TEXT NOT NULL,
    encoding_hash TEXT NOT NULL, seed INTEGER NOT NULL, settings TEXT NOT NULL,
    settings_hash TEXT NOT NULL, val_accuracy REAL, test_accuracy REAL,
    train_time REAL, status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT, started_at TEXT, finished_at TEXT, package_version TEXT,
    UNIQUE (task_id, search_space_fingerprint, encoding_hash, seed, settings_hash))""",
    """CREATE VIEW experiment_results AS
SELECT e.id, t.name AS task, e.search_space_fingerprint, e.encoding_hash,
       e.seed, e.settings, e.val_accuracy, e.test_accuracy, e.train_time,
       e.status, e.error, e.started_at, e.finished_at, e.package_version,
       e.encoding
FROM experiments AS e JOIN tasks AS t ON t.id = e.task_id""",
)


def _u(i, space=SPACE):
    return ArchitectureEncoding.random_one_hot(space, random_state=i)


def _tables(path):
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        )
        return {name for (name,) in rows}
    finally:
        con.close()


def _columns(path, table):
    con = sqlite3.connect(path)
    try:
        return [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
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


# -- file format ---------------------------------------------------------------------
def test_new_store_has_schema_wal_and_meta(path):
    store = ExperimentStore(path, search_space=SPACE)
    assert _tables(path) >= {"meta", "tasks", "experiments", "experiment_results"}
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(con.execute("SELECT key, value FROM meta"))
        unique = [r for r in con.execute("PRAGMA index_list(experiments)") if r[2]]
    finally:
        con.close()
    assert meta["schema_version"] == str(SCHEMA_VERSION) == "2"
    assert meta["application"] == "skfti"
    assert json.loads(meta["search_space"]) == SPACE.to_dict()
    assert meta["search_space_fingerprint"] == SPACE.fingerprint()
    assert meta["created_at"].endswith("+00:00")
    assert len(unique) == 1
    assert _columns(path, "experiments")[-2:] == ["val_log_loss", "n_epochs"]
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


def test_view_joins_task_names_and_new_columns(store, tasks, path):
    store.record(
        tasks[2], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5, n_epochs=4
    )
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT task, val_accuracy, val_log_loss, n_epochs FROM experiment_results"
        )
        assert rows.fetchall() == [(tasks[2].name, 0.5, None, 4)]
    finally:
        con.close()


# -- migrations ------------------------------------------------------------------
def _write_v1_store(path, task):
    """A version 1 file as the old code wrote it: one task, two experiments."""
    con = sqlite3.connect(path)
    with con:
        for statement in V1_SCHEMA:
            con.execute(statement)
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("schema_version", "1"),
                ("application", "skfti"),
                ("search_space", json.dumps(SPACE.to_dict(), sort_keys=True)),
                ("search_space_fingerprint", SPACE.fingerprint()),
                ("created_at", "2024-01-01T00:00:00.000+00:00"),
                ("created_with", "skfti 0.1.0.dev0"),
            ],
        )
        con.execute(
            "INSERT INTO tasks VALUES (1, ?, ?, NULL, 60, 4, 4, 0, NULL, NULL, 'x')",
            (task.name, task.content_hash),
        )
        for seed, status, val in [(0, "ok", 0.75), (1, "failed", None)]:
            con.execute(
                "INSERT INTO experiments VALUES (NULL, 1, ?, ?, ?, ?, ?, ?, ?, 0.5, "
                "2.0, ?, NULL, NULL, '2024-01-01T00:00:00.000+00:00', 'old')",
                (
                    SPACE.fingerprint(),
                    json.dumps(_u(seed).to_vector().tolist()),
                    f"hash{seed}",
                    seed,
                    '{"epochs":3}',
                    f"settings{seed}",
                    val,
                    status,
                ),
            )
    con.close()


def test_version_1_store_is_migrated_in_place(path, tasks):
    _write_v1_store(path, tasks[0])
    con = sqlite3.connect(path)
    before = con.execute("SELECT * FROM experiments ORDER BY id").fetchall()
    con.close()
    store = ExperimentStore(path, search_space=SPACE)
    con = sqlite3.connect(path)
    try:
        version = con.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
        after = con.execute("SELECT * FROM experiments ORDER BY id").fetchall()
        created = con.execute("SELECT value FROM meta WHERE key = 'created_at'")
        assert created.fetchone() == ("2024-01-01T00:00:00.000+00:00",)
    finally:
        con.close()
    assert version == ("2",)
    assert [row[:-2] for row in after] == before  # nothing recorded is lost
    assert [row[-2:] for row in after] == [(None, None), (None, None)]
    assert _columns(path, "experiments") == _columns(
        ExperimentStore(path.parent / "new.sqlite").path, "experiments"
    )
    ((_, scores),) = store.experiments([tasks[0]])
    assert scores.tolist() == [0.75]
    records = store.to_records()
    assert [r["val_log_loss"] for r in records] == [None, None]
    assert store.record(
        tasks[0], _u(5), seed=5, settings=SETTINGS, val_accuracy=1, val_log_loss=0.1
    )
    ((_, losses),) = store.experiments([tasks[0]], score="neg_log_loss")
    assert losses.tolist() == [-0.1]
    assert store.integrity_check() == "ok"
    store.close()


def test_failed_migration_leaves_the_version_1_file_unchanged(path, tasks, monkeypatch):
    _write_v1_store(path, tasks[0])
    before = path.read_bytes()
    migrate = _schema.MIGRATIONS[1]

    def migrate_then_fail(con):
        migrate(con)  # the columns are added, then something goes wrong
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(_schema.MIGRATIONS, 1, migrate_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ExperimentStore(path)
    assert "val_log_loss" not in _columns(path, "experiments")
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT COUNT(*) FROM experiments").fetchone() == (2,)
        version = con.execute("SELECT value FROM meta WHERE key='schema_version'")
        assert version.fetchone() == ("1",)
    finally:
        con.close()
    monkeypatch.setitem(_schema.MIGRATIONS, 1, migrate)
    assert ExperimentStore(path).count() == 2  # a later open migrates it
    assert len(before) > 0


def test_newer_schema_version_is_refused(path):
    ExperimentStore(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(ValueError, match="newer skfti"):
        ExperimentStore(path)


# -- files that are not (this) store -------------------------------------------------
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


# -- read-only places ---------------------------------------------------------------
def _run_unprivileged(func, *args):
    """Run ``func(*args)`` without root's right to ignore file permissions.

    As root, in a forked child that switches to the user ``nobody``; as
    another user, in this process. Returns ``(exception type, message)`` or
    ``(None, result)``.
    """

    def call():
        try:
            return None, func(*args)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            return type(exc).__name__, str(exc)

    if os.geteuid() != 0:
        return call()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def child():
        os.setgid(65534)
        os.setuid(65534)
        queue.put(call())

    process = context.Process(target=child)
    process.start()
    result = queue.get(timeout=60)
    process.join(timeout=60)
    return result


def _open_store(path):
    with ExperimentStore(path) as store:
        return store.count()


def _check_writable(path):
    with ExperimentStore(path) as store:
        count = store.count()  # reading works
        store.check_writable()
        return count


@pytest.fixture
def shared_dir():
    # Under /tmp, not tmp_path: the user nobody must be able to reach it.
    directory = tempfile.mkdtemp()
    os.chmod(directory, 0o755)
    yield directory
    os.chmod(directory, 0o755)
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    os.rmdir(directory)


def _filled_store(directory, tasks):
    path = os.path.join(directory, "experiments.sqlite")
    with ExperimentStore(path, search_space=SPACE) as store:
        store.add_task(tasks[0])
        store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    assert os.listdir(directory) == ["experiments.sqlite"]  # WAL checkpointed
    return path


def test_wal_store_in_read_only_directory_is_not_called_damaged(shared_dir, tasks):
    path = _filled_store(shared_dir, tasks)
    before = open(path, "rb").read()
    if os.geteuid() != 0:
        os.chmod(shared_dir, 0o555)
    kind, message = _run_unprivileged(_open_store, path)
    assert kind == "PermissionError", message
    assert "not an SQLite database" not in message
    assert f"its directory {shared_dir} is read-only" in message
    assert "intact" in message and path in message
    assert open(path, "rb").read() == before


def test_check_writable_on_read_only_file(shared_dir, tasks):
    path = _filled_store(shared_dir, tasks)
    os.chmod(path, 0o444)
    os.chmod(shared_dir, 0o777)  # the directory is writable, the file is not
    kind, message = _run_unprivileged(_check_writable, path)
    assert kind == "PermissionError", message
    assert f"the file {path} is read-only" in message and "intact" in message
    os.chmod(path, 0o644)
    assert ExperimentStore(path).count() == 1


class _ReadOnlyStore(ExperimentStore):
    """Opens its file with SQLite's ``mode=ro``, as a read-only mount would."""

    def _connect(self):
        return sqlite3.connect(
            f"file:{self.path}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )


def test_check_writable_refuses_a_read_only_connection(path, tasks):
    ExperimentStore(path, search_space=SPACE).close()
    store = _ReadOnlyStore(path)  # works even as root
    assert store.count() == 0
    with pytest.raises(PermissionError, match="cannot write to the experiment"):
        store.check_writable()
    with pytest.raises(PermissionError, match="intact"):
        store.add_task(tasks[0])  # any write says so, not a raw sqlite3 error
    store.close()
    ExperimentStore(path).check_writable()  # the file itself is fine


# -- pickling and processes ---------------------------------------------------------
def _write_from_process(store, task_name, first_seed, n, barrier, queue):
    # Runs in a spawned process: the store arrives pickled, without connection.
    barrier.wait(timeout=60)  # both processes write at the same time
    inserted = 0
    for i in range(n):
        inserted += store.record(
            task_name, _u(i), seed=first_seed + i, settings=SETTINGS, val_accuracy=0.5
        )
    queue.put(inserted)
    store.close()


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


@pytest.mark.parametrize("overlap", [False, True], ids=["disjoint", "overlapping"])
def test_two_processes_count_what_they_insert(store, tasks, overlap):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    queue = context.Queue()
    first_seeds = [0, 0] if overlap else [0, 40]
    processes = [
        context.Process(
            target=_write_from_process,
            args=(store, tasks[0].name, first, 40, barrier, queue),
        )
        for first in first_seeds
    ]
    for process in processes:
        process.start()
    inserted = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0, 0]
    n_rows = 40 if overlap else 80
    assert store.count() == n_rows
    assert sum(inserted) == n_rows  # not 2 x 40 when they overlap
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


def test_two_handles_on_one_file_count_inserted_rows(path, tasks):
    first = ExperimentStore(path, search_space=SPACE)
    second = ExperimentStore(path)
    first.add_task(tasks[0])
    rows = [
        dict(
            task_name=tasks[0].name,
            encoding=_u(i),
            seed=i,
            settings=SETTINGS,
            val_accuracy=0.5,
        )
        for i in range(20)
    ]
    assert first.record_many(rows[:12]) == 12
    assert second.record_many(rows) == 8
    assert second.count() == 20
    first.close()
    second.close()
