"""The SQLite file format of the experiment store: tables, version, migrations.

Everything that knows the layout of the file lives here: the ``CREATE``
statements of the current version (:data:`SCHEMA_VERSION`), the migrations
from each older version, and the checks that recognise a store when a file is
opened. A new version adds its statements to :data:`TABLES`, a function to
:data:`MIGRATIONS` and bumps :data:`SCHEMA_VERSION`.
"""

import json
import sqlite3
from collections.abc import Callable

from skfti.search_space import SearchSpace
from skfti.store._values import now, package_version

SCHEMA_VERSION = 2
"""Version of the table layout written by this module.

1. First layout.
2. ``experiments.val_log_loss`` (REAL) and ``experiments.n_epochs`` (INTEGER),
   nullable, in the view ``experiment_results`` too.
"""

APPLICATION = "skfti"
STATUSES = ("ok", "failed")

TABLES = (
    """CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
)""",
    """CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    name TEXT UNIQUE NOT NULL,
    content_hash TEXT NOT NULL,
    split_hash TEXT,
    n_samples INTEGER NOT NULL,
    n_classes INTEGER NOT NULL,
    n_features INTEGER,
    is_text INTEGER NOT NULL,
    meta_features TEXT,
    meta_feature_names TEXT,
    created_at TEXT NOT NULL
)""",
    # Columns added by a migration come last, so that a migrated file and a
    # new one have the same layout.
    """CREATE TABLE IF NOT EXISTS experiments (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    search_space_fingerprint TEXT NOT NULL,
    encoding TEXT NOT NULL,
    encoding_hash TEXT NOT NULL,
    seed INTEGER NOT NULL,
    settings TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    val_accuracy REAL,
    test_accuracy REAL,
    train_time REAL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    started_at TEXT,
    finished_at TEXT,
    package_version TEXT,
    val_log_loss REAL,
    n_epochs INTEGER,
    UNIQUE (task_id, search_space_fingerprint, encoding_hash, seed, settings_hash)
)""",
    # The UNIQUE key's index starts with task_id, so it also serves lookups by
    # task; a separate index on task_id would only slow down inserts.
)

VIEW = """CREATE VIEW IF NOT EXISTS experiment_results AS
SELECT e.id, t.name AS task, e.search_space_fingerprint, e.encoding_hash,
       e.seed, e.settings, e.val_accuracy, e.val_log_loss, e.test_accuracy,
       e.train_time, e.n_epochs, e.status, e.error, e.started_at,
       e.finished_at, e.package_version, e.encoding
FROM experiments AS e JOIN tasks AS t ON t.id = e.task_id"""

EXPERIMENT_COLUMNS = (
    "id",
    "task",
    "search_space_fingerprint",
    "encoding_hash",
    "seed",
    "settings",
    "settings_hash",
    "val_accuracy",
    "val_log_loss",
    "test_accuracy",
    "train_time",
    "n_epochs",
    "status",
    "error",
    "started_at",
    "finished_at",
    "package_version",
    "encoding",
)
"""Columns of :meth:`~skfti.store.BaseExperimentStore.to_records`, in order."""

_STORE_TABLES = frozenset({"tasks", "experiments", "experiment_results"})


# -- migrations -----------------------------------------------------------------
def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}


def _migrate_1_to_2(con: sqlite3.Connection) -> None:
    present = _columns(con, "experiments")
    for column, kind in (("val_log_loss", "REAL"), ("n_epochs", "INTEGER")):
        if column not in present:
            con.execute(f"ALTER TABLE experiments ADD COLUMN {column} {kind}")
    con.execute("DROP VIEW IF EXISTS experiment_results")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2}
"""``MIGRATIONS[v](con)`` turns a version ``v`` file into version ``v + 1``."""


