"""An on-disk cache of embeddings, keyed by module identity and text content."""

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from skfti._hashing import hash_texts
from skfti.embeddings._base import check_texts


def get_cache_dir(cache_dir=None):
    """Return the embedding cache directory, creating it if needed.

    Parameters
    ----------
    cache_dir : str or path-like, default=None
        The directory. By default the environment variable ``SKFTI_CACHE_DIR``,
        else ``~/.cache/skfti``.

    Returns
    -------
    cache_dir : pathlib.Path
        The directory (it exists).
    """
    if cache_dir is None:
        cache_dir = os.environ.get("SKFTI_CACHE_DIR") or os.path.join(
            "~", ".cache", "skfti"
        )
    path = Path(cache_dir).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save_atomic(path: Path, array: np.ndarray) -> None:
    handle, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            np.save(stream, array, allow_pickle=False)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it takes the final name
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def embed_cached(module, texts, *, cache_dir=None):
    """Embed texts, reading and writing a ``.npy`` file cache.

    The file is ``<cache_dir>/embeddings/<module.cache_key>/<sha256 of texts>.npy``;
    a concatenation of modules (``cached_parts``) is its parts' files side by
    side. A file that cannot be read is embedded again; a cache that cannot
    be written gives a warning and the embeddings, uncached.
    The key holds the module's name and a fingerprint of its settings (for a
    module whose weights come from a package, the package's installed version
    as well, so new weights never read old vectors), and the sha256 of the
    texts (in order), so a second call with the same module and texts, in this
    or any other process, does not run the module again. Files
    are written to a temporary name and moved into place with
    :func:`os.replace`, so processes that embed at the same time are safe.

    Parameters
    ----------
    module : EmbeddingModule
        The module; it needs ``cache_key`` and ``embed``.
    texts : sequence of str
        The texts.
    cache_dir : str or path-like, default=None
        Cache directory; see :func:`get_cache_dir`.

    Returns
    -------
    embeddings : ndarray of shape (len(texts), module.output_dim), dtype float32
        One row per text.

    Examples
    --------
    >>> import tempfile
    >>> from skfti.embeddings import HashedNGramEmbedding, embed_cached
    >>> module = HashedNGramEmbedding(dim=8)
    >>> cache = tempfile.mkdtemp()
    >>> first = embed_cached(module, ["a text", "another"], cache_dir=cache)
    >>> second = embed_cached(module, ["a text", "another"], cache_dir=cache)
    >>> bool((first == second).all())
    True
    """
    texts = check_texts(texts)
    parts = getattr(module, "cached_parts", None)
    if parts is not None:  # a concatenation: its parts' files, side by side
        return np.hstack(
            [embed_cached(part, texts, cache_dir=cache_dir) for part in parts]
        ).astype(np.float32, copy=False)
    key = str(module.cache_key)
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError(f"module.cache_key must be a plain file name, got {key!r}.")
    try:
        folder = get_cache_dir(cache_dir) / "embeddings" / key
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _warn_uncached(cache_dir, exc)
        return np.asarray(module.embed(texts), dtype=np.float32)
    path = folder / f"{hash_texts(texts)}.npy"
    if path.is_file():
        cached = _read(path)
        # Only a width the module already knows: a lazy module (a Hub handle)
        # would load itself, and TensorFlow, to say it.
        width = vars(module).get("output_dim")
        if (
            cached is not None
            and cached.ndim == 2
            and len(cached) == len(texts)
            and (width is None or cached.shape[1] == width)
        ):
            return cached
    embeddings = np.asarray(module.embed(texts), dtype=np.float32)
    try:
        _save_atomic(path, embeddings)
    except OSError as exc:
        _warn_uncached(cache_dir, exc)
    return embeddings


def _read(path):
    """The array in a cache file, or None for a truncated, empty or foreign file."""
    try:
        cached = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(cached, np.ndarray):  # an .npz archive under that name
        cached.close()
        return None
    return cached


def _warn_uncached(cache_dir, exc):
    """The cache is only a speed-up: say why it is not used, and go on."""
    warnings.warn(
        f"the embedding cache cannot be written ({exc}); embedding without it. "
        "Set SKFTI_CACHE_DIR (or pass cache_dir) to a writable folder to keep "
        "embeddings between runs.",
        UserWarning,
        stacklevel=3,
    )
