"""Validation shared by every backend: what a valid experiment or task row is."""

from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np

from skfti.meta_features import META_FEATURE_NAMES
from skfti.store._keys import (
    canonical_settings,
    encoding_hash,
    hash_text,
    split_hash,
)
from skfti.store._keys import (
    task_name as name_of,
)
from skfti.store._schema import STATUSES
from skfti.store._values import (
    now,
    optional_count,
    optional_float,
    package_version,
    timestamp,
)
from skfti.task import Task


@dataclass(frozen=True)
class Experiment:
    """One validated experiment, as a backend writes it (one row)."""

    task: str
    search_space_fingerprint: str
    encoding: tuple[float, ...]
    encoding_hash: str
    seed: int
    settings: str  # canonical JSON
    settings_hash: str
    val_accuracy: float | None
    val_log_loss: float | None
    test_accuracy: float | None
    train_time: float | None
    n_epochs: int | None
    status: str
    error: str | None
    started_at: str | None
    finished_at: str
    package_version: str


def check_status(status: Any, *, allow_none: bool = False) -> None:
    """Raise ValueError unless ``status`` is 'ok', 'failed' (or None if allowed)."""
    if (status is None and allow_none) or status in STATUSES:
        return
    extra = " or None" if allow_none else ""
    raise ValueError(f"status must be one of {STATUSES}{extra}, got {status!r}")


def check_meta_features(values: Any, names: Any) -> tuple[np.ndarray, tuple]:
    """Finite 1-D meta-feature values with one str name each."""
    values = np.asarray(values, dtype=np.float64)
    names = tuple(names)
    if values.ndim != 1 or len(values) != len(names):
        raise ValueError(
            f"meta-features must be a 1-D array with one value per name "
            f"({len(names)}), got shape {values.shape}"
        )
    if not all(isinstance(name, str) for name in names):
        raise ValueError("meta-feature names must be str")
    if not np.all(np.isfinite(values)):
        raise ValueError("meta-features contain NaN or infinite values")
    return values, names


def check_same_task(task: Task, record: dict) -> None:
    """Raise ValueError if ``record`` stores other data or another split."""
    if record["content_hash"] != task.content_hash:
        raise ValueError(
            f"task {task.name!r} already stored with different data (content hash "
            f"{record['content_hash'][:12]}..., this task "
            f"{task.content_hash[:12]}...); give the task another name."
        )
    if record["split_hash"] is not None and record["split_hash"] != split_hash(task):
        raise ValueError(
            f"task {task.name!r} already stored with a different train/validation/"
            "test split (the same data split with another random_state or sizes); "
            "its stored accuracies would not be comparable. Use the split of the "
            "stored task or another name."
        )


def unknown_task(name: str) -> ValueError:
    """The error for a task that is not stored."""
    return ValueError(
        f"unknown task {name!r}: the store has no such task; call "
        "store.add_task(task) first."
    )


def task_row(task: Task, *, created_at: str | None = None) -> dict[str, Any]:
    """The columns of a new ``tasks`` row, without id and meta-features."""
    return {
        "name": task.name,
        "content_hash": task.content_hash,
        "split_hash": split_hash(task),
        "n_samples": int(task.n_samples),
        "n_classes": int(task.n_classes),
        "n_features": None if task.n_features is None else int(task.n_features),
        "is_text": bool(task.is_text),
        "created_at": created_at or now(),
    }


def wanted_meta_features(task: Task, meta_features: Any) -> np.ndarray | None:
    """The meta-features ``add_task`` should store, computed only if asked."""
    if isinstance(meta_features, (bool, np.bool_)):
        if not meta_features or task.is_text:
            return None
        from skfti.meta_features import compute_meta_features

        return compute_meta_features(task.X_train, task.y_train)
    return check_meta_features(meta_features, META_FEATURE_NAMES)[0]


def prepare_experiment(
    store: Any,
    task_name: Any,
    encoding: Any,
    *,
    seed: Any,
    settings: Any,
    val_accuracy: Any = None,
    val_log_loss: Any = None,
    test_accuracy: Any = None,
    train_time: Any = None,
    n_epochs: Any = None,
    status: str = "ok",
    error: Any = None,
    started_at: Any = None,
    finished_at: Any = None,
) -> Experiment:
    """Validate the arguments of ``store.record``; return the row to write.

    A store without a search space takes that of ``encoding``.
    """
    name = name_of(task_name)
    key = encoding_hash(encoding)  # also checks the type
    space = store.search_space
    if space is None:
        store.bind_search_space(encoding.search_space)
        space = encoding.search_space
    if encoding.search_space.fingerprint() != space.fingerprint():
        raise ValueError(
            f"encoding from another search space: {encoding.search_space} "
            f"(fingerprint {encoding.search_space.fingerprint()}), but the store "
            f"records {space} (fingerprint {space.fingerprint()})."
        )
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, Integral):
        raise TypeError(f"seed must be an int, got {seed!r}")
    check_status(status)
    val = optional_float(val_accuracy, "val_accuracy")
    if status == "ok" and val is None:
        raise ValueError(
            "an experiment with status 'ok' needs a finite val_accuracy; "
            "record a failed run with status='failed' and its error."
        )
    log_loss = optional_float(val_log_loss, "val_log_loss")
    if log_loss is not None and log_loss < 0:
        raise ValueError(f"val_log_loss must be >= 0, got {val_log_loss!r}")
    settings_text = canonical_settings(settings)
    return Experiment(
        task=name,
        search_space_fingerprint=space.fingerprint(),
        encoding=tuple(encoding.to_vector().tolist()),
        encoding_hash=key,
        seed=int(seed),
        settings=settings_text,
        settings_hash=hash_text(settings_text),
        val_accuracy=val,
        val_log_loss=log_loss,
        test_accuracy=optional_float(test_accuracy, "test_accuracy"),
        train_time=optional_float(train_time, "train_time"),
        n_epochs=optional_count(n_epochs, "n_epochs"),
        status=status,
        error=None if error is None else str(error),
        started_at=timestamp(started_at, "started_at"),
        finished_at=timestamp(finished_at, "finished_at") or now(),
        package_version=package_version(),
    )
