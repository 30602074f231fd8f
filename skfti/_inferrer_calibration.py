"""Predicted values in the unit the inferrer promises: normalized accuracy.

A value network trained with ``loss="mse"`` predicts a task's normalized
accuracy ``(accuracy - mu) / sigma`` directly. One trained with the ranking
loss only orders encodings within a task: its scores keep their order under
any increasing affine map, so their zero and their unit mean nothing (on
``text-v1`` the population's mean score is -2.4 and its best networks score
near 0). This module maps ranking scores back to normalized accuracy:

- the *scale* is the within-task least-squares slope of the training tasks'
  normalized accuracies on the network's scores, pooled over tasks;
- the *zero* of a task is the network's mean score, on that task, of
  reference encodings drawn from the training experiments (random
  architectures, as the population's mean ``mu`` is of random children).

So ``scale * (score - mean reference score)`` estimates how many of the
task's standard deviations an architecture lies above the mean random
architecture. The map is increasing: rankings, suggestions and Spearman
correlations do not change. NumPy only.
"""

import warnings

import numpy as np

__all__ = ["fit_value_scale", "scaled_values", "set_value_scale"]

N_REFERENCE = 1000
"""Reference encodings kept with a fitted inferrer (at most)."""


def fit_value_scale(raw, V, U, rng):
    """``(scale, reference)`` for a ranking-loss value network.

    Parameters
    ----------
    raw : list of ndarray
        The network's scores of each training task's experiments.
    V : list of ndarray
        Their normalized accuracies (mean 0 within each task).
    U : list of ndarray
        Their encodings (as the network reads them).
    rng : RandomState
        Draws the reference encodings.

    Returns
    -------
    scale : float or None
        None (predictions left as scores) where the scores do not increase
        with the accuracies on the training tasks (with a warning), or where
        either is constant.
    reference : ndarray of shape (n_reference, n_dims) or None
    """
    centred = [p - p.mean() for p in raw]
    spread = sum(float(c @ c) for c in centred)
    slope = sum(float(c @ v) for c, v in zip(centred, V, strict=True))
    if spread == 0 or not any(np.any(v) for v in V):
        return None, None  # nothing ranked or nothing to rank: fit has warned
    if not slope > 0:
        warnings.warn(
            "The value network's scores do not increase with the training "
            "tasks' accuracies; its predictions are left as raw scores, not "
            "normalized accuracies.",
            UserWarning,
            stacklevel=3,
        )
        return None, None
    pooled = np.concatenate(U)
    n = min(N_REFERENCE, len(pooled))
    reference = pooled[np.sort(rng.choice(len(pooled), n, replace=False))]
    return slope / spread, reference.astype(np.float32)


def scaled_values(inferrer, raw, z):
    """``raw`` scores of one task (meta-features ``z``) as normalized accuracy.

    Unchanged where the inferrer has no scale (``loss="mse"``, or a model
    saved before scales existed).
    """
    scale = getattr(inferrer, "value_scale_", None)
    if scale is None:
        return raw
    zero = inferrer._numpy_network().value(inferrer.reference_encodings_, z).mean()
    return scale * (raw - zero)


def set_value_scale(inferrer, Z, U, V, rng):
    """Fit ``value_scale_`` and ``reference_encodings_`` of a fitted inferrer.

    ``Z`` holds the training tasks' meta-features z as the network sees them
    (each None without meta-features), ``U`` and ``V`` their encodings as
    the network reads them (canonical where the inferrer's are) and their
    normalized scores.
    """
    scores = inferrer._numpy_network().value
    raw = [scores(u, z) for z, u in zip(Z, U, strict=True)]
    scale, reference = fit_value_scale(raw, V, U, rng)
    inferrer.value_scale_, inferrer.reference_encodings_ = scale, reference
