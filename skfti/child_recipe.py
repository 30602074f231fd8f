"""The one child-training recipe: its settings, hold-out and input scaling.

NumPy only (no TensorFlow). :class:`~skfti.RelaxedFFNNClassifier`, the
population workers and :class:`~skfti.InferredArchitectureClassifier` all
train children with :func:`skfti.child_training.train_network` and the
settings below, so a child of the population is exactly the classifier with
the same encoding, settings and seed.

The recipe (measured in docs/results.md, "Child recipe"): inputs
standardized per view on the training data; Adam with decoupled weight decay
(AdamW); dropout on the input of every dense layer; at most ``epochs``
passes, stopped when the loss on a held-out fraction of the training data
has not fallen more than ``tol`` below its best for ``n_iter_no_change``
epochs (as scikit-learn's ``MLPClassifier``), and the weights of the best
epoch restored; then (``refit``) a fresh network trained on all the training
data, held-out rows included, for as long as early stopping chose
(:func:`refit_epochs`); with ``refit="average"`` (the default) the child
predicts with the mean of the two networks' probabilities, the early-stopped
one and the refitted one (no training beyond the refit's).
"""

from numbers import Real

import numpy as np
from sklearn.model_selection import train_test_split

from skfti._seeds import SEED_MAX
from skfti._sklearn_compat import _num_samples

__all__ = [
    "AUTO_DROPOUT",
    "LEGACY_SETTINGS",
    "PAPER_SETTINGS",
    "RECIPE_SETTINGS",
    "check_refit",
    "check_settings",
    "check_validation_pair",
    "complete_legacy_settings",
    "texts_of",
    "fit_input_scaling",
    "holdout_split",
    "mean_log_loss",
    "refit_epochs",
    "resolve_dropout",
    "training_keywords",
]

RECIPE_SETTINGS = {
    "epochs": 200,
    "batch_size": 32,
    "learning_rate": 1e-3,
    "weight_decay": 1e-4,
    "dropout": "auto",
    "n_iter_no_change": 10,
    "tol": 1e-4,
    "validation_fraction": 0.1,
    "refit": "average",
    "standardize": True,
}
"""The default recipe: what a user who passes nothing gets. ``dropout="auto"``
is :data:`AUTO_DROPOUT` (0.2 on texts, none on numeric data);
:func:`check_settings` resolves it for the kind of data, so a stored child's
settings always hold the number it trained with."""

AUTO_DROPOUT = {"text": 0.2, "numeric": 0.0}
"""``dropout="auto"`` by kind of input. Measured in docs/results.md: on text
views (sentence embeddings) dropout 0.2 is part of the recipe chosen by
validation ("Child recipe"); on the 39 KEEL data sets it costs 1.5-1.7
points of validation and test accuracy against none (the tabular lever
study)."""

PAPER_SETTINGS = {
    "epochs": 20,
    "batch_size": 32,
    "learning_rate": 1e-4,
    "weight_decay": 0.0,
    "dropout": 0.0,
    "n_iter_no_change": None,
    "tol": 0.0,
    "validation_fraction": None,
    "refit": False,
    "standardize": False,
}
"""Section 5.1 of the paper: Adam 1e-4, 20 epochs, no stopping rule."""

LEGACY_SETTINGS = {"dropout": 0.0, "refit": False, "tol": 0.0}
"""Settings added to the recipe after children were first stored, each with
the value that children stored before it trained with (skfti before
2026-11-29 had neither dropout nor the refit; before 2026-12-03 any lower
validation loss, however slightly lower, counted as an improvement for early
stopping: ``tol=0``). Ten random children stored
without these keys, retrained with ``dropout=0.0, refit=False``, reproduce
their accuracies and epochs exactly (docs/results.md, "The pretrained
tabular model")."""


