"""Synthetic families of related numeric tasks, for fast tests."""

import numpy as np
from sklearn.datasets import make_classification
from sklearn.utils import check_random_state

from skfti.datasets._base import _SEED_MAX, check_positive_int
from skfti.task import Task


def make_task_family(n_tasks=10, *, n_samples=300, n_features=32, random_state=None):
    """Make related classification tasks in one numeric feature space.

    Every task is drawn by :func:`sklearn.datasets.make_classification` with
    ``n_features`` features and its own difficulty: 2 to 4 classes, a class
    separation between 0.5 and 2.0, between 2 and ``n_features // 2``
    informative features, and 0 to 5 % flipped labels. The tasks are then
    expressed in a shared basis (one random rotation for the family), so they
    live in one feature space as embedded text tasks do.

    Parameters
    ----------
    n_tasks : int, default=10
        Number of tasks.
    n_samples : int, default=300
        Samples per task (at least 10 per class are needed, so >= 40).
    n_features : int, default=32
        Features of every task (>= 4).
    random_state : int, RandomState instance or None, default=None
        Seed of the family. Pass an int for the same tasks across calls.

    Returns
    -------
    tasks : list of Task
        Numeric tasks named ``"synthetic-<i>"``.

    Examples
    --------
    >>> from skfti.datasets import make_task_family
    >>> tasks = make_task_family(3, n_samples=100, n_features=8, random_state=0)
    >>> [task.X.shape for task in tasks]
    [(100, 8), (100, 8), (100, 8)]
    """
    n_tasks = check_positive_int(n_tasks, "n_tasks")
    n_samples = check_positive_int(n_samples, "n_samples", minimum=40)
    n_features = check_positive_int(n_features, "n_features", minimum=4)
    rng = check_random_state(random_state)
    rotation, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    tasks = []
    for index in range(n_tasks):
        n_classes = int(rng.randint(2, 5))
        n_informative = int(rng.randint(2, max(3, n_features // 2 + 1)))
        # make_classification needs n_classes * clusters <= 2 ** n_informative.
        n_informative = max(n_informative, int(np.ceil(np.log2(2 * n_classes))))
        X, y = make_classification(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=n_informative,
            n_redundant=min(2, n_features - n_informative),
            n_classes=n_classes,
            class_sep=float(rng.uniform(0.5, 2.0)),
            flip_y=float(rng.uniform(0.0, 0.05)),
            random_state=int(rng.randint(_SEED_MAX)),
        )
        tasks.append(
            Task(
                f"synthetic-{index:02d}",
                X @ rotation,
                y,
                random_state=int(rng.randint(_SEED_MAX)),
            )
        )
    return tasks
