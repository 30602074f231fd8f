"""Content hashes that are stable across processes and Python versions.

Python's built-in :func:`hash` is salted per process for ``str`` and must not be
used for cache keys; these helpers feed sha256 with an unambiguous byte stream
(every variable-length item is length-prefixed).
"""

import hashlib
import json

import numpy as np


def _update_bytes(digest, data: bytes) -> None:
    digest.update(len(data).to_bytes(8, "little"))
    digest.update(data)


def update_with_texts(digest, texts) -> None:
    """Feed a sequence of str into a hashlib object, length-prefixed."""
    digest.update(b"texts")
    digest.update(len(texts).to_bytes(8, "little"))
    for text in texts:
        _update_bytes(digest, str(text).encode("utf-8", "surrogatepass"))


def update_with_array(digest, array: np.ndarray) -> None:
    """Feed a numeric array (dtype, shape and C-ordered bytes) into a hashlib object."""
    array = np.ascontiguousarray(array)
    digest.update(b"array")
    _update_bytes(digest, array.dtype.str.encode("ascii"))
    _update_bytes(digest, repr(array.shape).encode("ascii"))
    digest.update(array.tobytes())


def update_with_labels(digest, y: np.ndarray) -> None:
    """Feed a 1-D label array into a hashlib object (numeric or str labels)."""
    y = np.asarray(y)
    if y.dtype.kind in "biuf":
        update_with_array(digest, y)
    else:
        digest.update(b"labels")
        digest.update(len(y).to_bytes(8, "little"))
        for label in y.tolist():
            _update_bytes(digest, type(label).__name__.encode("ascii"))
            _update_bytes(digest, str(label).encode("utf-8", "surrogatepass"))


def hash_texts(texts) -> str:
    """Return the sha256 hex digest of a sequence of str."""
    digest = hashlib.sha256()
    update_with_texts(digest, texts)
    return digest.hexdigest()


def hash_config(config: dict) -> str:
    """Return the sha256 hex digest of a JSON-serialisable configuration."""
    payload = json.dumps(config, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()