def check_settings(settings, *, text=None):
    """A complete, validated settings dict (missing keys take the defaults).

    ``dropout="auto"`` (the default) becomes the number for the kind of data
    (:func:`resolve_dropout`): ``text`` True for texts, False for numeric
    data; None (unknown, or tasks of both kinds) is an error only when
    dropout is ``"auto"``. Raises ValueError naming the first bad setting.
    Settings are part of an experiment's key in the store, so they are
    normalized to plain types.
    """
    unknown = set(settings) - set(RECIPE_SETTINGS)
    if unknown:
        raise ValueError(
            f"Unknown child settings {sorted(unknown)}; "
            f"known: {sorted(RECIPE_SETTINGS)}"
        )
    out = {**RECIPE_SETTINGS, **settings}
    for name in ("epochs", "batch_size"):
        value = out[name]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be a positive int, got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
        out[name] = int(value)
    if not out["learning_rate"] > 0:
        raise ValueError(f"learning_rate must be > 0, got {out['learning_rate']!r}")
    if not out["weight_decay"] >= 0:
        raise ValueError(f"weight_decay must be >= 0, got {out['weight_decay']!r}")
    if isinstance(out["dropout"], str) and out["dropout"] == "auto":
        if text is None:
            raise ValueError(
                "dropout='auto' is 0.2 for texts and 0 for numeric data, and the "
                "kind of data is unknown here (or the tasks mix both): pass dropout "
                "as a number"
            )
        out["dropout"] = resolve_dropout("auto", text=text)
    if isinstance(out["dropout"], str) or not 0.0 <= out["dropout"] < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {out['dropout']!r}")
    out["dropout"] = float(out["dropout"])
    out["learning_rate"] = float(out["learning_rate"])
    out["weight_decay"] = float(out["weight_decay"])
    patience = out["n_iter_no_change"]
    if patience is not None:
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)):
            raise ValueError(
                f"n_iter_no_change must be an int or None, got {patience!r}"
            )
        if patience < 1:
            raise ValueError(f"n_iter_no_change must be >= 1, got {patience!r}")
        out["n_iter_no_change"] = int(patience)
    tol = out["tol"]
    if isinstance(tol, bool) or not isinstance(tol, Real) or not tol >= 0:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    out["tol"] = float(tol)
    fraction = out["validation_fraction"]
    if fraction is not None:
        if not 0.0 <= fraction < 1.0:
            raise ValueError(f"validation_fraction must be in [0, 1), got {fraction!r}")
        out["validation_fraction"] = float(fraction) or None
    out["refit"] = check_refit(out["refit"])
    standardize = out["standardize"]
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True or False, got {standardize!r}")
    out["standardize"] = bool(out["standardize"])
    return out


def training_keywords(settings, validating):
    """The keywords of :func:`skfti.child_training.train_network` for settings.

    ``settings`` is a complete dict of :func:`check_settings` (its
    ``validation_fraction`` chooses the hold-out, which the caller draws);
    ``validating`` says whether a held-out pair is given, without which
    there is no early stopping.
    """
    return {
        "epochs": settings["epochs"],
        "batch_size": settings["batch_size"],
        "learning_rate": settings["learning_rate"],
        "weight_decay": settings["weight_decay"],
        "dropout": settings["dropout"],
        "standardize": settings["standardize"],
        "n_iter_no_change": settings["n_iter_no_change"] if validating else None,
        "tol": settings["tol"],
        "refit": settings["refit"],
    }


def check_refit(refit):
    """``refit`` as ``False`` (none), ``True`` (the refitted network replaces
    the early-stopped one) or ``"average"`` (the child averages the two
    networks' probabilities); NumPy booleans become bool.

    Raises
    ------
    ValueError
        For any other value, naming the allowed ones.
    """
    if isinstance(refit, str):
        if refit == "average":
            return refit
    elif isinstance(refit, (bool, np.bool_)):
        return bool(refit)
    raise ValueError(f"refit must be True, False or 'average', got {refit!r}")


