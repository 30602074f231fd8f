"""Task views: the embedding modules of a search space and the features they give.

One door for what the population, the inferrer and the inferred classifier
all do to a task's samples before a network sees them: look up the embedding
module of each view of a :class:`~skfti.SearchSpace` by name, embed texts
through the disk cache and stack the views, check that numeric samples fit a
space, and standardize features within a task so that the value network's
view of a task does not depend on the units of its features.

Nothing here imports TensorFlow; an embedding module may when it embeds.
"""

import copy
import os

import numpy as np
from scipy import sparse
from sklearn.base import clone

from skfti.embeddings._concat import SEPARATOR
from skfti.task import is_text

__all__ = [
    "check_not_a_column_of_texts",
    "check_numeric_views",
    "check_text_views",
    "check_texts",
    "embed_ahead",
    "embed_views",
    "embedding_threads",
    "embedding_modules",
    "stacked_views",
    "standardize_features",
    "task_features",
]


def embedding_modules(search_space, modules=None):
    """The embedding module of each view of ``search_space``, in view order.

    Parameters
    ----------
    search_space : SearchSpace
        Its ``views`` name the modules.
    modules : list of EmbeddingModule, default=None
        Modules to use instead of a lookup; their names must be the views.

    Returns
    -------
    modules : list of EmbeddingModule
        Looked up with :func:`skfti.embeddings.get_embedding_module` when
        ``modules`` is None.

    Raises
    ------
    ValueError
        If the space is numeric, the modules' names are not the space's
        views, or a view names no known module.
    """
    check_text_views(search_space)
    if not modules:
        from skfti.embeddings import get_embedding_module

        return [get_embedding_module(v) for v in search_space.views]
    names = tuple(str(m.name) for m in modules)
    if names != tuple(search_space.views):
        raise ValueError(
            f"The embedding modules {names} are not the search space's views "
            f"{search_space.views}"
        )
    return list(modules)


def check_texts(X):
    """``X`` as a list of str, or a ``ValueError`` naming what is wrong.

    Parameters
    ----------
    X : sequence of str
        The texts.

    Returns
    -------
    texts : list of str
    """
    if not is_text(X):  # raises for a mix of str and other entries
        raise ValueError(
            "X must be a list of str (texts) here, got "
            f"{type(X).__name__} whose entries are not str"
        )
    texts = list(X)
    if not texts:
        raise ValueError("X holds no texts (0 samples); a task needs samples")
    return texts


def embed_views(texts, search_space, *, modules=None, stack=False):
    """Embed texts by every view of ``search_space``, through the disk cache.

    Parameters
    ----------
    texts : sequence of str
        The samples.
    search_space : SearchSpace
        Its views name the modules.
    modules : list of EmbeddingModule, default=None
        See :func:`embedding_modules`.
    stack : bool, default=False
        Return one array, every feature once: the views side by side
        (``np.hstack``), leaving out a view that only concatenates other
        views of the space (see :func:`stacked_views`).

    Returns
    -------
    views : list of ndarray of shape (n_samples, dim), dtype float32
        One per view (or their ``hstack`` when ``stack=True``), through
        :func:`skfti.embeddings.embed_cached`.
    """
    from skfti.embeddings import embed_cached

    texts = check_texts(texts)
    modules = embedding_modules(search_space, modules)
    if stack:
        kept = stacked_views(search_space)
        pairs = zip(modules, search_space.views, strict=True)
        modules = [m for m, v in pairs if v in kept]
    views = [np.asarray(embed_cached(m, texts), dtype=np.float32) for m in modules]
    return np.hstack(views) if stack else views


def embedding_threads():
    """Threads an embedding model may use in this process.

    The cores this process may run on (:func:`joblib.cpu_count`), at most the
    ``OMP_NUM_THREADS`` that joblib's workers set for their inner threads, so
    that a process among others (a worker of ``GridSearchCV(n_jobs=...)``)
    takes its share only.

    Returns
    -------
    n_threads : int
    """
    from joblib import cpu_count

    n = cpu_count()
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if limit.isdigit() and int(limit) > 0:
        n = min(n, int(limit))
    return max(1, int(n))


def _with_threads(module: object, n_threads: int) -> object:
    """A copy of ``module`` whose model runs on ``n_threads`` (its parts' too).

    Modules without an ``n_threads`` setting are returned as they are. The
    copy drops a loaded model (the modules' ``__getstate__``), so it loads
    one with the new setting; the cache key does not hold the threads, so
    the copy's vectors are the original's cache entry.
    """
    from skfti.embeddings import ConcatenatedEmbedding

    if isinstance(module, ConcatenatedEmbedding):
        return ConcatenatedEmbedding(
            [_with_threads(m, n_threads) for m in module.modules]
        )
    if not hasattr(module, "n_threads"):
        return module
    threaded = copy.copy(module)
    threaded.n_threads = n_threads
    return threaded


def embed_ahead(texts, modules, used, n_threads=None):
    """Embed ``texts`` into the disk cache by every used embedding module.

    For a process about to train several children on the same texts (one
    after the other, or in workers of one thread each): it embeds them once,
    with every thread the process may use, and each child then reads its
    views from the cache. View transformers (modules with ``transform``,
    fitted per child) are left to the children.

    Parameters
    ----------
    texts : list of str
        Exactly the list the children will embed (the cache key is its
        content, in order).
    modules : list of EmbeddingModule or transformer
        One per view.
    used : list of bool
        The views some child reads.
    n_threads : int, default=None
        Threads of the models that take a number of threads;
        :func:`embedding_threads` when None.
    """
    from skfti.embeddings import embed_cached

    n_threads = embedding_threads() if n_threads is None else n_threads
    for module, use in zip(modules, used, strict=True):
        if use and not hasattr(module, "transform"):
            embed_cached(_with_threads(module, n_threads), list(texts))


