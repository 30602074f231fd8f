"""Store locations: a path, ``sqlite:///path``, or a URL of another backend."""

import os
import re
from typing import Any

_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def parse_location(location: Any) -> tuple[str, str]:
    """Split a store location into ``(scheme, rest)``; plain paths are sqlite.

    For ``sqlite`` the rest is the file path; for other schemes, the full URL.
    """
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


def no_backend(scheme: str, location: str) -> NotImplementedError:
    """The error for a URL scheme without a registered backend."""
    return NotImplementedError(
        f"no experiment store backend for {scheme}:// URLs ({location!r}). skfti "
        "ships the SQLite backend only (a path or 'sqlite:///path'); a server "
        "database plugs in by registering a store class under its URL scheme in "
        f"skfti.store.STORE_BACKENDS (e.g. STORE_BACKENDS[{scheme!r}] = MyStore), "
        "which open_store and resolve_store then use."
    )
