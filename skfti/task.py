"""Labelled classification tasks with a fixed train/validation/test split.

A :class:`Task` is one data set ``D_k`` of the paper (Section 3): text or numeric
samples with class labels, split once, reproducibly, into the training set that
child models learn from, the validation set whose accuracy is the performance
``v`` stored for an architecture, and a held-out test set (Table 1).
"""

import hashlib
import math
from collections import Counter
from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from skfti._hashing import update_with_array, update_with_labels, update_with_texts

__all__ = ["Task", "check_task_collection"]


def _as_samples(X):
    """Return ``(X_array, is_text)`` for a sequence of str or a 2-D numeric array."""
    if isinstance(X, str):
        raise ValueError(
            "X must be a sequence of str or a 2-D numeric array, got a single str."
        )
    if isinstance(X, np.ndarray) and X.dtype.kind in "biuf":
        if X.ndim != 2:
            raise ValueError(
                f"numeric X must be a 2-D array of shape (n_samples, n_features), "
                f"got an array with shape {X.shape}."
            )
        if X.dtype.kind != "f":
            X = X.astype(np.float64)
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinity; numeric X must be finite.")
        return X, False
    if isinstance(X, np.ndarray) and X.dtype.kind in "OUS" and X.ndim == 1:
        items = X.tolist()
    elif isinstance(X, np.ndarray):
        raise ValueError(
            f"X must be a sequence of str or a 2-D numeric array, got an array of "
            f"dtype {X.dtype} with shape {X.shape}."
        )
    else:
        items = list(X)
    if items and all(isinstance(item, str) for item in items):
        texts = np.empty(len(items), dtype=object)
        texts[:] = items
        return texts, True
    try:
        array = np.asarray(items, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "X must be a sequence of str or a 2-D numeric array; it mixes str and "
            "other values or is ragged."
        ) from exc
    return _as_samples(array)


def is_text(X):
    """Whether ``X`` is a 1-D sequence of texts (rather than numeric samples).

    Every element is looked at: a sequence that holds some str and some
    other entries (``None``, a number) is neither texts nor numeric samples.

    Raises
    ------
    ValueError
        If ``X`` mixes str with other entries; the message names the first.
    """
    if not isinstance(X, np.ndarray) and getattr(X, "ndim", None) == 1:
        X = np.asarray(X)  # a pandas Series or another 1-D array-like
    if isinstance(X, np.ndarray):
        if X.ndim != 1 or X.dtype.kind not in "OUS":
            return False
        if X.dtype.kind != "O":
            return X.dtype.kind == "U"
        items = X.tolist()
    elif isinstance(X, (list, tuple)):
        items = X
    else:
        return False
    kinds = [isinstance(item, str) for item in items]
    if not any(kinds):
        return False
    if not all(kinds):
        i = kinds.index(False)
        raise ValueError(
            f"X looks like a list of texts, but entry {i} is {items[i]!r} "
            f"({type(items[i]).__name__}): every text must be a str (fill or drop "
            "missing texts first)"
        )
    return True


def _check_fraction(value, name):
    if not isinstance(value, Real) or not 0 < value < 1:
        raise ValueError(f"{name} must be a float in (0, 1), got {value!r}.")


def min_samples_per_class(validation_size=0.1, test_size=0.1):
    """Fewest samples a class needs for a task's stratified three-way split.

    Every class must reach the smaller of the validation and test splits:
    ``ceil(1 / min(validation_size, test_size))``, 10 with the defaults.
    """
    return math.ceil(1 / min(validation_size, test_size) - 1e-9)


