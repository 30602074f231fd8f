"""The inputs of :class:`~skfti.ArchitectureInferrer`, checked and prepared.

Tasks aligned with their experiment sets; each set's encodings and scores,
checked, and the scores normalized per task, ``(v - mu_k) / sigma_k``
(section 3.2 of the paper); a task's samples in the common feature space;
the precomputed meta-features and their standardization over the training
tasks. Every problem raises the ``ValueError`` the inferrer's methods
document. Nothing here imports TensorFlow.
"""

import warnings
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets

from skfti._missing import is_missing
from skfti.encoding import check_encoding_matrix
from skfti.meta_features import compute_meta_features
from skfti.task import Task, check_task_collection
from skfti.task_views import task_features

__all__ = [
    "check_aligned",
    "check_experiments",
    "check_scores",
    "check_units",
    "common_width",
    "meta_normalization",
    "normalize_scores",
    "raw_meta_features",
    "task_samples",
    "task_xy",
]


def check_aligned(tasks, experiments):
    """Tasks (unique names) and their experiment sets, one per task."""
    tasks = check_task_collection(tasks)
    experiments = list(experiments)
    if len(experiments) != len(tasks):
        raise ValueError(
            f"tasks and experiments must be aligned: got {len(tasks)} tasks and "
            f"{len(experiments)} experiment sets"
        )
    return tasks, experiments


def check_scores(task, pair, space):
    """``(U, scores)`` of one task's experiments, validated."""
    try:
        encodings, scores = pair
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"experiments of task {task.name!r} must be a pair (encodings, scores)"
        ) from exc
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) == 0:
        raise ValueError(f"task {task.name!r} has no experiments")
    U = check_encoding_matrix(space, encodings, f"task {task.name!r}")
    if len(U) != len(scores) or scores.ndim != 1:
        raise ValueError(
            f"task {task.name!r}: {len(U)} encodings but {scores.shape} scores"
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"task {task.name!r}: scores contain NaN or infinity")
    return U, scores


def normalize_scores(scores):
    """Per-task ``(v - mu) / sigma`` (sigma 1 where the scores are all equal)."""
    sigma = scores.std()
    return (scores - scores.mean()) / (sigma if sigma > 0 else 1.0)


def check_experiments(tasks, experiments, space):
    """Encodings and per-task normalized scores; warn where nothing ranks.

    Called by ``fit`` itself: the warnings point at ``fit``'s caller, past
    scikit-learn's ``_fit_context`` wrapper around ``fit`` (stacklevel 4).
    """
    U, V, flat = [], [], []
    for task, pair in zip(tasks, experiments, strict=True):
        u, scores = check_scores(task, pair, space)
        U.append(u)
        V.append(normalize_scores(scores))
        if np.ptp(scores) == 0:
            flat.append(task.name)
    if len(flat) == len(tasks):
        warnings.warn(
            "Every task's experiments have equal scores: there is no ranking "
            "of architectures to learn, and the value network learns a "
            "constant. Check the population (did the children train?).",
            UserWarning,
            stacklevel=4,
        )
    elif flat:
        warnings.warn(
            f"The experiments of {len(flat)} task(s) have equal scores (no "
            f"ranking to learn): {flat[:5]}",
            UserWarning,
            stacklevel=4,
        )
    return U, V


def task_xy(task_or_Xy):
    """``(X, y)`` of a task's training split, or of a pair ``(X, y)``."""
    if isinstance(task_or_Xy, Task):
        return task_or_Xy.X_train, task_or_Xy.y_train
    try:
        X, y = task_or_Xy
    except (TypeError, ValueError) as exc:
        raise ValueError("Pass a Task or a pair (X, y)") from exc
    return X, y


def task_samples(
    X,
    y,
    space,
    *,
    embedding_modules=None,
    feature_map=None,
    n_features_in=None,
    embed=True,
):
    """``(features, class indices, n_classes)`` of one task's samples.

    ``n_features_in`` (the fitted width) is checked unless ``None``. With
    ``embed=False`` texts are checked, not embedded, and their features are
    None.
    """
    y = np.asarray(y)
    n_samples = len(X) if not sparse.issparse(X) else X.shape[0]
    if y.ndim != 1 or len(y) != n_samples:
        raise ValueError(
            f"y must be 1-D with one label per sample: X has {n_samples} "
            f"samples, y has shape {y.shape}"
        )
    if n_samples == 0:
        raise ValueError("X has 0 samples; a task needs samples to describe it")
    check_labels(y)
    features = task_features(
        X,
        space,
        embedding_modules=embedding_modules,
        feature_map=feature_map,
        embed=embed,
    )
    y_idx = LabelEncoder().fit_transform(y).astype(np.int32)
    n_classes = int(y_idx.max()) + 1
    if n_classes < 2:
        raise ValueError("y has a single class (1 class); a task needs at least 2")
    width = None if features is None else features.shape[1]
    if n_features_in is not None and width not in (None, n_features_in):
        hint = "X comes from a different feature space"
        if not space.is_numeric:
            hint = (
                f"the search space has the text views {space.views}: pass the "
                f"texts themselves (or their {n_features_in} view features); for "
                "numeric data use a numeric inferrer, e.g. "
                "skfti.pretrained.load('tabular-v1')"
            )
        raise ValueError(
            f"X has {width} features in the common feature space, "
            f"but the inferrer was fitted on tasks with {n_features_in}: {hint}"
        )
    return features, y_idx, n_classes


def check_labels(y):
    """Raise ``ValueError`` for missing labels or labels that are not classes."""
    if y.dtype.kind == "f":
        missing = np.isnan(y)
    elif y.dtype.kind == "O":
        missing = np.array([is_missing(v) for v in y])
    else:
        missing = np.zeros(len(y), dtype=bool)
    if missing.any():
        raise ValueError(
            f"y has {int(missing.sum())} missing labels (None, NaN or NA); drop those "
            "samples first"
        )
    check_classification_targets(y)


def common_width(samples):
    """The one feature width of the training tasks' samples."""
    widths = {s[0].shape[1] for s in samples}
    if len(widths) > 1:
        raise ValueError(
            "The tasks live in different feature spaces (widths "
            f"{sorted(widths)}); pass feature_map (e.g. TabularFeatureMap) to "
            "map them to one"
        )
    return widths.pop()


def _signed_log(values):
    return np.sign(values) * np.log1p(np.abs(values))


def raw_meta_features(features, y_idx):
    """The precomputed meta-features of a task, on a signed log scale."""
    return _signed_log(compute_meta_features(features, y_idx))


def meta_normalization(raw):
    """``(mean, scale)`` of the raw meta-features of the training tasks."""
    mean = raw.mean(0)
    scale = raw.std(0)
    # a meta-feature constant up to rounding (e.g. a feature statistic of
    # standardized features) is constant: do not blow its noise up
    tiny = scale <= 1e-8 * np.maximum(np.abs(mean), 1.0)
    return mean, np.where(tiny, 1.0, scale)


def check_units(name, units, exactly=None):
    """Layer widths: a tuple of positive ints (``exactly`` of them, if given)."""
    widths_ok = all(
        isinstance(u, Integral) and not isinstance(u, bool) and u > 0 for u in units
    )
    count_ok = len(units) == exactly if exactly is not None else len(units) >= 1
    if not (widths_ok and count_ok):
        how_many = f"{exactly}" if exactly is not None else "one or more"
        raise ValueError(
            f"{name} must be {how_many} positive layer widths, got {units!r}"
        )
