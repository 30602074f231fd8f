"""Checking a table's target column: missing labels, classes, rows per class.

Also the wording of row counts that the messages of
:mod:`skfti.datasets._table_columns` share. Every problem raises
:class:`DataFileError` with one line naming it.
"""

import numpy as np

from skfti.datasets._table_reading import MISSING_WORDS, DataFileError, _shorten


def _label(value):
    """A label for a message: ``1``, ``'spam'``, not ``np.int64(1)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _rows(n):
    """``"1 row"`` or ``"3 rows"``."""
    return "1 row" if n == 1 else f"{n} rows"


def _rows_have(n):
    """``"1 row has"`` or ``"3 rows have"``."""
    return _rows(n) + (" has" if n == 1 else " have")


def _fill_or_dropna(n):
    if n == 1:
        return "fill it or pass --dropna to drop that row"
    return "fill them or pass --dropna to drop those rows"


def _labels(frame, target, path, dropna, notes):
    series = frame[target]
    missing = series.isna().to_numpy()
    if series.dtype == object:
        missing |= series.astype(str).str.strip().eq("").to_numpy()
    if missing.any():
        if not dropna:
            raise DataFileError(
                f"{path}: {_rows_have(int(missing.sum()))} no label in {target!r}; "
                + _fill_or_dropna(int(missing.sum()))
            )
        notes.append(f"dropped {_rows(int(missing.sum()))} without a label")
    words = sorted(
        {v for v in series[~missing].tolist() if isinstance(v, str)} & MISSING_WORDS
    )
    if words:
        notes.append(
            f"target {target!r} has labels {_shorten(map(repr, words))}, kept as "
            "classes (an empty cell is a missing label)"
        )
    return missing


def _check_classes(y, target, path, min_per_class):
    labels, counts = np.unique(y, return_counts=True)
    if len(y) == 0:
        raise DataFileError(f"{path}: no rows left after dropping missing values")
    if y.dtype.kind == "f":  # _label_array made whole numbers integers
        examples = _shorten(sorted({f"{v:g}" for v in y if v != np.round(v)})[:3])
        raise DataFileError(
            f"{path}: target {target!r} holds numbers that are not whole (e.g. "
            f"{examples}): a continuous value, not class labels"
        )
    if len(labels) < 2:
        raise DataFileError(
            f"{path}: target {target!r} has a single class ({_label(labels[0])}) in "
            f"{len(y)} rows; a classifier needs at least 2 classes"
        )
    if len(labels) > 100 and len(labels) > len(y) / 2:
        raise DataFileError(
            f"{path}: target {target!r} has {len(labels)} distinct values in "
            f"{len(y)} rows: a continuous value or an identifier, not class labels"
        )
    small = counts < min_per_class
    if small.any():
        examples = _shorten(
            [
                f"{_label(lab)} ({n})"
                for lab, n in zip(labels[small], counts[small], strict=True)
            ],
            4,
        )
        raise DataFileError(
            f"{path}: too few rows in {_classes(int(small.sum()))} of {target!r}: "
            f"{examples}; every class needs at least {min_per_class}"
        )


def _classes(n):
    """``"1 class"`` or ``"3 classes"``."""
    return "1 class" if n == 1 else f"{n} classes"


def _label_array(series):
    y = series.to_numpy()
    if y.dtype == object:
        types = {type(v) for v in y}
        if len(types) > 1 or not types <= {str}:
            y = np.array([str(v) for v in y], dtype=object)
    elif y.dtype.kind == "f" and np.all(np.equal(np.mod(y, 1), 0)):
        y = y.astype(np.int64)  # 1.0, 2.0: integer labels read as floats
    return y