# -- recognising and setting up a file ------------------------------------------
def read_meta(con: sqlite3.Connection, path: str) -> dict[str, str] | None:
    """The ``meta`` rows of an skfti store; None for an empty database.

    Only reads. Raises ``ValueError`` for a database that is not an skfti
    store; ``sqlite3.DatabaseError`` passes through (the caller says why).
    """
    names = {
        row[0]
        for row in con.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        )
    }
    if not names:
        return None
    if "meta" not in names:
        raise ValueError(
            f"{path} is not an skfti experiment store: it is an SQLite database "
            f"without skfti's 'meta' table (it has {', '.join(sorted(names))}). "
            "Nothing was written to it."
        )
    try:
        meta = dict(con.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as exc:
        raise ValueError(
            f"{path} is not an skfti experiment store: its 'meta' table is not "
            f"skfti's ({exc})."
        ) from exc
    if meta.get("application") != APPLICATION:
        raise ValueError(
            f"{path} is not an skfti experiment store: its meta table records "
            f"application={meta.get('application')!r}."
        )
    meta["_complete"] = str(int(_STORE_TABLES <= names))
    return meta


def schema_version(meta: dict[str, str], path: str) -> int:
    """The file's schema version; ValueError if this skfti cannot read it."""
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise ValueError(
            f"{path} is a damaged skfti experiment store: schema_version is "
            f"{meta.get('schema_version')!r}."
        ) from None
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"{path} was written by a newer skfti (store schema version {version}; "
            f"this skfti reads up to version {SCHEMA_VERSION}). Upgrade skfti to "
            "use it."
        )
    if version < 1:
        raise ValueError(f"{path} has an unknown store schema version {version}.")
    return version


def check_search_space(
    meta: dict[str, str], space: SearchSpace | None, path: str
) -> None:
    """Raise ValueError if the file records a space other than ``space``."""
    recorded = meta.get("search_space")
    if recorded is None or space is None:
        return
    check_same_space(SearchSpace.from_dict(json.loads(recorded)), space, path)


def check_same_space(stored: SearchSpace, space: SearchSpace, path: str) -> None:
    """Raise ValueError if the space a store records is not ``space``."""
    if stored.fingerprint() != space.fingerprint():
        raise ValueError(
            f"the experiment store {path} was made for another search space: it "
            f"records {stored} (fingerprint {stored.fingerprint()}), but {space} "
            f"(fingerprint {space.fingerprint()}) was given."
        )


def needs_setup(
    meta: dict[str, str] | None, space: SearchSpace | None, path: str
) -> bool:
    """Check a file read with :func:`read_meta`; return whether to write to it."""
    if meta is None:
        return True  # a new (or empty) database
    version = schema_version(meta, path)
    check_search_space(meta, space, path)
    return (
        version < SCHEMA_VERSION
        or meta["_complete"] == "0"
        or (meta.get("search_space") is None and space is not None)
    )


def set_up(con: sqlite3.Connection, space: SearchSpace | None, path: str) -> None:
    """Create, migrate and complete the store, inside a write transaction.

    Checks the file again (another process may have set it up since it was
    read), runs the migrations from its version to :data:`SCHEMA_VERSION`,
    creates what is missing and records ``space`` if the file has none.
    """
    meta = read_meta(con, path)
    if not needs_setup(meta, space, path):
        return
    version = SCHEMA_VERSION if meta is None else schema_version(meta, path)
    for old in range(version, SCHEMA_VERSION):
        MIGRATIONS[old](con)
    for statement in (*TABLES, VIEW):
        con.execute(statement)
    write_meta(con, space)


def write_meta(con: sqlite3.Connection, space: SearchSpace | None) -> None:
    """Write the meta rows: the current version, and those that are missing."""
    rows = [
        ("application", APPLICATION),
        ("created_at", now()),
        ("created_with", f"skfti {package_version()}"),
    ]
    if space is not None:
        rows += [
            ("search_space", json.dumps(space.to_dict(), sort_keys=True)),
            ("search_space_fingerprint", space.fingerprint()),
        ]
    con.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", rows)
    con.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )
