"""The life-long database of child-model training experiments (paper, Fig. 1a).

Every trained child model becomes one row: the task it was trained on, its
architecture encoding ``u``, the seed and training settings, and its validation
accuracy ``v``. The value network of section 3.2 learns from these rows, and the
store keeps them across runs so that later runs only train what is missing.

:class:`ExperimentStore` keeps the rows in one SQLite file (standard library
:mod:`sqlite3`) that can be copied, backed up and queried with any SQLite tool.
:func:`resolve_store` turns an estimator's ``store`` parameter into a store;
:data:`STORE_BACKENDS` and :func:`open_store` are where a server database
backend plugs in.
"""

import csv
import hashlib
import io
import json
import math
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from numbers import Integral, Real
from typing import Any, Iterator

import numpy as np

from skfti.encoding import ArchitectureEncoding
from skfti.meta_features import META_FEATURE_NAMES, compute_meta_features
from skfti.search_space import SearchSpace
from skfti.task import Task

__all__ = [
    "STORE_BACKENDS",
    "ExperimentStore",
    "encoding_hash",
    "open_store",
    "resolve_store",
    "settings_hash",
]

SCHEMA_VERSION = 1
"""Version of the table layout written by this module."""

_APPLICATION = "skfti"
_STATUSES = ("ok", "failed")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")

_SCHEMA = (
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
    UNIQUE (task_id, search_space_fingerprint, encoding_hash, seed, settings_hash)
)""",
    # The UNIQUE key's index starts with task_id, so it also serves lookups by
    # task; a separate index on task_id would only slow down inserts.
    """CREATE VIEW IF NOT EXISTS experiment_results AS
SELECT e.id, t.name AS task, e.search_space_fingerprint, e.encoding_hash,
       e.seed, e.settings, e.val_accuracy, e.test_accuracy, e.train_time,
       e.status, e.error, e.started_at, e.finished_at, e.package_version,
       e.encoding
FROM experiments AS e JOIN tasks AS t ON t.id = e.task_id""",
)

_EXPERIMENT_COLUMNS = (
    "id",
    "task",
    "search_space_fingerprint",
    "encoding_hash",
    "seed",
    "settings",
    "settings_hash",
    "val_accuracy",
    "test_accuracy",
    "train_time",
    "status",
    "error",
    "started_at",
    "finished_at",
    "package_version",
    "encoding",
)


# -- keys shared with the population code -----------------------------------
def encoding_hash(encoding) -> str:
    """Key of an architecture encoding in the store.

    Parameters
    ----------
    encoding : ArchitectureEncoding
        The encoding.

    Returns
    -------
    key : str
        sha256 hex digest of the search space's fingerprint followed by the
        little-endian ``float64`` bytes of ``encoding.to_vector()``. Equal
        encodings of the same space give the same key in every process.

    Examples
    --------
    >>> from skfti import ArchitectureEncoding, SearchSpace
    >>> from skfti.store import encoding_hash
    >>> space = SearchSpace(n_layers=2, widths=(8, 16))
    >>> u = ArchitectureEncoding.random_one_hot(space, random_state=0)
    >>> v = ArchitectureEncoding.from_vector(space, u.to_vector())
    >>> encoding_hash(u) == encoding_hash(v), len(encoding_hash(u))
    (True, 64)
    """
    if not isinstance(encoding, ArchitectureEncoding):
        raise TypeError(
            f"encoding must be an ArchitectureEncoding, got {type(encoding).__name__}"
        )
    # "+ 0.0" turns -0.0 into 0.0, so that equal weights give equal bytes.
    vector = np.ascontiguousarray(encoding.to_vector(), dtype="<f8") + 0.0
    digest = hashlib.sha256(encoding.search_space.fingerprint().encode("ascii"))
    digest.update(vector.astype("<f8").tobytes())
    return digest.hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(
        f"settings must be JSON data (dict, list, str, int, float, bool, None); "
        f"got a {type(value).__name__}: {value!r}"
    )


def _canonical_settings(settings: Any) -> str:
    """Canonical JSON text of a settings mapping (sorted keys, no spaces)."""
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict, got {type(settings).__name__}")
    try:
        return json.dumps(
            settings,
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=False,
            default=_json_default,
        )
    except ValueError as exc:
        raise ValueError(f"settings must not contain NaN or infinity: {exc}") from exc


def settings_hash(settings) -> str:
    """Key of the training settings of an experiment.

    Parameters
    ----------
    settings : dict or None
        JSON-serialisable training settings (epochs, batch size, ...);
        NumPy scalars and arrays are accepted. ``None`` means ``{}``.

    Returns
    -------
    key : str
        sha256 hex digest of the canonical JSON of ``settings`` (sorted keys,
        compact separators), so the order of the keys does not matter.

    Examples
    --------
    >>> from skfti.store import settings_hash
    >>> settings_hash({"epochs": 3, "lr": 0.01}) == settings_hash(
    ...     {"lr": 0.01, "epochs": 3})
    True
    """
    text = _canonical_settings(settings)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- small helpers ------------------------------------------------------------
def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _timestamp(value: Any, name: str) -> str | None:
    """ISO 8601 UTC text of a datetime or ISO string (None passes through)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(
                f"{name} must be a datetime or ISO 8601 text, got {value!r}"
            ) from exc
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None:  # naive times are taken to be UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _optional_float(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a float or None, got {value!r}")
    value = float(value)
    return value if math.isfinite(value) else None


