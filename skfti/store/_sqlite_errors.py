"""Say what went wrong when SQLite refuses a store file, without blaming the file.

SQLite reports a read-only directory, a read-only file and a file that is not
a database with the same exception class (``sqlite3.OperationalError`` is a
``sqlite3.DatabaseError``). These helpers tell them apart, so that a good
store in a read-only place is never called "not an SQLite database".
"""

import os
import sqlite3

_SQLITE_HEADER = b"SQLite format 3\x00"
# Primary result codes (https://www.sqlite.org/rescode.html).
_PERM, _READONLY, _CANTOPEN, _NOTADB = 3, 8, 14, 26
_ACCESS_CODES = frozenset({_PERM, _READONLY, _CANTOPEN})


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python >= 3.11
    if code is not None:
        return code & 0xFF
    message = str(exc).lower()
    if "file is not a database" in message:
        return _NOTADB
    if "readonly" in message or "read-only" in message:
        return _READONLY
    if "unable to open" in message:
        return _CANTOPEN
    return None


def has_sqlite_header(path: str) -> bool:
    """Whether the file starts with SQLite's 16-byte header."""
    try:
        with open(path, "rb") as file:
            return file.read(16) == _SQLITE_HEADER
    except OSError:
        return False


def access_problem(path: str) -> str | None:
    """What the file system refuses for writing the store, or None."""
    directory = os.path.dirname(path) or "."
    name = os.path.basename(path)
    problems = []
    if os.path.exists(path) and not os.access(path, os.W_OK):
        problems.append(f"the file {path} is read-only")
    if not os.access(directory, os.W_OK | os.X_OK):
        problems.append(
            f"its directory {directory} is read-only, and SQLite must create "
            f"{name}-wal and {name}-shm there (the store uses write-ahead logging)"
        )
    return "; ".join(problems) or None


def read_only_error(path: str, exc: sqlite3.Error, doing: str) -> PermissionError:
    """A PermissionError naming the path and the problem; the file is intact."""
    problem = access_problem(path) or (
        "SQLite may not write to it or next to it (a read-only file system, a "
        "read-only mount or file, or a directory where it cannot create "
        f"{os.path.basename(path)}-wal and -shm)"
    )
    return PermissionError(
        f"cannot {doing} the experiment store {path}: {problem} (SQLite: {exc}). "
        "The store file is intact and was left unchanged; make the file and its "
        "directory writable, or copy the store to a writable place."
    )


def open_error(path: str, exc: sqlite3.Error) -> Exception:
    """The error to raise when SQLite fails while opening or checking a file."""
    code = _primary_code(exc)
    if code in _ACCESS_CODES or (
        code != _NOTADB and has_sqlite_header(path) and access_problem(path)
    ):
        return read_only_error(path, exc, "open")
    if code == _NOTADB and not has_sqlite_header(path):
        return ValueError(
            f"{path} is not an skfti experiment store: it is not an SQLite "
            f"database ({exc}). The file was left unchanged."
        )
    if code == _NOTADB:
        return ValueError(
            f"{path} starts like an SQLite database but SQLite cannot read it "
            f"({exc}): it may be damaged or encrypted. The file was left unchanged."
        )
    return ValueError(
        f"cannot read the experiment store {path} ({exc}). The file was left unchanged."
    )


def is_read_only(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused a write for lack of permission."""
    return _primary_code(exc) in _ACCESS_CODES
