"""The input views of one child classifier, for texts.

A :class:`~skfti.RelaxedFFNNClassifier` with ``embedding_modules`` takes
texts: they are checked here, each view the trained network reads is
computed (an embedding module through the disk cache, or a view transformer
such as a TF-IDF map fitted on the training rows only), and every view is
checked for its declared width and finite values. A view the network does
not read is never computed.

Nothing here imports TensorFlow; an embedding module may when it embeds.
"""

import numpy as np
from sklearn.base import clone

from skfti._sklearn_compat import _check_y, _num_samples

__all__ = ["check_text_samples", "fit_view_maps", "text_views"]


def check_text_samples(X, y=None):
    """``X`` as a 1-D object array of str (and ``y`` checked against it).

    Parameters
    ----------
    X : sequence of str
        The texts.
    y : array-like of shape (n_samples,), default=None
        Labels, checked for their length.

    Returns
    -------
    texts : ndarray of shape (n_samples,), dtype object
    y : ndarray of shape (n_samples,) or None
    """
    if isinstance(X, str) or not hasattr(X, "__len__"):
        raise ValueError(
            "With embedding_modules, X must be a sequence of texts, got "
            f"{type(X).__name__}"
        )
    texts = np.asarray(X, dtype=object)
    if texts.ndim != 1 or not all(isinstance(t, str) for t in texts):
        raise ValueError(
            "With embedding_modules, X must be a 1-D sequence of str; got an "
            f"array of shape {texts.shape} or non-string entries"
        )
    if len(texts) == 0:
        raise ValueError(
            "Found array with 0 sample(s) while a minimum of 1 is required."
        )
    if y is not None:
        y = _check_y(y)
        if _num_samples(y) != len(texts):
            raise ValueError(f"X has {len(texts)} samples but y has {_num_samples(y)}")
    return texts, y


def fit_view_maps(modules, texts, used):
    """A fitted clone of every used view transformer; None for the others.

    Parameters
    ----------
    modules : list of EmbeddingModule or transformer
        One per view; a module with ``transform`` is a view transformer.
    texts : ndarray of str
        The rows to fit on (the training rows, never the hold-out).
    used : list of bool
        The views the network reads.

    Returns
    -------
    view_maps : list of transformer or None
    """
    return [
        clone(m).fit(texts) if hasattr(m, "transform") and use else None
        for m, use in zip(modules, used, strict=True)
    ]


def text_views(modules, view_maps, texts, used):
    """The views of ``texts``: float32 arrays, None where unused.

    Parameters
    ----------
    modules : list of EmbeddingModule or transformer
        One per view.
    view_maps : list of transformer or None
        From :func:`fit_view_maps`; a fitted transformer replaces its module.
    texts : ndarray of str
        The samples.
    used : list of bool
        The views to compute.

    Returns
    -------
    views : list of ndarray of shape (n_samples, output_dim) or None
    """
    from skfti.embeddings import embed_cached

    views = []
    for module, view_map, use in zip(modules, view_maps, used, strict=True):
        if not use:
            views.append(None)
            continue
        if view_map is not None:
            out = view_map.transform(texts)
        else:
            out = embed_cached(module, list(texts))
        out = np.asarray(out, dtype=np.float32)
        if out.shape != (len(texts), module.output_dim):
            raise ValueError(
                f"Embedding module {module.name!r} returned shape {out.shape}, "
                f"expected ({len(texts)}, {module.output_dim})"
            )
        if not np.all(np.isfinite(out)):
            raise ValueError(f"Embedding module {module.name!r} returned NaN/inf")
        views.append(out)
    return views
