"""Row keys of the experiment store: the same in every process and backend.

An experiment is identified by its task, its search space, its encoding
(:func:`encoding_hash`), its seed and its training settings
(:func:`settings_hash`). A task is identified by its name and checked by its
content hash and :func:`split_hash`.
"""

import hashlib
import json
from typing import Any

import numpy as np

from skfti.encoding import ArchitectureEncoding
from skfti.task import Task


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


def canonical_settings(settings: Any) -> str:
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


def hash_text(text: str) -> str:
    """sha256 hex digest of a text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    return hash_text(canonical_settings(settings))


def task_name(task: Any) -> str:
    """The name of a :class:`~skfti.Task` or a task name."""
    if isinstance(task, Task):
        return task.name
    if isinstance(task, str):
        return task
    raise TypeError(f"a task must be a Task or a task name, got {type(task).__name__}")


def split_hash(task: Task) -> str:
    """sha256 hex digest of a task's train/validation/test indices."""
    digest = hashlib.sha256()
    for index in (task.train_index_, task.val_index_, task.test_index_):
        index = np.ascontiguousarray(index, dtype="<i8")
        digest.update(len(index).to_bytes(8, "little"))
        digest.update(index.tobytes())
    return digest.hexdigest()