def _package_version() -> str:
    import skfti  # at call time: skfti/__init__ may import this module

    return getattr(skfti, "__version__", "unknown")


def _task_name(task: Any) -> str:
    if isinstance(task, Task):
        return task.name
    if isinstance(task, str):
        return task
    raise TypeError(f"a task must be a Task or a task name, got {type(task).__name__}")


def _split_hash(task: Task) -> str:
    digest = hashlib.sha256()
    for index in (task.train_index_, task.val_index_, task.test_index_):
        index = np.ascontiguousarray(index, dtype="<i8")
        digest.update(len(index).to_bytes(8, "little"))
        digest.update(index.tobytes())
    return digest.hexdigest()


def _parse_location(location: Any) -> tuple[str, str]:
    """Split a store location into ``(scheme, rest)``; plain paths are sqlite."""
    if isinstance(location, os.PathLike):
        location = os.fspath(location)
    if isinstance(location, bytes):
        location = os.fsdecode(location)
    if not isinstance(location, str) or not location:
        raise TypeError(
            "a store location must be a path or a URL such as 'sqlite:///file', "
            f"got {location!r}"
        )
    match = _URL_SCHEME.match(location)
    if match is None:
        return "sqlite", location
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        # SQLAlchemy spelling: sqlite:///relative/path, sqlite:////absolute/path.
        if not location.startswith("sqlite:///") or len(location) == 10:
            raise ValueError(
                f"a sqlite URL must name a file, as in 'sqlite:///relative/path' or "
                f"'sqlite:////absolute/path'; got {location!r}"
            )
        return scheme, location[len("sqlite:///") :]
    return scheme, location


def _no_backend(scheme: str, location: str) -> NotImplementedError:
    return NotImplementedError(
        f"no experiment store backend for {scheme}:// URLs ({location!r}). skfti "
        "ships the SQLite backend only (a path or 'sqlite:///path'); a server "
        "database plugs in by registering a store class under its URL scheme in "
        f"skfti.store.STORE_BACKENDS (e.g. STORE_BACKENDS[{scheme!r}] = MyStore), "
        "which open_store and resolve_store then use."
    )