class Task:
    """One labelled classification data set with a stratified 3-way split.

    The split is stratified per class and reproducible: the same ``X``, ``y``,
    sizes and ``random_state`` give the same indices in every process.

    Parameters
    ----------
    name : str
        Identifier of the task, unique within a collection of tasks.
    X : sequence of str or array-like of shape (n_samples, n_features)
        Texts (one str per sample) or a finite numeric matrix.
    y : array-like of shape (n_samples,)
        Class labels (int or str). At least two classes are needed.
    validation_size : float, default=0.1
        Fraction of every class that goes to the validation set.
    test_size : float, default=0.1
        Fraction of every class that goes to the test set.
    random_state : int, RandomState instance or None, default=0
        Seed of the split. Pass an int for a split reproducible across calls and
        processes (``None`` gives a different split each time).

    Attributes
    ----------
    name : str
        The task's identifier.
    X : ndarray
        The samples: a 1-D object array of str for text, else a 2-D float array.
    y : ndarray of shape (n_samples,)
        The labels.
    train_index_, val_index_, test_index_ : ndarray of int
        Sorted sample indices of the training, validation and test sets.

    See Also
    --------
    check_task_collection : Validate a collection of tasks (unique names).
    skfti.meta_features.compute_meta_features : Meta-features ``z`` of a task.

    Notes
    -----
    Every class must have at least ``ceil(1 / min(validation_size, test_size))``
    samples so that each of the three sets receives at least one sample of it.
    The split mirrors the train/validation/test columns of the paper's Table 1:
    child models are trained on the training set and scored by validation
    accuracy; the test set is kept for the final report.

    Examples
    --------
    >>> from skfti.task import Task
    >>> texts = [f"sample {i}" for i in range(40)]
    >>> labels = ["a", "b"] * 20
    >>> task = Task("toy", texts, labels, random_state=0)
    >>> task
    Task(name='toy', kind='text', n_samples=40, n_classes=2, split=32/4/4)
    >>> task.classes.tolist()
    ['a', 'b']
    >>> len(task.X_train), len(task.X_val), len(task.X_test)
    (32, 4, 4)
    """

    def __init__(
        self, name, X, y, *, validation_size=0.1, test_size=0.1, random_state=0
    ):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty str, got {name!r}.")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"name must be text that UTF-8 can write (stores and files "
                f"keep it), got {name!r}: {exc.reason}."
            ) from None
        _check_fraction(validation_size, "validation_size")
        _check_fraction(test_size, "test_size")
        if validation_size + test_size >= 1:
            raise ValueError(
                f"validation_size + test_size must be < 1, got "
                f"{validation_size} + {test_size}."
            )
        X, is_text = _as_samples(X)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D, got an array with shape {y.shape}.")
        if y.dtype.kind == "O":
            y = y.astype(str) if all(isinstance(v, str) for v in y) else y
        if len(X) != len(y):
            raise ValueError(
                f"X and y have different lengths: {len(X)} samples but {len(y)} labels."
            )
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError(
                f"task {name!r} needs at least 2 classes, got {len(classes)}."
            )
        min_per_class = min_samples_per_class(validation_size, test_size)
        too_small = counts < min_per_class
        if too_small.any():
            label, count = classes[too_small][0].item(), counts[too_small][0]
            raise ValueError(
                f"class {label!r} of task {name!r} has {count} samples; the "
                f"stratified split with validation_size={validation_size} and "
                f"test_size={test_size} needs at least {min_per_class} per class."
            )
        self.name = name
        self.X = X
        self.y = y
        self.is_text = is_text
        self.validation_size = validation_size
        self.test_size = test_size
        self.random_state = random_state
        self.train_index_, self.val_index_, self.test_index_ = self._split(
            classes, check_random_state(random_state)
        )
        self._content_hash = None

    def _split(self, classes, rng):
        train, val, test = [], [], []
        for label in classes:
            members = np.flatnonzero(self.y == label)
            members = members[rng.permutation(len(members))]
            n_test = max(1, int(round(self.test_size * len(members))))
            n_val = max(1, int(round(self.validation_size * len(members))))
            test.append(members[:n_test])
            val.append(members[n_test : n_test + n_val])
            train.append(members[n_test + n_val :])
        return tuple(np.sort(np.concatenate(part)) for part in (train, val, test))

    @property
    def X_train(self):
        """Training samples, ``X[train_index_]``."""
        return self.X[self.train_index_]

    @property
    def y_train(self):
        """Training labels, ``y[train_index_]``."""
        return self.y[self.train_index_]

    @property
    def X_val(self):
        """Validation samples, ``X[val_index_]``."""
        return self.X[self.val_index_]

    @property
    def y_val(self):
        """Validation labels, ``y[val_index_]``."""
        return self.y[self.val_index_]

    @property
    def X_test(self):
        """Test samples, ``X[test_index_]``."""
        return self.X[self.test_index_]

    @property
    def y_test(self):
        """Test labels, ``y[test_index_]``."""
        return self.y[self.test_index_]

    @property
    def classes(self):
        """Sorted unique labels, ndarray of shape (n_classes,)."""
        return np.unique(self.y)

    @property
    def n_samples(self):
        """Number of samples, int."""
        return len(self.y)

    @property
    def n_classes(self):
        """Number of classes, int."""
        return len(self.classes)

    @property
    def n_features(self):
        """Number of numeric features, or None for a text task."""
        return None if self.is_text else self.X.shape[1]

    @property
    def content_hash(self):
        """sha256 hex digest of the samples and labels, stable across processes.

        The name and the split are not part of the hash: two tasks holding the
        same data share cached embeddings.
        """
        if self._content_hash is None:
            digest = hashlib.sha256()
            if self.is_text:
                update_with_texts(digest, self.X)
            else:
                update_with_array(digest, self.X)
            update_with_labels(digest, self.y)
            self._content_hash = digest.hexdigest()
        return self._content_hash

    def __repr__(self):
        kind = "text" if self.is_text else f"numeric[{self.X.shape[1]}]"
        split = f"{len(self.train_index_)}/{len(self.val_index_)}"
        split += f"/{len(self.test_index_)}"
        return (
            f"Task(name={self.name!r}, kind={kind!r}, n_samples={self.n_samples}, "
            f"n_classes={self.n_classes}, split={split})"
        )

    def __len__(self):
        return self.n_samples


def check_task_collection(tasks):
    """Validate a collection of tasks and return it as a list.

    Parameters
    ----------
    tasks : iterable of Task
        The tasks, e.g. the training tasks of an experiment store.

    Returns
    -------
    tasks : list of Task
        The same tasks, in order.

    Raises
    ------
    ValueError
        If the collection is empty, holds something other than a :class:`Task`,
        or two tasks share a name.

    Examples
    --------
    >>> from skfti.datasets import make_task_family
    >>> from skfti.task import check_task_collection
    >>> tasks = make_task_family(3, n_samples=100, random_state=0)
    >>> len(check_task_collection(tasks))
    3
    """
    tasks = list(tasks)
    if not tasks:
        raise ValueError("the collection of tasks is empty.")
    for position, task in enumerate(tasks):
        if not isinstance(task, Task):
            raise ValueError(
                f"element {position} of the collection is a "
                f"{type(task).__name__}, not a Task."
            )
    counts = Counter(task.name for task in tasks)
    duplicates = [f"{name!r} ({n} times)" for name, n in counts.items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate task names: {', '.join(duplicates)}.")
    return tasks
