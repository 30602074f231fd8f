"""Shared helpers of the task loaders."""

import os
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils import check_random_state

from skfti._seeds import SEED_MAX as _SEED_MAX
from skfti.task import Task


class MissingDataSourceError(ImportError):
    """A data source (a Debian or pip package) is not installed.

    The message says which command installs it; ``scripts/install_data.sh``
    installs them all.
    """


def get_data_home(data_home=None):
    """Return the folder where skfti keeps data files, creating it if needed.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder. By default the environment variable ``SKFTI_DATA``, else
        ``~/skfti_data``.

    Returns
    -------
    data_home : pathlib.Path
        The folder (it exists).
    """
    if data_home is None:
        data_home = os.environ.get("SKFTI_DATA") or os.path.join("~", "skfti_data")
    path = Path(data_home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_positive_int(value, name, minimum=1):
    """Return ``int(value)``, raising ``ValueError`` unless it is an int >= minimum."""
    if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}.")
    return int(value)


def check_class_range(n_classes):
    """Return ``(low, high)`` from an int or an inclusive ``(low, high)`` pair."""
    if isinstance(n_classes, Integral) and not isinstance(n_classes, bool):
        low = high = int(n_classes)
    else:
        try:
            low, high = (int(v) for v in n_classes)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"n_classes must be an int or a (low, high) pair, got {n_classes!r}."
            ) from exc
    if not 2 <= low <= high:
        raise ValueError(
            f"n_classes must be >= 2 (and low <= high), got {n_classes!r}."
        )
    return low, high


def group_unique_texts(texts, labels):
    """Group texts by label, dropping empty texts and texts under several labels.

    Returns a dict ``label -> list of str`` with labels sorted and texts in their
    first-seen order.
    """
    owners = {}
    for text, label in zip(texts, labels, strict=True):
        text = " ".join(text.split())
        if text:
            owners.setdefault(text, set()).add(label)
    groups = {}
    for text, owner in owners.items():
        if len(owner) == 1:
            groups.setdefault(next(iter(owner)), []).append(text)
    return {label: groups[label] for label in sorted(groups)}


def sample_k_way_tasks(
    prefix, groups, *, n_tasks, n_classes, n_samples_per_class, random_state
):
    """Draw k-way tasks from texts grouped by class, with distinct class sets.

    Parameters
    ----------
    prefix : str
        Start of each task name; names are ``f"{prefix}-{k}way-{i:02d}"``.
    groups : dict of str to list of str
        Texts of each class.
    n_tasks, n_samples_per_class : int
        Number of tasks, samples drawn (without replacement) per class.
    n_classes : int or (int, int)
        Classes per task, or an inclusive range drawn per task.
    random_state : int, RandomState instance or None
        Seed of the draws.

    Returns
    -------
    tasks : list of Task
    """
    n_tasks = check_positive_int(n_tasks, "n_tasks")
    n_samples_per_class = check_positive_int(
        n_samples_per_class, "n_samples_per_class", minimum=10
    )
    low, high = check_class_range(n_classes)
    rng = check_random_state(random_state)
    eligible = sorted(
        label for label, texts in groups.items() if len(texts) >= n_samples_per_class
    )
    if len(eligible) < high:
        raise ValueError(
            f"only {len(eligible)} {prefix} classes have >= {n_samples_per_class} "
            f"samples, fewer than n_classes={high}; lower n_samples_per_class or "
            f"n_classes."
        )
    tasks, seen, attempts = [], set(), 0
    while len(tasks) < n_tasks:
        attempts += 1
        if attempts > 100 * n_tasks:
            raise ValueError(
                f"could not draw {n_tasks} distinct {prefix} tasks from "
                f"{len(eligible)} classes; lower n_tasks."
            )
        k = int(rng.randint(low, high + 1))
        chosen = tuple(sorted(rng.choice(eligible, size=k, replace=False).tolist()))
        split_seed = int(rng.randint(_SEED_MAX))
        if chosen in seen:
            continue
        seen.add(chosen)
        X, y = [], []
        for label in chosen:
            texts = groups[label]
            picks = np.sort(rng.choice(len(texts), n_samples_per_class, replace=False))
            X.extend(texts[i] for i in picks)
            y.extend([label] * n_samples_per_class)
        name = f"{prefix}-{k}way-{len(tasks):02d}"
        tasks.append(Task(name, X, y, random_state=split_seed))
    return tasks


def stratified_subsample(y, max_samples, rng, min_per_class=10):
    """Sorted indices of a stratified subsample of about ``max_samples``.

    Class proportions are kept (largest remainders get the spare places), but
    every class keeps at least ``min(count, min_per_class)`` samples so that the
    subsample can still be split; rare classes can push the size a little above
    ``max_samples``.
    """
    y = np.asarray(y)
    if max_samples is None or len(y) <= max_samples:
        return np.arange(len(y))
    classes, y_codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    share = counts * max_samples / len(y)
    quota = np.floor(share).astype(int)
    for code in np.argsort(quota - share, kind="stable")[: max_samples - quota.sum()]:
        quota[code] += 1
    quota = np.maximum(quota, np.minimum(counts, min_per_class))
    picks = [
        rng.choice(np.flatnonzero(y_codes == code), quota[code], replace=False)
        for code in range(len(classes))
    ]
    return np.sort(np.concatenate(picks))