class ExperimentStore:
    """Life-long database of child-model training experiments, in one SQLite file.

    The store records the tasks, and for each trained child model its
    architecture encoding, seed, training settings and accuracies. It is
    safe to use from several processes at once on one machine, and it can be
    a parameter of a scikit-learn estimator: it pickles as its path and
    reconnects when first used.

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
    resolve_store : Turn an estimator's ``store`` parameter into a store.
    skfti.store.encoding_hash, skfti.store.settings_hash : The keys of a row.

    Notes
    -----
    This is the "life-long database of model training experiments" of section
    3.2 and Fig. 1a of the paper; :meth:`experiments` yields the ``(u, v*)``
    pairs of Eq. 3 per task, and the ``tasks`` table their meta-features ``z``.

    The file holds the tables ``meta`` (``key``, ``value``: ``schema_version``,
    ``application``, ``search_space`` JSON, ``search_space_fingerprint``,
    ``created_at``, ``created_with``), ``tasks`` (one row per task: ``name``,
    ``content_hash``, ``split_hash``, sizes, ``meta_features`` as a JSON list
    in the order of ``meta_feature_names``) and ``experiments`` (one row per
    trained child: ``task_id``, ``encoding`` as a JSON list, ``seed``,
    ``settings`` as canonical JSON, accuracies, ``status`` 'ok' or 'failed',
    ``error``, times in ISO 8601 UTC), and the view ``experiment_results``
    (experiments joined with task names). An experiment is unique by task,
    search space fingerprint, :func:`encoding_hash`, seed and
    :func:`settings_hash`; recording it again changes nothing.

    The file uses SQLite's write-ahead log: readers never wait, writers wait
    up to ``timeout`` for each other. This needs all processes on one host
    with the file on a local disk; SQLite over NFS or SMB does not promise
    working locks. Across machines let one process write (as
    ``generate_population`` does: workers only train) or register a server
    backend in :data:`STORE_BACKENDS`. See ``docs/store.md``.

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
    ...              val_accuracy=0.75)
    True
    >>> store.record(task.name, u, seed=0, settings={"epochs": 5},
    ...              val_accuracy=0.75)
    False
    >>> [(U.shape, v.tolist()) for U, v in store.experiments([task])]
    [((1, 13), [0.75])]
    >>> store.close()
    >>> tmp.cleanup()
    """

    def __init__(self, location, *, search_space=None, timeout=60.0):
        scheme, path = _parse_location(location)
        if scheme != "sqlite":
            raise _no_backend(scheme, os.fspath(location))
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
            self._connection()  # validate (and create) the file now

    # -- connection ----------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        """The open connection of this process, opened (and checked) if needed."""
        if self._con is None or self._pid != os.getpid():
            # A connection inherited through fork must not be used (or closed).
            self._con = self._open()
            self._pid = os.getpid()
        return self._con

    def _open(self) -> sqlite3.Connection:
        parent = os.path.dirname(self.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        try:
            con = sqlite3.connect(
                self.path,
                timeout=self.timeout,
                isolation_level=None,  # transactions are explicit
                check_same_thread=False,  # guarded by self._lock
            )
        except sqlite3.Error as exc:
            raise ValueError(
                f"cannot open the experiment store {self.path}: {exc}"
            ) from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # Read-only checks first: a foreign file must not be changed.
            needs_setup = self._check_file(con, self._space)
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")
            con.execute("PRAGMA foreign_keys = ON")
            if needs_setup:
                with self._transaction(con):
                    # Check again under the write lock: another process may have
                    # set the file up since.
                    if self._check_file(con, self._space):
                        for statement in _SCHEMA:
                            con.execute(statement)
                        self._initialize_meta(con, self._space)
        except BaseException:
            con.close()
            raise
        return con

    def _check_file(self, con: sqlite3.Connection, space: SearchSpace | None) -> bool:
        """Check that the file is a compatible store; return whether it needs setup."""
        try:
            names = {
                row[0]
                for row in con.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                )
            }
        except sqlite3.DatabaseError as exc:
            raise ValueError(
                f"{self.path} is not an skfti experiment store: it is not an SQLite "
                f"database ({exc}). The file was left unchanged."
            ) from exc
        if not names:
            return True  # a new (or empty) database
        if "meta" not in names:
            raise ValueError(
                f"{self.path} is not an skfti experiment store: it is an SQLite "
                f"database without skfti's 'meta' table (it has "
                f"{', '.join(sorted(names))}). Nothing was written to it."
            )
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise ValueError(
                f"{self.path} is not an skfti experiment store: its 'meta' table is "
                f"not skfti's ({exc})."
            ) from exc
        if meta.get("application") != _APPLICATION:
            raise ValueError(
                f"{self.path} is not an skfti experiment store: its meta table "
                f"records application={meta.get('application')!r}."
            )
        try:
            version = int(meta.get("schema_version", ""))
        except ValueError:
            raise ValueError(
                f"{self.path} is a damaged skfti experiment store: schema_version "
                f"is {meta.get('schema_version')!r}."
            ) from None
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"{self.path} was written by a newer skfti (store schema version "
                f"{version}; this skfti reads up to version {SCHEMA_VERSION}). "
                "Upgrade skfti to use it."
            )
        recorded = meta.get("search_space")
        if recorded is not None and space is not None:
            stored = SearchSpace.from_dict(json.loads(recorded))
            if stored.fingerprint() != space.fingerprint():
                raise ValueError(
                    f"the experiment store {self.path} was made for another search "
                    f"space: it records {stored} (fingerprint "
                    f"{stored.fingerprint()}), but {space} (fingerprint "
                    f"{space.fingerprint()}) was given."
                )
        missing = {"tasks", "experiments", "experiment_results"} - names
        return bool(missing) or (recorded is None and space is not None)

    def _initialize_meta(
        self, con: sqlite3.Connection, space: SearchSpace | None
    ) -> None:
        """Write the meta rows that are missing (inside a write transaction)."""
        rows = [
            ("schema_version", str(SCHEMA_VERSION)),
            ("application", _APPLICATION),
            ("created_at", _now()),
            ("created_with", f"skfti {_package_version()}"),
        ]
        if space is not None:
            rows += [
                ("search_space", json.dumps(space.to_dict(), sort_keys=True)),
                ("search_space_fingerprint", space.fingerprint()),
            ]
        con.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", rows)

    @staticmethod
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

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            with self._transaction(self._connection()) as con:
                yield con

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:  # one snapshot for the whole read
            with self._transaction(self._connection(), "DEFERRED") as con:
                yield con

    def close(self) -> None:
        """Close the connection; the store reopens itself when used again."""
        with self._lock:
            if self._con is not None and self._pid == os.getpid():
                self._con.close()
            self._con = None
            self._pid = None

    def __enter__(self) -> "ExperimentStore":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_con"] = None
        state["_pid"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"ExperimentStore({self.path!r})"

    # -- search space ----------------------------------------------------------
    @property
    def search_space(self) -> SearchSpace | None:
        """The :class:`SearchSpace` recorded in the store, or None."""
        if self._space is None:
            with self._lock:
                value = self._meta("search_space")
            if value is not None:
                self._space = SearchSpace.from_dict(json.loads(value))
        return self._space

    def bind_search_space(self, search_space) -> None:
        """Record ``search_space`` in a store that has none, or check it matches.

        Parameters
        ----------
        search_space : SearchSpace
            The space of the encodings that will be recorded.

        Raises
        ------
        ValueError
            If the store records another search space.
        """
        if not isinstance(search_space, SearchSpace):
            raise TypeError(
                f"search_space must be a SearchSpace, got {type(search_space).__name__}"
            )
        with self._writing() as con:
            self._check_file(con, search_space)
            self._initialize_meta(con, search_space)
        self._space = search_space

    def _meta(self, key: str) -> str | None:
        row = (
            self._connection()
            .execute("SELECT value FROM meta WHERE key = ?", (key,))
            .fetchone()
        )
        return None if row is None else row[0]

    def _fingerprint(self) -> str | None:
        space = self.search_space
        return None if space is None else space.fingerprint()

    # -- tasks -------------------------------------------------------------------
    def add_task(self, task, *, meta_features=True) -> int:
        """Store a task, or check that the stored task of that name is the same.

        Parameters
        ----------
        task : Task
            The task.
        meta_features : bool or array-like of shape (17,), default=True
            With True, store :func:`~skfti.meta_features.compute_meta_features`
            of the training split of a numeric task (text tasks get NULL: their
            meta-features need an embedding, see :meth:`set_meta_features`).
            An array gives the values, in the order of ``META_FEATURE_NAMES``.
            With False, store none. Stored values are never recomputed.

        Returns
        -------
        task_id : int
            The task's row id.

        Raises
        ------
        ValueError
            If a task of that name is stored with other data or another
            train/validation/test split.
        """
        if not isinstance(task, Task):
            raise TypeError(f"task must be a Task, got {type(task).__name__}")
        if isinstance(meta_features, (bool, np.bool_)):
            values = None
            wanted = bool(meta_features) and not task.is_text
        else:
            values = self._check_meta_features(meta_features, META_FEATURE_NAMES)
            wanted = True
        with self._lock:
            row = self._task_row(self._connection(), task.name)
        if row is not None:
            self._check_same_task(task, row)
            if row["meta_features"] is not None or not wanted:
                return row["id"]
        if wanted and values is None:
            values = compute_meta_features(task.X_train, task.y_train)
        with self._writing() as con:
            con.execute(
                "INSERT OR IGNORE INTO tasks (name, content_hash, split_hash, "
                "n_samples, n_classes, n_features, is_text, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    task.name,
                    task.content_hash,
                    _split_hash(task),
                    int(task.n_samples),
                    int(task.n_classes),
                    None if task.n_features is None else int(task.n_features),
                    int(bool(task.is_text)),
                    _now(),
                ),
            )
            row = self._task_row(con, task.name)
            self._check_same_task(task, row)
            if values is not None and row["meta_features"] is None:
                self._write_meta_features(con, row["id"], values, META_FEATURE_NAMES)
        return row["id"]

    def _check_same_task(self, task: Task, row: dict) -> None:
        if row["content_hash"] != task.content_hash:
            raise ValueError(
                f"task {task.name!r} already stored with different data (content "
                f"hash {row['content_hash'][:12]}..., this task "
                f"{task.content_hash[:12]}...); give the task another name."
            )
        if row["split_hash"] is not None and row["split_hash"] != _split_hash(task):
            raise ValueError(
                f"task {task.name!r} already stored with a different train/"
                "validation/test split (the same data split with another "
                "random_state or sizes); its stored accuracies would not be "
                "comparable. Use the split of the stored task or another name."
            )

    @staticmethod
    def _check_meta_features(values: Any, names: Any) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        names = tuple(names)
        if values.ndim != 1 or len(values) != len(names):
            raise ValueError(
                f"meta-features must be a 1-D array with one value per name "
                f"({len(names)}), got shape {values.shape}"
            )
        if not all(isinstance(name, str) for name in names):
            raise ValueError("meta-feature names must be str")
        if not np.all(np.isfinite(values)):
            raise ValueError("meta-features contain NaN or infinite values")
        return values

    @staticmethod
    def _write_meta_features(
        con: sqlite3.Connection, task_id: int, values: np.ndarray, names: Any
    ) -> None:
        con.execute(
            "UPDATE tasks SET meta_features = ?, meta_feature_names = ? WHERE id = ?",
            (json.dumps(values.tolist()), json.dumps(list(names)), task_id),
        )

    def set_meta_features(self, task_name, values, names=META_FEATURE_NAMES) -> None:
        """Store (or replace) the meta-features of a stored task.

        Parameters
        ----------
        task_name : str or Task
            The stored task.
        values : array-like of shape (n_meta_features,)
            Finite meta-feature values, e.g. those of an embedded text task.
        names : sequence of str, default=META_FEATURE_NAMES
            The name of each value.
        """
        name = _task_name(task_name)
        values = self._check_meta_features(values, names)
        with self._writing() as con:
            task_id = self._task_id(con, name)
            self._write_meta_features(con, task_id, values, names)

    @staticmethod
    def _task_row(con: sqlite3.Connection, name: str) -> dict | None:
        cursor = con.execute("SELECT * FROM tasks WHERE name = ?", (name,))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([column[0] for column in cursor.description], row, strict=True))

    @staticmethod
    def _task_id(con: sqlite3.Connection, name: str) -> int:
        row = con.execute("SELECT id FROM tasks WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ValueError(
                f"unknown task {name!r}: the store has no such task; call "
                "store.add_task(task) first."
            )
        return row[0]

    def task_names(self) -> list[str]:
        """Names of the stored tasks, in the order they were added."""
        with self._lock:
            rows = self._connection().execute("SELECT name FROM tasks ORDER BY id")
            return [row[0] for row in rows]

    def get_task_record(self, name) -> dict:
        """The stored description of a task.

        Parameters
        ----------
        name : str or Task
            The task.

        Returns
        -------
        record : dict
            The columns of the ``tasks`` table; ``is_text`` is a bool,
            ``meta_features`` an ndarray (or None) and ``meta_feature_names``
            a tuple (or None).
        """
        name = _task_name(name)
        with self._lock:
            row = self._task_row(self._connection(), name)
        if row is None:
            raise ValueError(
                f"unknown task {name!r}: the store has no such task; call "
                "store.add_task(task) first."
            )
        row["is_text"] = bool(row["is_text"])
        if row["meta_features"] is not None:
            row["meta_features"] = np.asarray(
                json.loads(row["meta_features"]), dtype=np.float64
            )
        if row["meta_feature_names"] is not None:
            row["meta_feature_names"] = tuple(json.loads(row["meta_feature_names"]))
        return row

    # -- experiments ----------------------------------------------------------
    def _experiment_params(
        self,
        task_name: Any,
        encoding: Any,
        *,
        seed: Any,
        settings: Any,
        val_accuracy: Any = None,
        test_accuracy: Any = None,
        train_time: Any = None,
        status: str = "ok",
        error: Any = None,
        started_at: Any = None,
        finished_at: Any = None,
    ) -> tuple[str, list]:
        """Validate one experiment; return its task name and column values."""
        name = _task_name(task_name)
        key = encoding_hash(encoding)  # also checks the type
        space = self.search_space
        if space is None:
            self.bind_search_space(encoding.search_space)
            space = encoding.search_space
        if encoding.search_space.fingerprint() != space.fingerprint():
            raise ValueError(
                f"encoding from another search space: {encoding.search_space} "
                f"(fingerprint {encoding.search_space.fingerprint()}), but the store "
                f"records {space} (fingerprint {space.fingerprint()})."
            )
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, Integral):
            raise TypeError(f"seed must be an int, got {seed!r}")
        if status not in _STATUSES:
            raise ValueError(f"status must be one of {_STATUSES}, got {status!r}")
        val = _optional_float(val_accuracy, "val_accuracy")
        if status == "ok" and val is None:
            raise ValueError(
                "an experiment with status 'ok' needs a finite val_accuracy; "
                "record a failed run with status='failed' and its error."
            )
        settings_text = _canonical_settings(settings)
        values = [
            space.fingerprint(),
            json.dumps(encoding.to_vector().tolist()),
            key,
            int(seed),
            settings_text,
            hashlib.sha256(settings_text.encode("utf-8")).hexdigest(),
            val,
            _optional_float(test_accuracy, "test_accuracy"),
            _optional_float(train_time, "train_time"),
            status,
            None if error is None else str(error),
            _timestamp(started_at, "started_at"),
            _timestamp(finished_at, "finished_at") or _now(),
            _package_version(),
        ]
        return name, values

    _INSERT = (
        "INSERT OR IGNORE INTO experiments (task_id, search_space_fingerprint, "
        "encoding, encoding_hash, seed, settings, settings_hash, val_accuracy, "
        "test_accuracy, train_time, status, error, started_at, finished_at, "
        "package_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )

    def record(
        self,
        task_name,
        encoding,
        *,
        seed,
        settings,
        val_accuracy=None,
        test_accuracy=None,
        train_time=None,
        status="ok",
        error=None,
        started_at=None,
        finished_at=None,
    ) -> bool:
        """Store the result of one trained child model, in its own transaction.

        Parameters
        ----------
        task_name : str or Task
            A task stored with :meth:`add_task`.
        encoding : ArchitectureEncoding
            The child's architecture, from the store's search space.
        seed : int
            Seed the child was trained with.
        settings : dict
            JSON-serialisable training settings (part of the key).
        val_accuracy : float, default=None
            Validation accuracy, the ``v`` of the paper; required when
            ``status="ok"``.
        test_accuracy, train_time : float, default=None
            Test accuracy and training seconds, if known.
        status : {"ok", "failed"}, default="ok"
            Whether training succeeded.
        error : str, default=None
            What went wrong, for a failed run.
        started_at, finished_at : datetime or ISO 8601 str, default=None
            When training started and ended (naive times are UTC);
            ``finished_at`` defaults to now.

        Returns
        -------
        inserted : bool
            False if the experiment (same task, encoding, seed and settings)
            was already stored; the stored row is then left as it was.
        """
        name, values = self._experiment_params(
            task_name,
            encoding,
            seed=seed,
            settings=settings,
            val_accuracy=val_accuracy,
            test_accuracy=test_accuracy,
            train_time=train_time,
            status=status,
            error=error,
            started_at=started_at,
            finished_at=finished_at,
        )
        with self._writing() as con:
            cursor = con.execute(self._INSERT, [self._task_id(con, name), *values])
            return cursor.rowcount == 1

    def record_many(self, rows) -> int:
        """Store several experiments in one transaction.

        Parameters
        ----------
        rows : iterable of dict
            Each dict holds the arguments of :meth:`record` by name
            (``task_name``, ``encoding``, ``seed``, ``settings``, ...).

        Returns
        -------
        n_inserted : int
            Number of new rows; already stored experiments are skipped.

        Raises
        ------
        ValueError
            If a row is invalid; then nothing is written.
        """
        prepared = []
        for position, row in enumerate(rows):
            if not isinstance(row, dict):
                raise TypeError(
                    f"row {position} must be a dict, got {type(row).__name__}"
                )
            try:
                prepared.append(self._experiment_params(**row))
            except TypeError as exc:
                raise type(exc)(f"row {position}: {exc}") from exc
            except ValueError as exc:
                raise ValueError(f"row {position}: {exc}") from exc
        inserted = 0
        with self._writing() as con:
            task_ids: dict[str, int] = {}
            for name, values in prepared:
                if name not in task_ids:
                    task_ids[name] = self._task_id(con, name)
                cursor = con.execute(self._INSERT, [task_ids[name], *values])
                inserted += cursor.rowcount == 1
        return inserted

    def done(self, task_name, settings) -> set:
        """Keys of the experiments already stored for a task and settings.

        Parameters
        ----------
        task_name : str or Task
            A stored task.
        settings : dict
            The training settings.

        Returns
        -------
        keys : set of (str, int)
            ``(encoding_hash(encoding), seed)`` of every stored experiment of
            this task, settings and search space, 'ok' or 'failed': a rerun
            skips them.
        """
        name = _task_name(task_name)
        key = settings_hash(settings)
        with self._reading() as con:
            task_id = self._task_id(con, name)
            rows = con.execute(
                "SELECT encoding_hash, seed FROM experiments WHERE task_id = ? AND "
                "search_space_fingerprint = ? AND settings_hash = ?",
                (task_id, self._fingerprint(), key),
            ).fetchall()
        return {(encoding_key, seed) for encoding_key, seed in rows}

    def experiments(self, tasks, *, settings=None, status="ok") -> list:
        """The stored encodings and validation accuracies of each task.

        Parameters
        ----------
        tasks : list of Task or str
            The tasks, by object or name.
        settings : dict, default=None
            Only experiments trained with these settings; None for all.
        status : {"ok", "failed"} or None, default="ok"
            Only experiments of this status; None for all (failed runs have
            NaN scores).

        Returns
        -------
        experiments : list of (ndarray, ndarray)
            One ``(encodings, scores)`` pair per task, in the order of
            ``tasks``: ``encodings`` of shape ``(n_i, n_dims)`` holds flat
            encoding vectors (``ArchitectureEncoding.to_vector``) and
            ``scores`` of shape ``(n_i,)`` the validation accuracies, in the
            order the experiments were recorded. A task without experiments
            gives arrays with ``n_i = 0``.
        """
        if isinstance(tasks, (str, Task)):
            raise ValueError(
                "tasks must be a list of tasks or task names, got a single "
                f"{type(tasks).__name__}; wrap it in a list."
            )
        names = [_task_name(task) for task in tasks]
        if status is not None and status not in _STATUSES:
            raise ValueError(
                f"status must be one of {_STATUSES} or None, got {status!r}"
            )
        space = self.search_space
        n_dims = 0 if space is None else space.n_dims
        query = (
            "SELECT encoding, val_accuracy FROM experiments WHERE task_id = ? AND "
            "search_space_fingerprint = ?"
        )
        extra: list = []
        if status is not None:
            query += " AND status = ?"
            extra.append(status)
        if settings is not None:
            query += " AND settings_hash = ?"
            extra.append(settings_hash(settings))
        query += " ORDER BY id"
        results = []
        with self._reading() as con:
            for name in names:
                task_id = self._task_id(con, name)
                rows = con.execute(
                    query, [task_id, self._fingerprint(), *extra]
                ).fetchall()
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

    def count(self, task_name=None, status=None) -> int:
        """Number of stored experiments, optionally of one task and/or status."""
        query = "SELECT COUNT(*) FROM experiments AS e"
        conditions, params = [], []
        with self._reading() as con:
            if task_name is not None:
                conditions.append("e.task_id = ?")
                params.append(self._task_id(con, _task_name(task_name)))
            if status is not None:
                if status not in _STATUSES:
                    raise ValueError(
                        f"status must be one of {_STATUSES} or None, got {status!r}"
                    )
                conditions.append("e.status = ?")
                params.append(status)
            if conditions:
                query += " WHERE " + " AND ".join(conditions)
            return con.execute(query, params).fetchone()[0]

    # -- export and maintenance ------------------------------------------------
    def _rows(self) -> Iterator[dict]:
        columns = ", ".join(f"r.{column}" for column in _EXPERIMENT_COLUMNS)
        query = (
            f"SELECT {columns} FROM (SELECT e.*, t.name AS task FROM experiments "
            "AS e JOIN tasks AS t ON t.id = e.task_id) AS r ORDER BY r.id"
        )
        with self._reading() as con:
            rows = con.execute(query).fetchall()
        for row in rows:
            yield dict(zip(_EXPERIMENT_COLUMNS, row, strict=True))

    def to_records(self) -> list:
        """All experiments as a list of dicts, one per row, in id order.

        Each dict has the keys ``id``, ``task`` (the task name),
        ``search_space_fingerprint``, ``encoding_hash``, ``seed``,
        ``settings`` (a dict), ``settings_hash``, ``val_accuracy``,
        ``test_accuracy``, ``train_time``, ``status``, ``error``,
        ``started_at``, ``finished_at``, ``package_version`` and ``encoding``
        (a list of floats). ``pandas.DataFrame(store.to_records())`` makes a
        data frame of it.
        """
        records = []
        for row in self._rows():
            row["encoding"] = json.loads(row["encoding"])
            row["settings"] = json.loads(row["settings"])
            records.append(row)
        return records

    def to_csv(self, path_or_file) -> None:
        """Write all experiments as CSV, one row each (columns of :meth:`to_records`).

        Parameters
        ----------
        path_or_file : str, path-like or text file
            Where to write. ``settings`` and ``encoding`` are written as JSON.
        """
        if hasattr(path_or_file, "write"):
            self._write_csv(path_or_file)
        else:
            with open(path_or_file, "w", newline="", encoding="utf-8") as file:
                self._write_csv(file)

    def _write_csv(self, file: io.TextIOBase) -> None:
        writer = csv.DictWriter(file, fieldnames=list(_EXPERIMENT_COLUMNS))
        writer.writeheader()
        for row in self._rows():
            writer.writerow(row)

    def integrity_check(self) -> str:
        """Run SQLite's ``PRAGMA integrity_check``; "ok" for a sound file."""
        with self._lock:
            rows = self._connection().execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)


