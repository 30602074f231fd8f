"""Pre-computed meta-features ``z`` of a task (paper, Section 3.1).

The value network receives, next to an architecture encoding ``u``, a fixed-length
vector describing the task: its size, its label distribution, statistics of its
features and how much the features tell about the label. Text tasks are described
through their embedded features (see :mod:`skfti.embeddings`).
"""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from skfti._seeds import SEED_MAX

__all__ = ["META_FEATURE_NAMES", "compute_meta_features"]

META_FEATURE_NAMES = (
    "n_samples",
    "n_classes",
    "n_features",
    "class_fraction_min",
    "class_fraction_max",
    "label_entropy",
    "label_entropy_normalized",
    "feature_mean_min",
    "feature_mean_max",
    "feature_mean_median",
    "feature_mean_std",
    "feature_std_min",
    "feature_std_max",
    "feature_std_median",
    "feature_std_std",
    "mutual_info_mean",
    "mutual_info_max",
)
"""Names of the entries of :func:`compute_meta_features`, in order."""


_ORDER_SEED = 20191017  # any constant: the projection that orders the rows


def _summary(values):
    return [values.min(), values.max(), np.median(values), values.std()]


def compute_meta_features(
    X,
    y,
    *,
    n_mi_samples=1000,
    n_mi_features=64,
    n_neighbors=3,
    random_state=0,
    return_names=False,
):
    """Compute the meta-features of a numeric classification data set.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Finite numeric features (for text, the embedded texts).
    y : array-like of shape (n_samples,)
        Class labels.
    n_mi_samples : int, default=1000
        Mutual information is estimated on at most this many samples, drawn
        without replacement from the rows sorted by their content, so that the
        order of the rows changes nothing.
    n_mi_features : int, default=64
        Mutual information is estimated for at most this many features, drawn
        without replacement.
    n_neighbors : int, default=3
        Neighbours of the k-NN mutual information estimator
        (:func:`sklearn.feature_selection.mutual_info_classif`).
    random_state : int, RandomState instance or None, default=0
        Seed of the subsamples and of the estimator's noise. Pass an int for
        reproducible output across calls.
    return_names : bool, default=False
        Also return :data:`META_FEATURE_NAMES`.

    Returns
    -------
    meta_features : ndarray of shape (17,), dtype float64
        The values, in the order of :data:`META_FEATURE_NAMES`.
    names : tuple of str
        Only when ``return_names=True``.

    Notes
    -----
    Section 3.1 of the paper lists: the number of samples, the number of classes
    and their distribution, the label entropy, the number of features, statistics
    of the features (min, max, median) and the mutual information of the features
    with the label. Here the class distribution is summarised by the smallest and
    largest class fraction; the label entropy is in nats and also given divided by
    ``log(n_classes)`` (1 for balanced classes); feature statistics are the min,
    max, median and standard deviation over features of the per-feature mean and
    of the per-feature standard deviation (``ddof=0``); mutual information is
    summarised by its mean and max over the (sub-sampled) features. Counts are
    returned raw: scale them (e.g. ``log``) before feeding a network.

    Examples
    --------
    >>> import numpy as np
    >>> from skfti.meta_features import compute_meta_features
    >>> X = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 3.0], [6.0, 3.0]])
    >>> z, names = compute_meta_features(X, [0, 0, 1, 1], return_names=True)
    >>> dict(zip(names[:3], z[:3].tolist()))
    {'n_samples': 4.0, 'n_classes': 2.0, 'n_features': 2.0}
    >>> round(float(z[names.index("label_entropy")]), 4)
    0.6931
    """
    X, y = _check_inputs(X, y, n_mi_samples, n_mi_features, n_neighbors)
    rng = check_random_state(random_state)
    n_samples, n_features = X.shape
    _, y_codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    n_classes = len(counts)
    fractions = counts / n_samples
    entropy = float(-(fractions * np.log(fractions)).sum())
    entropy_normalized = entropy / np.log(n_classes) if n_classes > 1 else 0.0
    mi = _mutual_information(
        X, y_codes, n_classes, n_mi_samples, n_mi_features, n_neighbors, rng
    )
    values = [
        n_samples,
        n_classes,
        n_features,
        fractions.min(),
        fractions.max(),
        entropy,
        entropy_normalized,
        *_summary(X.mean(axis=0)),
        *_summary(X.std(axis=0)),
        mi.mean(),
        mi.max(),
    ]
    meta_features = np.asarray(values, dtype=np.float64)
    if return_names:
        return meta_features, META_FEATURE_NAMES
    return meta_features


def _check_inputs(X, y, n_mi_samples, n_mi_features, n_neighbors):
    """Validate the parameters, then X (finite, 2-D, non-empty) and y."""
    for value, name in (
        (n_mi_samples, "n_mi_samples"),
        (n_mi_features, "n_mi_features"),
        (n_neighbors, "n_neighbors"),
    ):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}.")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array, got shape {X.shape}.")
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(
            f"y must be 1-D with one label per row of X: X has {len(X)} rows, "
            f"y has shape {y.shape}."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be non-empty, got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinity; meta-features need finite X.")
    return X, y


def _rows_in_canonical_order(X, y_codes):
    """The rows of ``X`` ordered by their content, not by their position.

    Sub-sampling positions of this order, and estimating on rows in this
    order, makes the mutual information the same for every order of the rows
    of one data set (the estimator's noise is drawn row by row). The key is a
    fixed random projection of each row, then its label: distinct rows almost
    surely differ in it, rows equal in both are interchangeable.
    """
    projection = np.random.RandomState(_ORDER_SEED).normal(size=X.shape[1])
    return np.lexsort((y_codes, X @ projection))


def _mutual_information(
    X, y_codes, n_classes, n_mi_samples, n_mi_features, n_neighbors, rng
):
    """Mutual information of (sub-sampled) features with the label, per feature."""
    n_samples, n_features = X.shape
    rows = _rows_in_canonical_order(X, y_codes)
    if n_samples > n_mi_samples:
        rows = rows[np.sort(rng.choice(n_samples, n_mi_samples, replace=False))]
    columns = np.arange(n_features)
    if n_features > n_mi_features:
        columns = np.sort(rng.choice(n_features, n_mi_features, replace=False))
    if n_classes < 2:
        return np.zeros(len(columns))
    # Imported here: it pulls in sklearn.neighbors, which a suggestion from a
    # model without precomputed meta-features never needs.
    from sklearn.feature_selection import mutual_info_classif

    return mutual_info_classif(
        X[np.ix_(rows, columns)],
        y_codes[rows],
        discrete_features=False,
        n_neighbors=n_neighbors,
        random_state=rng.randint(SEED_MAX),
    )
