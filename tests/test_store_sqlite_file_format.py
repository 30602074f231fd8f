"""The SQLite backend's file: its format, its migrations, files that are no store."""

import json
import os
import sqlite3

import pytest
from store_testing import SETTINGS, SPACE, _u

from skfti import SearchSpace
from skfti.store import SCHEMA_VERSION, ExperimentStore, _schema, resolve_store

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


def test_view_joins_task_names_and_new_columns(sqlite_store, tasks, path):
    sqlite_store.record(
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