STORE_BACKENDS = {"sqlite": ExperimentStore}
"""Store classes by URL scheme; a path without a scheme uses ``"sqlite"``.

A server database backend registers a class here, e.g.
``STORE_BACKENDS["postgresql"] = MyStore``. :func:`open_store` calls it as
``MyStore(location, search_space=..., timeout=...)`` with the full URL, and
it must offer the methods of :class:`ExperimentStore` that skfti uses:
``add_task``, ``record``, ``record_many``, ``done``, ``experiments``,
``get_task_record``, ``search_space`` and ``bind_search_space``, and pickle
without an open connection.
"""

_STORE_METHODS = ("add_task", "record", "record_many", "done", "experiments")


def open_store(location, *, search_space=None, timeout=60.0):
    """Open the experiment store at a path or URL, with the backend of its scheme.

    Parameters
    ----------
    location : str or path-like
        A path or ``sqlite:///path`` (SQLite), or a URL whose scheme is
        registered in :data:`STORE_BACKENDS`.
    search_space : SearchSpace, default=None
        Passed to the backend (see :class:`ExperimentStore`).
    timeout : float, default=60.0
        Seconds to wait for a lock held by another writer.

    Returns
    -------
    store : ExperimentStore or a registered backend's store

    Raises
    ------
    NotImplementedError
        If no backend is registered for the URL's scheme.
    """
    scheme, _ = _parse_location(location)
    backend = STORE_BACKENDS.get(scheme)
    if backend is None:
        raise _no_backend(scheme, os.fspath(location))
    return backend(location, search_space=search_space, timeout=timeout)