def stacked_views(search_space):
    """The views whose features, side by side, hold every feature once.

    A view named ``"a+b"`` (a :class:`~skfti.embeddings.ConcatenatedEmbedding`)
    whose parts are all views of the space adds no feature of its own, so it
    is left out.

    Parameters
    ----------
    search_space : SearchSpace

    Returns
    -------
    views : tuple of str
        In the space's order.

    Examples
    --------
    >>> from skfti import SearchSpace
    >>> from skfti.task_views import stacked_views
    >>> stacked_views(SearchSpace(views=("glove50", "use512", "glove50+use512")))
    ('glove50', 'use512')
    """
    views = tuple(search_space.views)

    def derived(view):
        return SEPARATOR in view and set(view.split(SEPARATOR)) <= set(views)

    return tuple(v for v in views if not derived(v))


def check_text_views(search_space, name="the search space"):
    """Raise unless texts can go through the views of ``search_space``.

    Parameters
    ----------
    search_space : SearchSpace
        The space.
    name : str, default="the search space"
        What the message calls the space.
    """
    if search_space.is_numeric:
        raise ValueError(
            f"X holds texts, but {name} is numeric (its one view is 'input'): "
            "texts need text views (embedding modules), as in "
            "skfti.pretrained.load('text-v2'); or pass numeric X"
        )


def check_numeric_views(search_space, name="the task"):
    """Raise unless numeric samples can be the single view of ``search_space``.

    Parameters
    ----------
    search_space : SearchSpace
        The space.
    name : str, default="the task"
        What the message calls the numeric data.
    """
    if search_space.n_views != 1:
        raise ValueError(
            f"{name} is numeric (a single input view) but the search space has "
            f"{search_space.n_views} views {search_space.views}"
        )


def standardize_features(X):
    """Standardize each feature within one task: mean 0, std 1, constants to 0.

    The value network's view of a task is computed from standardized
    features, so that it does not change when a feature is shifted or
    rescaled (a ``StandardScaler`` in front, other units).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Finite numeric features of one task.

    Returns
    -------
    X_std : ndarray of shape (n_samples, n_features), dtype float64

    Examples
    --------
    >>> import numpy as np
    >>> from skfti.task_views import standardize_features
    >>> standardize_features(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    centered = X - mean
    std = np.sqrt(np.mean(centered**2, axis=0))
    # a feature constant up to rounding is constant
    constant = std <= 1e-12 * np.maximum(np.abs(mean), 1.0)
    return np.where(constant, 0.0, centered / np.where(constant, 1.0, std))


def check_not_a_column_of_texts(X):
    """Raise, naming the case, if ``X`` is a table of one column of texts."""
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2 or shape[1] != 1 or shape[0] == 0:
        return
    first = X.iloc[0, 0] if hasattr(X, "iloc") else np.asarray(X)[0, 0]
    if isinstance(first, str):
        raise ValueError(
            f"X is a table of one column of texts (shape {tuple(shape)}); pass the "
            "texts as a 1-D sequence, e.g. df['text'] or X[:, 0]"
        )


def task_features(
    X, search_space, *, embedding_modules=None, feature_map=None, embed=True
):
    """One task's samples as the value network sees them, checked first.

    Texts are embedded by every view of ``search_space`` (:func:`embed_views`)
    and stacked; numeric samples are taken as they are (e.g. the stacked
    views of texts, or a tabular data set). The features are then
    standardized within the task (:func:`standardize_features`); a
    ``feature_map`` (e.g. :class:`~skfti.embeddings.TabularFeatureMap`) is
    fitted on the standardized numeric features and maps them to a common
    width.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or list of str
        The task's samples (dense).
    search_space : SearchSpace
        Its views name the embedding modules of texts.
    embedding_modules : list of EmbeddingModule, default=None
        See :func:`embedding_modules`.
    feature_map : transformer, default=None
        Cloned and fitted on each numeric task.
    embed : bool, default=True
        False checks texts without embedding them and returns None for them
        (what a value network without meta-features needs of a task).

    Returns
    -------
    features : ndarray of shape (n_samples, n_out), dtype float64, or None

    Raises
    ------
    ValueError
        For sparse ``X``, texts mixed with other entries, texts that are all
        empty, a table of one text column (pass the texts as a 1-D
        sequence), 0 samples, a shape that is not 2-D, NaN or infinity;
        before any embedding.
    """
    if sparse.issparse(X):
        raise ValueError(
            "Dense data is required: X is a scipy sparse matrix; pass X.toarray()"
        )
    if is_text(X):  # raises for texts mixed with None or numbers
        if not any(str(text).strip() for text in X):
            raise ValueError(
                f"X holds {len(X)} texts, all empty or blank: there is nothing "
                "to describe the task with"
            )
        if not embed:
            return None
        views = embed_views(X, search_space, modules=embedding_modules, stack=True)
        return standardize_features(views)
    try:
        features = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        check_not_a_column_of_texts(X)
        raise ValueError(
            f"X must be a 2-D numeric array or a list of str: {exc}"
        ) from exc
    if features.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n_samples, n_features), got shape {features.shape}"
        )
    if features.shape[0] == 0 or features.shape[1] == 0:
        raise ValueError(
            f"X has shape {features.shape}: a task needs at least one sample and "
            "one feature"
        )
    if not np.all(np.isfinite(features)):
        raise ValueError("X contains NaN or infinity")
    features = standardize_features(features)
    if feature_map is not None:
        features = clone(feature_map).fit_transform(features)
    return np.asarray(features, dtype=np.float64)
