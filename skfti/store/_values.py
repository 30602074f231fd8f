"""Conversions of the values a store records (times, floats, counts)."""

import math
from datetime import datetime, timezone
from numbers import Integral, Real
from typing import Any


def now() -> str:
    """The current time as ISO 8601 UTC text, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def timestamp(value: Any, name: str) -> str | None:
    """ISO 8601 UTC text of a time; None passes through.

    ``value`` is a :class:`~datetime.datetime` (naive times are UTC), ISO 8601
    text, or a UNIX timestamp in seconds (int or float, as ``time.time()``).
    """
    if value is None:
        return None
    if isinstance(value, Real) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite UNIX timestamp, got {value!r}")
        value = datetime.fromtimestamp(float(value), tz=timezone.utc)
    elif isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(
                f"{name} must be a datetime, ISO 8601 text or a UNIX timestamp, "
                f"got {value!r}"
            ) from exc
    if not isinstance(value, datetime):
        raise TypeError(
            f"{name} must be a datetime, ISO 8601 text or a UNIX timestamp, got "
            f"{type(value).__name__}"
        )
    if value.tzinfo is None:  # naive times are taken to be UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def optional_float(value: Any, name: str) -> float | None:
    """A float, or None for None and non-finite values."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a float or None, got {value!r}")
    value = float(value)
    return value if math.isfinite(value) else None


def optional_count(value: Any, name: str) -> int | None:
    """An int >= 0, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int or None, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return int(value)


def package_version() -> str:
    """The installed skfti version."""
    import skfti  # at call time: skfti/__init__ imports the store

    return getattr(skfti, "__version__", "unknown")