def resolve_store(store, *, search_space=None):
    """Turn an estimator's ``store`` parameter into an experiment store.

    The counterpart of :func:`sklearn.utils.validation.check_memory` for the
    ``store`` parameter: estimators keep the parameter as given and call this
    in ``fit``.

    Parameters
    ----------
    store : str, path-like or ExperimentStore
        A path or URL (opened with :func:`open_store`), or a store (returned
        as is). None is refused: a store keeps results across runs, so its
        location must be chosen by the user.
    search_space : SearchSpace, default=None
        If given, the store must record this space (a new store records it).

    Returns
    -------
    store : ExperimentStore or a registered backend's store

    Raises
    ------
    ValueError
        If ``store`` is None or not a path, URL or store, or if the store
        records another search space.
    """
    if store is None:
        raise ValueError(
            "store is required: pass a file path, a 'sqlite:///path' URL or an "
            "ExperimentStore where the experiments are kept."
        )
    if isinstance(store, (str, bytes, os.PathLike)):
        return open_store(store, search_space=search_space)
    if all(callable(getattr(store, method, None)) for method in _STORE_METHODS):
        if search_space is not None and hasattr(store, "bind_search_space"):
            store.bind_search_space(search_space)
        return store
    raise ValueError(
        "store should be a file path, a 'sqlite:///path' URL or an "
        f"ExperimentStore; got store={store!r}."
    )