def check_validation_pair(validation_data):
    """``validation_data`` is ``(X_val, y_val)`` with as many labels as samples."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError(
            "validation_data must be a pair (X_val, y_val), got "
            f"{type(validation_data).__name__}"
        )
    X_val, y_val = validation_data
    n_X, n_y = _num_samples(X_val), _num_samples(y_val)
    if n_X != n_y:
        raise ValueError(
            f"validation_data has {n_X} samples in X_val but {n_y} labels in y_val"
        )


def resolve_dropout(dropout, *, text):
    """The dropout rate of ``dropout`` (a float, or ``"auto"``) for the input.

    ``"auto"`` is :data:`AUTO_DROPOUT`: 0.2 when the input is texts (embedded
    views), 0.0 when it is numeric features.

    Examples
    --------
    >>> resolve_dropout("auto", text=True), resolve_dropout("auto", text=False)
    (0.2, 0.0)
    >>> resolve_dropout(0.5, text=False)
    0.5
    """
    if isinstance(dropout, str) and dropout == "auto":
        return AUTO_DROPOUT["text" if text else "numeric"]
    return dropout


def texts_of(tasks):
    """True if every task holds texts, False if every one is numeric, else None."""
    kinds = {bool(task.is_text) for task in tasks}
    return kinds.pop() if len(kinds) == 1 else None


def complete_legacy_settings(settings):
    """The complete settings of a child stored before some keys existed.

    ``settings`` as recorded (a dict); the keys of :data:`LEGACY_SETTINGS`
    it lacks take their legacy values (not today's defaults), then
    :func:`check_settings` completes and validates the rest.

    Examples
    --------
    >>> complete_legacy_settings({"epochs": 200})["dropout"]
    0.0
    """
    missing = {k: v for k, v in LEGACY_SETTINGS.items() if k not in settings}
    return check_settings({**settings, **missing})


def holdout_split(y_idx, fraction, rng):
    """Indices ``(train, held_out)`` of a stratified hold-out, or None.

    ``fraction`` of the samples (rounded down) are held out, stratified by
    class when every class has two samples or more. None when ``fraction``
    is None or 0 or leaves either side empty. Draws one integer from ``rng``
    when it splits.
    """
    n = len(y_idx)
    if not fraction:
        return None
    n_val = int(np.floor(fraction * n))
    if n_val < 1 or n - n_val < 1:
        return None
    counts = np.bincount(y_idx)
    counts = counts[counts > 0]
    stratify = y_idx if counts.min() >= 2 and n_val >= len(counts) else None
    return train_test_split(
        np.arange(n),
        test_size=n_val,
        stratify=stratify,
        random_state=rng.randint(SEED_MAX),
    )


def fit_input_scaling(views):
    """Per-view ``(mean, scale)`` float32 arrays of the training data, or None.

    ``views`` is a list of arrays (``None`` for views the network does not
    use, which stay ``None``). Constant columns get scale 1, so they map to 0.
    """
    scaling = []
    for v in views:
        if v is None:
            scaling.append(None)
            continue
        v = np.asarray(v, dtype=np.float64)
        mean = v.mean(axis=0)
        scale = v.std(axis=0)
        scale[scale < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
        scaling.append((mean.astype(np.float32), scale.astype(np.float32)))
    return scaling


def mean_log_loss(proba, y):
    """Mean cross-entropy of class probabilities ``proba`` for class indices ``y``.

    Probabilities are clipped at float32's epsilon, so a confident mistake
    costs about 15.9 nats, not infinity.
    """
    eps = np.finfo(np.float32).eps
    picked = np.clip(proba[np.arange(len(y)), np.asarray(y)], eps, 1.0)
    return float(-np.mean(np.log(picked)))


def refit_epochs(best_epoch, n_fit, n_held, max_epochs):
    """Epochs of the refit on all ``n_fit + n_held`` training rows.

    The early-stopped training's length (``best_epoch + 1`` epochs on
    ``n_fit`` rows) grown in proportion to the rows added, rounded, within
    ``[1, max_epochs]``.
    """
    n_epochs = round((best_epoch + 1) * (n_fit + n_held) / n_fit)
    return int(min(max(n_epochs, 1), max_epochs))
