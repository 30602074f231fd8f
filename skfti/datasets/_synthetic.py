"""Synthetic families of related numeric tasks, for fast tests."""

import numpy as np
from sklearn.datasets import make_classification
from sklearn.utils import check_random_state

from skfti.datasets._base import _SEED_MAX, check_positive_int
from skfti.task import Task


def make_task_family(n_tasks=10, *, n_samples=300, n_features=32, random_state=None):
    """Make related classification tasks in one numeric feature space.

    Tasks alternate between two kinds, so that which architecture does best
    depends on the task (the signal that task meta-features must carry):

    - even tasks, "clusters": :func:`sklearn.datasets.make_classification`
      with one cluster per class, a class separation between 0.5 and 2.0 and
      between 2 and ``n_features // 2`` informative features; close to
      linearly separable, so shallow networks do well;
    - odd tasks, "shells": Gaussian samples whose class is the shell of their
      norm over 2 or 3 informative features (classes share one mean), which
      only a nonlinear network separates.

    Each task has 2 to 4 classes and 0 to 5 % flipped labels, and all are
    expressed in one shared basis (a random rotation for the family), so they
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
        seed = int(rng.randint(_SEED_MAX))
        flip = float(rng.uniform(0.0, 0.05))
        if index % 2 == 0:
            n_informative = int(rng.randint(2, max(3, n_features // 2 + 1)))
            # make_classification needs n_classes * clusters <= 2 ** n_informative.
            n_informative = max(n_informative, int(np.ceil(np.log2(2 * n_classes))))
            X, y = make_classification(
                n_samples=n_samples,
                n_features=n_features,
                n_informative=n_informative,
                n_redundant=min(2, n_features - n_informative),
                n_classes=n_classes,
                n_clusters_per_class=1,
                class_sep=float(rng.uniform(0.5, 2.0)),
                flip_y=flip,
                random_state=seed,
            )
        else:
            X, y = _shells(n_samples, n_features, n_classes, flip, rng, seed)
        tasks.append(
            Task(
                f"synthetic-{index:02d}",
                X @ rotation,
                y,
                random_state=int(rng.randint(_SEED_MAX)),
            )
        )
    return tasks


def _shells(n_samples, n_features, n_classes, flip, rng, seed):
    """Classes as concentric shells of the norm of a few informative features."""
    n_informative = int(rng.randint(2, min(3, n_features) + 1))
    task_rng = np.random.RandomState(seed)
    X = task_rng.standard_normal((n_samples, n_features))
    X[:, n_informative:] *= 0.3  # weaker noise features
    radius = np.linalg.norm(X[:, :n_informative], axis=1)
    edges = np.quantile(radius, np.linspace(0, 1, n_classes + 1)[1:-1])
    y = np.searchsorted(edges, radius)
    flipped = task_rng.rand(n_samples) < flip
    y[flipped] = task_rng.randint(n_classes, size=int(flipped.sum()))
    return X[:, task_rng.permutation(n_features)], y
