"""The SQLite backend of the experiment store: one file, standard library only."""

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from numbers import Real
from typing import Any

import numpy as np

from skfti.meta_features import META_FEATURE_NAMES
from skfti.search_space import SearchSpace
from skfti.store import _schema
from skfti.store._base import BaseExperimentStore
from skfti.store._keys import settings_hash
from skfti.store._keys import task_name as task_name_of
from skfti.store._location import no_backend, parse_location
from skfti.store._sqlite_errors import is_read_only, open_error, read_only_error
from skfti.store._validation import (
    Experiment,
    check_meta_features,
    check_same_task,
    check_status,
    task_row,
    unknown_task,
    wanted_meta_features,
)
from skfti.task import Task

_INSERT_COLUMNS = (
    "task_id",
    "search_space_fingerprint",
    "encoding",
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
)
_INSERT = (
    f"INSERT OR IGNORE INTO experiments ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
)


@contextmanager
def _transaction(
    con: sqlite3.Connection, mode: str = "IMMEDIATE"
) -> Iterator[sqlite3.Connection]:
    """``BEGIN <mode>`` ... ``COMMIT``, rolled back on any exception."""
    con.execute(f"BEGIN {mode}")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _task_id(con: sqlite3.Connection, name: str) -> int:
    row = con.execute("SELECT id FROM tasks WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise unknown_task(name)
    return row[0]


def _task_row(con: sqlite3.Connection, name: str) -> dict[str, Any] | None:
    cursor = con.execute("SELECT * FROM tasks WHERE name = ?", (name,))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


class ExperimentStore(BaseExperimentStore):
    """Life-long database of child-model training experiments, in one SQLite file.

    The store records the tasks, and for each trained child model its
    architecture encoding, seed, training settings, accuracies and
    log-loss. It is safe to use from several processes at once on one
    machine, and it can be a parameter of a scikit-learn estimator: it
    pickles as its path and reconnects when first used.

    Parameters
    ----------
    location : str or path-like
        Path of the SQLite file (created if missing, with its parent
        directories), or a URL ``sqlite:///relative/path`` or
        ``sqlite:////absolute/path``. Other URL schemes raise
        ``NotImplementedError``: see :func:`open_store` for backends.
    search_space : SearchSpace, default=None
        The space the stored encodings belong to. A new store records it; a
        store that records another space raises ``ValueError``. With None the
        first recorded experiment sets the store's space.
    timeout : float, default=60.0
        Seconds to wait for another process's write lock before giving up
        (SQLite's ``busy_timeout``).

    Attributes
    ----------
    location : str or path-like
        The location as given.
    path : str
        Absolute path of the SQLite file.
    search_space : SearchSpace or None
        The space recorded in the store.

    See Also
    --------
    BaseExperimentStore : The contract, with the documentation of each method.
    resolve_store : Turn an estimator's ``store`` parameter into a store.
    skfti.store.encoding_hash, skfti.store.settings_hash : The keys of a row.

    Notes
    -----
    This is the "life-long database of model training experiments" of section
    3.2 and Fig. 1a of the paper; :meth:`experiments` yields the ``(u, v*)``
    pairs of Eq. 3 per task.

    The file holds the tables ``meta`` (``schema_version``, ``application``,
    ``search_space`` JSON, ...), ``tasks`` and ``experiments`` and the view
    ``experiment_results``, laid out in :mod:`skfti.store._schema` (schema
    version 2; a version 1 file is migrated in place, in one transaction, when
    first opened). An experiment is unique by task, search space fingerprint,
    :func:`encoding_hash`, seed and :func:`settings_hash`; recording it again
    changes nothing.

    The file uses SQLite's write-ahead log: readers never wait, writers wait
    up to ``timeout`` for each other. This needs all processes on one host
    with the file on a local disk, and a writable directory (SQLite creates
    ``-wal`` and ``-shm`` files next to the store). Across machines let one
    process write (as ``generate_population`` does: workers only train) or
    register a server backend in :data:`STORE_BACKENDS`. See
    ``docs/store.md``.

    Examples
    --------
    >>> import os, tempfile
    >>> from skfti import ArchitectureEncoding, SearchSpace
    >>> from skfti.datasets import make_task_family
    >>> from skfti.store import ExperimentStore
    >>> tmp = tempfile.TemporaryDirectory()
    >>> space = SearchSpace(n_layers=2, widths=(8, 16))
    >>> task = make_task_family(1, n_samples=60, n_features=4, random_state=0)[0]
    >>> store = ExperimentStore(os.path.join(tmp.name, "experiments.sqlite"),
    ...                         search_space=space)
    >>> task_id = store.add_task(task)
    >>> u = ArchitectureEncoding.random_one_hot(space, random_state=0)
    >>> store.record(task.name, u, seed=0, settings={"epochs": 5},
    ...              val_accuracy=0.75, val_log_loss=0.5, n_epochs=4)
    True
    >>> store.record(task.name, u, seed=0, settings={"epochs": 5},
    ...              val_accuracy=0.75)
    False
    >>> [(U.shape, v.tolist()) for U, v in store.experiments([task])]
    [((1, 13), [0.75])]
    >>> [v.tolist() for _, v in store.experiments([task], score="neg_log_loss")]
    [[-0.5]]
    >>> store.close()
    >>> tmp.cleanup()
    """

    def __init__(self, location, *, search_space=None, timeout=60.0) -> None:
        scheme, path = parse_location(location)
        if scheme != "sqlite":
            raise no_backend(scheme, os.fspath(location))
        if path == ":memory:":
            raise ValueError(
                "an in-memory SQLite store cannot be shared with other processes "
                "or pickled; use a file (e.g. in tempfile.mkdtemp())"
            )
        if search_space is not None and not isinstance(search_space, SearchSpace):
            raise TypeError(
                f"search_space must be a SearchSpace or None, got "
                f"{type(search_space).__name__}"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, Real) or timeout < 0:
            raise ValueError(f"timeout must be a number >= 0, got {timeout!r}")
        self.location = location
        self.path = os.path.abspath(os.path.expanduser(path))
        self.timeout = float(timeout)
        self._space: SearchSpace | None = search_space
        self._con: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._lock = threading.RLock()
        with self._lock:
            self._connection()  # validate (and create or migrate) the file now

    # -- connection ----------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        """The open connection of this process, opened (and checked) if needed."""
        if self._con is None or self._pid != os.getpid():
            # A connection inherited through fork must not be used (or closed).
            self._con = self._open()
            self._pid = os.getpid()
        return self._con

    def _connect(self) -> sqlite3.Connection:
        """A new connection to the file (tests replace it to open read-only)."""
        return sqlite3.connect(
            self.path,
            timeout=self.timeout,
            isolation_level=None,  # transactions are explicit
            check_same_thread=False,  # guarded by self._lock
        )

    def _open(self) -> sqlite3.Connection:
        parent = os.path.dirname(self.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        try:
            con = self._connect()
        except sqlite3.Error as exc:
            raise open_error(self.path, exc) from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # Read-only checks first: a foreign file must not be changed.
            meta = _schema.read_meta(con, self.path)
            setup = _schema.needs_setup(meta, self._space, self.path)
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")
            con.execute("PRAGMA foreign_keys = ON")
            if setup:  # create, migrate or complete, in one transaction
                with _transaction(con):
                    _schema.set_up(con, self._space, self.path)
        except sqlite3.Error as exc:
            con.close()
            raise open_error(self.path, exc) from exc
        except BaseException:
            con.close()
            raise
        return con

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                with _transaction(self._connection()) as con:
                    yield con
            except sqlite3.OperationalError as exc:
                if is_read_only(exc):
                    raise read_only_error(self.path, exc, "write to") from exc
                raise

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:  # one snapshot for the whole read
            with _transaction(self._connection(), "DEFERRED") as con:
                yield con

    def check_writable(self) -> None:
        probe = "UPDATE meta SET value = value WHERE key = 'schema_version'"
        with self._lock:
            con = self._connection()  # PermissionError if it cannot even open
            try:
                con.execute("BEGIN IMMEDIATE")  # takes the write lock
                try:  # a real write, rolled back: the file and -wal take writes
                    con.execute(probe)
                finally:
                    con.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                if is_read_only(exc):
                    raise read_only_error(self.path, exc, "write to") from exc
                raise

    def close(self) -> None:
        with self._lock:
            if self._con is not None and self._pid == os.getpid():
                self._con.close()
            self._con = None
            self._pid = None

    def __enter__(self) -> "ExperimentStore":
        return self

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_con"] = None
        state["_pid"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"ExperimentStore({self.path!r})"

    # -- search space ----------------------------------------------------------------
    @property
    def search_space(self) -> SearchSpace | None:
        if self._space is None:
            with self._lock:
                row = (
                    self._connection()
                    .execute("SELECT value FROM meta WHERE key = 'search_space'")
                    .fetchone()
                )
            if row is not None:
                self._space = SearchSpace.from_dict(json.loads(row[0]))
        return self._space

    def bind_search_space(self, search_space: SearchSpace) -> None:
        if not isinstance(search_space, SearchSpace):
            raise TypeError(
                f"search_space must be a SearchSpace, got {type(search_space).__name__}"
            )
        with self._writing() as con:
            _schema.set_up(con, search_space, self.path)
        self._space = search_space

    # -- tasks ---------------------------------------------------------------------
    def add_task(self, task: Task, *, meta_features: Any = False) -> int:
        if not isinstance(task, Task):
            raise TypeError(f"task must be a Task, got {type(task).__name__}")
        with self._lock:
            row = _task_row(self._connection(), task.name)
        if row is not None:
            check_same_task(task, row)
            if row["meta_features"] is not None or meta_features is False:
                return row["id"]
        values = wanted_meta_features(task, meta_features)
        new = task_row(task)
        new["is_text"] = int(new["is_text"])
        with self._writing() as con:
            con.execute(
                f"INSERT OR IGNORE INTO tasks ({', '.join(new)}) "
                f"VALUES ({', '.join('?' * len(new))})",
                tuple(new.values()),
            )
            row = _task_row(con, task.name)
            check_same_task(task, row)
            if values is not None and row["meta_features"] is None:
                self._write_meta_features(con, row["id"], values, META_FEATURE_NAMES)
        return row["id"]

    @staticmethod
    def _write_meta_features(
        con: sqlite3.Connection,
        task_id: int,
        values: np.ndarray,
        names: Sequence[str],
    ) -> None:
        con.execute(
            "UPDATE tasks SET meta_features = ?, meta_feature_names = ? WHERE id = ?",
            (json.dumps(values.tolist()), json.dumps(list(names)), task_id),
        )

    def set_meta_features(
        self, task_name: Any, values: Any, names: Sequence[str] = META_FEATURE_NAMES
    ) -> None:
        name = task_name_of(task_name)
        values, names = check_meta_features(values, names)
        with self._writing() as con:
            self._write_meta_features(con, _task_id(con, name), values, names)

    def task_names(self) -> list[str]:
        with self._lock:
            rows = self._connection().execute("SELECT name FROM tasks ORDER BY id")
            return [row[0] for row in rows]

    def get_task_record(self, name: Any) -> dict[str, Any]:
        name = task_name_of(name)
        with self._lock:
            row = _task_row(self._connection(), name)
        if row is None:
            raise unknown_task(name)
        row["is_text"] = bool(row["is_text"])
        if row["meta_features"] is not None:
            row["meta_features"] = np.asarray(
                json.loads(row["meta_features"]), dtype=np.float64
            )
        if row["meta_feature_names"] is not None:
            row["meta_feature_names"] = tuple(json.loads(row["meta_feature_names"]))
        return row

    # -- experiments -----------------------------------------------------------------
    def _insert_experiments(self, experiments: Sequence[Experiment]) -> int:
        inserted = 0
        with self._writing() as con:
            task_ids: dict[str, int] = {}
            for experiment in experiments:
                if experiment.task not in task_ids:
                    task_ids[experiment.task] = _task_id(con, experiment.task)
                values = [getattr(experiment, c) for c in _INSERT_COLUMNS[1:]]
                values[1] = json.dumps(list(experiment.encoding))  # encoding
                cursor = con.execute(_INSERT, [task_ids[experiment.task], *values])
                inserted += cursor.rowcount == 1
        return inserted

    def done(self, task_name: Any, settings: dict | None) -> set[tuple[str, int]]:
        name = task_name_of(task_name)
        key = settings_hash(settings)
        fingerprint = self._fingerprint()
        with self._reading() as con:
            rows = con.execute(
                "SELECT encoding_hash, seed FROM experiments WHERE task_id = ? AND "
                "search_space_fingerprint = ? AND settings_hash = ?",
                (_task_id(con, name), fingerprint, key),
            ).fetchall()
        return {(encoding_key, seed) for encoding_key, seed in rows}

    def _fingerprint(self) -> str | None:
        space = self.search_space
        return None if space is None else space.fingerprint()

    def _select_experiments(
        self,
        names: Sequence[str],
        *,
        settings_key: str | None,
        status: str | None,
        column: str,
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        if column not in ("val_accuracy", "val_log_loss"):
            raise ValueError(f"unknown score column {column!r}")
        space = self.search_space
        n_dims = 0 if space is None else space.n_dims
        fingerprint = self._fingerprint()
        query = (
            f"SELECT encoding, {column} FROM experiments WHERE task_id = ? AND "
            "search_space_fingerprint = ?"
        )
        extra: list[Any] = []
        if column == "val_log_loss":
            query += " AND val_log_loss IS NOT NULL"
        if status is not None:
            query += " AND status = ?"
            extra.append(status)
        if settings_key is not None:
            query += " AND settings_hash = ?"
            extra.append(settings_key)
        query += " ORDER BY id"
        results = []
        with self._reading() as con:
            for name in names:
                params = [_task_id(con, name), fingerprint, *extra]
                rows = con.execute(query, params).fetchall()
                encodings = np.array(
                    json.loads("[" + ",".join(row[0] for row in rows) + "]"),
                    dtype=np.float64,
                ).reshape(len(rows), n_dims)
                scores = np.array(
                    [np.nan if row[1] is None else row[1] for row in rows],
                    dtype=np.float64,
                )
                results.append((encodings, scores))
        return results

    def count(self, task_name: Any = None, status: str | None = None) -> int:
        check_status(status, allow_none=True)
        query = "SELECT COUNT(*) FROM experiments AS e"
        conditions, params = [], []
        with self._reading() as con:
            if task_name is not None:
                conditions.append("e.task_id = ?")
                params.append(_task_id(con, task_name_of(task_name)))
            if status is not None:
                conditions.append("e.status = ?")
                params.append(status)
            if conditions:
                query += " WHERE " + " AND ".join(conditions)
            return con.execute(query, params).fetchone()[0]

    # -- export and maintenance --------------------------------------------------------
    def to_records(self) -> list[dict[str, Any]]:
        columns = ", ".join(f"r.{column}" for column in _schema.EXPERIMENT_COLUMNS)
        query = (
            f"SELECT {columns} FROM (SELECT e.*, t.name AS task FROM experiments "
            "AS e JOIN tasks AS t ON t.id = e.task_id) AS r ORDER BY r.id"
        )
        with self._reading() as con:
            rows = con.execute(query).fetchall()
        records = []
        for row in rows:
            record = dict(zip(_schema.EXPERIMENT_COLUMNS, row, strict=True))
            record["encoding"] = json.loads(record["encoding"])
            record["settings"] = json.loads(record["settings"])
            records.append(record)
        return records

    def integrity_check(self) -> str:
        """Run SQLite's ``PRAGMA integrity_check``; "ok" for a sound file."""
        with self._lock:
            rows = self._connection().execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)
