"""A user's own labelled file as a task: reading, checking, choosing columns.

:func:`read_table` reads CSV, TSV, JSON Lines or Parquet with pandas;
:func:`prepare_table` checks a table against a target column and decides
what the features are (text columns, or numeric and low-cardinality
categorical columns); :func:`load_task_file` does both and returns a
:class:`~skfti.task.Task`. Every problem with the file raises
:class:`DataFileError` (a ``ValueError``) with one line naming it, before any
model is loaded or any text embedded; the command line prints that line.

The transformers :class:`TextColumns` and :func:`make_column_encoder` turn
raw rows into what a classifier takes, so that a saved
:class:`~sklearn.pipeline.Pipeline` predicts raw rows.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from skfti._optional import import_optional

__all__ = [
    "FORMATS",
    "MAX_CATEGORIES",
    "DataFileError",
    "TableData",
    "TextColumns",
    "load_task_file",
    "make_column_encoder",
    "prepare_table",
    "read_table",
]

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""File extensions and the format each is read as (``.gz`` etc. on top is fine)."""

MAX_CATEGORIES = 20
"""A string column with at most this many distinct values (and at most half
as many distinct values as rows) is categorical: one-hot encoded in numeric
data. Other string columns are text."""

_COMPRESSION = (".gz", ".bz2", ".zip", ".xz", ".zst")
_NUMERIC_SHARE = 0.9  # a string column this much numbers is a broken numeric one


class DataFileError(ValueError):
    """A user's data file cannot be used as it is; the message says why, in a line."""


def _shorten(values, limit=8):
    values = [str(v) for v in values]
    if len(values) > limit:
        return ", ".join(values[:limit]) + f", ... ({len(values)} in all)"
    return ", ".join(values)


def file_format(path, format=None):
    """The format of ``path``: ``format`` if given, else from its extension."""
    if format is not None:
        fmt = str(format).lower().lstrip(".")
        if fmt not in set(FORMATS.values()):
            raise DataFileError(
                f"unknown format {format!r}; known: csv, tsv, jsonl, parquet"
            )
        return fmt
    name = Path(path).name.lower()
    for suffix in _COMPRESSION:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    suffix = Path(name).suffix
    if suffix not in FORMATS:
        raise DataFileError(
            f"{path}: unknown file format {suffix or '(no extension)'!r}; use "
            f"{', '.join(sorted(FORMATS))} or pass --format csv|tsv|jsonl|parquet"
        )
    return FORMATS[suffix]


def _read(pd, path, fmt, encoding):
    if fmt in ("csv", "tsv"):
        return pd.read_csv(path, sep="," if fmt == "csv" else "\t", encoding=encoding)
    if fmt == "jsonl":
        try:
            return pd.read_json(path, lines=True, encoding=encoding)
        except ValueError as exc:
            try:
                return pd.read_json(path, encoding=encoding)  # an array of rows
            except ValueError:
                raise exc from None
    import_optional(
        "fastparquet" if _has("fastparquet") else "pyarrow",
        caller="reading Parquet files",
        extra="data",
        install="pyarrow",
    )
    return pd.read_parquet(path)


def _has(name):
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _first_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def read_table(path, format=None):
    """Read a data file into a DataFrame, or raise :class:`DataFileError`.

    Parameters
    ----------
    path : str or path-like
        The file: ``.csv``, ``.tsv``, ``.jsonl`` (JSON Lines; ``.json`` may
        also be an array of rows) or ``.parquet``, optionally compressed
        (``.gz``, ...).
    format : {"csv", "tsv", "jsonl", "parquet"}, default=None
        Overrides the extension.

    Returns
    -------
    frame : pandas.DataFrame
        At least one row and one column. A text file that is not UTF-8 is
        read as Latin-1 (``frame.attrs["notes"]`` says so).

    Raises
    ------
    DataFileError
        For a missing or unreadable file, an unknown format, an empty file.
    """
    pd = import_optional("pandas", caller="reading data files", extra="data")
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataFileError(f"{path}: no such file")
    if os.path.isdir(path):
        raise DataFileError(f"{path}: is a directory, not a data file")
    fmt = file_format(path, format)
    if os.path.getsize(path) == 0:
        raise DataFileError(f"{path}: the file is empty")
    notes = []
    try:
        try:
            frame = _read(pd, path, fmt, "utf-8")
        except UnicodeDecodeError:
            frame = _read(pd, path, fmt, "latin-1")
            notes.append("not valid UTF-8: read as Latin-1")
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: the file is empty") from None
    except ImportError:
        raise
    except Exception as exc:  # pandas raises many kinds for a malformed file
        raise DataFileError(
            f"{path}: cannot read it as {fmt}: {_first_line(exc)}"
        ) from None
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise DataFileError(f"{path}: no columns found in the file")
    if len(frame) == 0:
        raise DataFileError(f"{path}: no rows (columns: {_shorten(frame.columns)})")
    frame.columns = [str(c) for c in frame.columns]
    frame.attrs["notes"] = notes
    return frame


@dataclass
class TableData:
    """What :func:`prepare_table` found in a table.

    Attributes
    ----------
    kind : {"text", "numeric"}
        Text columns, or numeric (and categorical) columns.
    X : list of str or pandas.DataFrame
        The texts (text columns joined by a space), or the feature columns.
    y : ndarray of shape (n_samples,)
        The labels.
    text_columns, numeric_columns, categorical_columns : list of str
        The columns used.
    notes : list of str
        What was done, for the user: detected columns, joins, one-hot
        encodings, dropped rows, ignored columns.
    """

    kind: str
    X: object
    y: np.ndarray
    target: str
    text_columns: list = field(default_factory=list)
    numeric_columns: list = field(default_factory=list)
    categorical_columns: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def classes(self):
        """``(labels, counts)`` of the classes, sorted by label."""
        labels, counts = np.unique(self.y, return_counts=True)
        return labels, counts

    def describe(self):
        """One line: rows, features, classes."""
        labels, counts = self.classes
        if self.kind == "text":
            what = "text column" + ("s " if len(self.text_columns) > 1 else " ")
            what += ", ".join(repr(c) for c in self.text_columns)
        else:
            what = f"{len(self.numeric_columns)} numeric"
            if self.categorical_columns:
                what += f" + {len(self.categorical_columns)} categorical"
            what += " columns"
        classes = _shorten(
            [f"{lab} {n}" for lab, n in zip(labels, counts, strict=True)], 6
        )
        return (
            f"{len(self.y)} rows, {what}; target {self.target!r} with "
            f"{len(labels)} classes ({classes})"
        )


def _is_str_column(values):
    """Whether an object/string column's non-missing entries are all str."""
    return all(isinstance(v, str) for v in values)


def _kinds(frame, target, max_categories):
    """``{column: "numeric" | "categorical" | "text" | "other"}`` of the features."""
    pd = import_optional("pandas", caller="reading data files", extra="data")
    kinds = {}
    for column in frame.columns:
        if column == target:
            continue
        series = frame[column]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            kinds[column] = "numeric"
            continue
        if not (
            pd.api.types.is_object_dtype(series)
            or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype)
        ):
            kinds[column] = "other"  # dates, durations, ...
            continue
        present = series.dropna()
        if not _is_str_column(present.tolist()):
            if all(
                isinstance(v, (int, float, bool, np.number, np.bool_))
                for v in present.tolist()
            ):
                kinds[column] = "numeric"
                continue
            kinds[column] = "other"
            continue
        n_unique = present.nunique()
        if n_unique <= max_categories and n_unique <= len(series) / 2:
            kinds[column] = "categorical"
        else:
            kinds[column] = "text"
    return kinds


def _share_with_spaces(series):
    present = series.dropna().astype(str).str.strip()
    return float(present.str.contains(" ").mean()) if len(present) else 0.0


def _check_not_broken_numeric(frame, column, path):
    """Raise if a string column is really numbers with a few odd entries."""
    pd = import_optional("pandas", caller="reading data files", extra="data")
    present = frame[column].dropna().astype(str).str.strip()
    present = present[present != ""]
    numbers = pd.to_numeric(present, errors="coerce")
    n_bad = int(numbers.isna().sum())
    if len(present) and 0 < n_bad <= (1 - _NUMERIC_SHARE) * len(present):
        examples = _shorten(sorted(set(present[numbers.isna()]))[:3])
        raise DataFileError(
            f"{path}: column {column!r} holds numbers but {n_bad} entries are not "
            f"numbers (e.g. {examples}); fix or remove them (missing values: leave "
            "the cell empty and pass --dropna)"
        )


def _labels(frame, target, path, dropna, notes):
    series = frame[target]
    missing = series.isna().to_numpy()
    if series.dtype == object:
        missing |= series.astype(str).str.strip().eq("").to_numpy()
    if missing.any():
        if not dropna:
            raise DataFileError(
                f"{path}: {int(missing.sum())} rows have no label in {target!r}; "
                "fill them or pass --dropna to drop those rows"
            )
        notes.append(f"dropped {int(missing.sum())} rows without a label")
    return missing


def _check_classes(y, target, path, min_per_class):
    labels, counts = np.unique(y, return_counts=True)
    if len(y) == 0:
        raise DataFileError(f"{path}: no rows left after dropping missing values")
    if len(labels) < 2:
        raise DataFileError(
            f"{path}: target {target!r} has a single class ({labels[0]!r}) in "
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
                f"{lab!r} ({n})"
                for lab, n in zip(labels[small], counts[small], strict=True)
            ],
            4,
        )
        raise DataFileError(
            f"{path}: too few rows in {int(small.sum())} classes of {target!r}: "
            f"{examples}; every class needs at least {min_per_class}"
        )


def _label_array(series):
    y = series.to_numpy()
    if y.dtype == object:
        types = {type(v) for v in y}
        if len(types) > 1 or not types <= {str}:
            y = np.array([str(v) for v in y], dtype=object)
    elif y.dtype.kind == "f" and np.all(np.equal(np.mod(y, 1), 0)):
        y = y.astype(np.int64)  # 1.0, 2.0: integer labels read as floats
    return y


def prepare_table(
    frame,
    target,
    *,
    text_column=None,
    dropna=False,
    max_categories=MAX_CATEGORIES,
    min_per_class=2,
    name="data",
):
    """Check a table and choose its features; raise :class:`DataFileError` if unfit.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (e.g. from :func:`read_table`).
    target : str
        The column of the class labels.
    text_column : str or list of str, default=None
        The text column(s); several are joined with a space. ``None``
        detects: the string columns that are not categorical (see
        :data:`MAX_CATEGORIES`); exactly one means text data, none means
        numeric data, several is an error that asks to choose.
    dropna : bool, default=False
        Drop rows with a missing label, a missing or empty text, or a missing
        numeric value (and say how many), instead of raising.
    max_categories : int, default=20
        A string column with at most this many distinct values (and at most
        half as many as rows) is categorical, one-hot encoded in numeric data.
    min_per_class : int, default=2
        Fewest rows a class may have.
    name : str, default="data"
        What messages call the table (the file's path).

    Returns
    -------
    data : TableData
    """
    notes = list(frame.attrs.get("notes", []))
    columns = list(frame.columns)
    if target not in columns:
        raise DataFileError(
            f"{name}: no target column {target!r}; columns: {_shorten(columns, 12)}"
        )
    drop = _labels(frame, target, name, dropna, notes)
    kinds = _kinds(frame, target, max_categories)
    if text_column is not None:
        texts = [text_column] if isinstance(text_column, str) else list(text_column)
        for column in texts:
            if column not in columns:
                raise DataFileError(
                    f"{name}: no text column {column!r}; columns: "
                    f"{_shorten(columns, 12)}"
                )
            if column == target:
                raise DataFileError(
                    f"{name}: {column!r} is the target; it cannot be a text column"
                )
            if kinds[column] not in ("text", "categorical"):
                raise DataFileError(
                    f"{name}: column {column!r} is not text (it holds "
                    f"{frame[column].dtype} values such as "
                    f"{frame[column].dropna().iloc[:1].tolist()})"
                )
            _check_not_broken_numeric(frame, column, name)
    else:
        texts = [c for c, k in kinds.items() if k == "text"]
        for column in texts:
            _check_not_broken_numeric(frame, column, name)
        if len(texts) > 1:
            wordy = [c for c in texts if _share_with_spaces(frame[c]) >= 0.5]
            if len(wordy) == 1:
                notes.append(
                    f"columns {_shorten(set(texts) - set(wordy))} ignored (single "
                    "words: identifiers?)"
                )
                texts = wordy
        if len(texts) > 1:
            raise DataFileError(
                f"{name}: several text columns ({_shorten(texts)}); choose with "
                f"--text-column (several are joined with a space)"
            )
        if texts:
            notes.append(f"text column {texts[0]!r} detected")
    if texts:
        return _text_table(
            frame, target, texts, kinds, drop, dropna, notes, name, min_per_class
        )
    return _numeric_table(
        frame, target, kinds, drop, dropna, notes, name, min_per_class
    )


def _text_table(frame, target, texts, kinds, drop, dropna, notes, name, min_per_class):
    joined = TextColumns(texts).transform(frame)
    empty = np.array([not t.strip() for t in joined])
    if len(texts) > 1:
        notes.append(f"text columns {', '.join(map(repr, texts))} joined with a space")
    if empty.any():
        n_empty = int(empty.sum())
        if not dropna:
            rows = _shorten((np.flatnonzero(empty) + 2).tolist(), 3)
            raise DataFileError(
                f"{name}: {n_empty} rows have a missing or empty text (file lines "
                f"{rows}); fill them or pass --dropna to drop those rows"
            )
        notes.append(f"dropped {int((empty & ~drop).sum())} rows with empty text")
    drop = drop | empty
    ignored = [c for c in kinds if c not in texts]
    if ignored:
        notes.append(f"other columns ignored: {_shorten(ignored, 5)}")
    keep = ~drop
    y = _label_array(frame[target][keep])
    _check_classes(y, target, name, min_per_class)
    X = [t for t, k in zip(joined, keep, strict=True) if k]
    return TableData("text", X, y, target, text_columns=texts, notes=notes)


def _numeric_table(frame, target, kinds, drop, dropna, notes, name, min_per_class):
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    other = [c for c, k in kinds.items() if k == "other"]
    if not numeric and not categorical:
        raise DataFileError(
            f"{name}: no feature columns besides the target {target!r} "
            f"(columns: {_shorten(list(frame.columns), 12)})"
        )
    if other:
        notes.append(f"columns ignored (neither numbers nor text): {_shorten(other)}")
    values = frame[numeric].apply(_as_float_series) if numeric else None
    if values is not None:
        bad = ~np.isfinite(values.to_numpy(dtype=np.float64)).all(axis=1)
        if bad.any():
            n_bad = int(bad.sum())
            worst = [c for c in numeric if not np.isfinite(values[c]).all()]
            if not dropna:
                raise DataFileError(
                    f"{name}: {n_bad} rows have missing or infinite values in "
                    f"numeric columns ({_shorten(worst, 4)}); fill them or pass "
                    "--dropna to drop those rows"
                )
            notes.append(f"dropped {int((bad & ~drop).sum())} rows with missing values")
            drop = drop | bad
    if categorical:
        notes.append(
            f"one-hot encoded {len(categorical)} categorical columns with at most "
            f"{MAX_CATEGORIES} distinct values ({_shorten(categorical, 5)}; a "
            "missing value is a category of its own)"
        )
    keep = ~drop
    y = _label_array(frame[target][keep])
    _check_classes(y, target, name, min_per_class)
    X = frame.loc[keep, numeric + categorical].reset_index(drop=True)
    return TableData(
        "numeric",
        X,
        y,
        target,
        numeric_columns=numeric,
        categorical_columns=categorical,
        notes=notes,
    )


def _as_float_series(series):
    pd = import_optional("pandas", caller="reading data files", extra="data")
    return pd.to_numeric(series, errors="coerce").astype(np.float64)


def _as_float(X):
    """Numeric columns as a float64 array (a picklable pipeline step)."""
    if hasattr(X, "apply"):
        X = X.apply(_as_float_series)
    return np.asarray(X, dtype=np.float64)


def _as_str(X):
    """Categorical columns as str, missing values as ``"nan"`` (a pipeline step)."""
    if hasattr(X, "astype"):
        return np.asarray(X.astype(str), dtype=object)
    return np.asarray(X, dtype=str).astype(object)


def make_column_encoder(numeric_columns, categorical_columns):
    """A ColumnTransformer: numeric columns as floats, categoricals one-hot.

    Unknown categories at prediction time give all-zero columns
    (``handle_unknown="ignore"``); other columns of the rows are dropped, so
    raw rows (the target column included) can be passed.

    Parameters
    ----------
    numeric_columns, categorical_columns : list of str
        Column names.

    Returns
    -------
    encoder : sklearn.compose.ColumnTransformer
        Unfitted; its output is a dense float array.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    steps = []
    if numeric_columns:
        steps.append(("numeric", FunctionTransformer(_as_float), list(numeric_columns)))
    if categorical_columns:
        steps.append(
            (
                "categorical",
                make_pipeline(
                    FunctionTransformer(_as_str),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                list(categorical_columns),
            )
        )
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


class TextColumns(TransformerMixin, BaseEstimator):
    """Pick text column(s) of raw rows; give a list of str (columns joined by a space).

    The first step of a saved text pipeline: it takes a DataFrame (the rows
    of the file, other columns ignored), a dict of columns, or texts (a list
    or 1-D array of str, used as they are). Missing texts become ``""``.

    Parameters
    ----------
    columns : list of str
        The text columns, in the order they are joined.
    sep : str, default=" "
        What joins several columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from skfti.datasets import TextColumns
    >>> rows = pd.DataFrame({"title": ["A", "B"], "body": ["x", None], "y": [0, 1]})
    >>> TextColumns(["title", "body"]).transform(rows)
    ['A x', 'B']
    >>> TextColumns(["title"]).transform(["raw text"])
    ['raw text']
    """

    def __init__(self, columns, sep=" "):
        self.columns = columns
        self.sep = sep

    def fit(self, X, y=None):
        """Nothing to learn; returns self."""
        return self

    def transform(self, X):
        """The texts of ``X``, as a list of str."""
        if isinstance(X, str):
            return [X]
        if hasattr(X, "columns") or isinstance(X, dict):
            parts = []
            for column in self.columns:
                if column not in X:
                    raise ValueError(
                        f"the rows have no text column {column!r}; pass a DataFrame "
                        f"with {list(self.columns)} or a list of texts"
                    )
                parts.append(["" if _missing(v) else str(v) for v in list(X[column])])
            return [
                self.sep.join(p for p in row if p) for row in zip(*parts, strict=True)
            ]
        return ["" if _missing(v) else str(v) for v in list(X)]

    def __sklearn_is_fitted__(self):
        return True


def _missing(value):
    return value is None or (isinstance(value, float) and np.isnan(value))


def load_task_file(
    path,
    target,
    *,
    text_column=None,
    format=None,
    dropna=False,
    name=None,
    random_state=0,
):
    """A :class:`~skfti.task.Task` from a labelled data file.

    Text files give a text task (the text column(s), see
    :func:`prepare_table`); other files a numeric task (numeric columns as
    they are, categorical columns one-hot encoded).

    Parameters
    ----------
    path : str or path-like
        CSV, TSV, JSON Lines or Parquet (see :func:`read_table`).
    target : str
        The column of the class labels.
    text_column : str or list of str, default=None
        The text column(s); detected when ``None``.
    format : {"csv", "tsv", "jsonl", "parquet"}, default=None
        Overrides the file's extension.
    dropna : bool, default=False
        Drop rows with missing values instead of raising.
    name : str, default=None
        The task's name; default the file's stem (``"reviews"`` for
        ``data/reviews.csv``).
    random_state : int, RandomState instance or None, default=0
        Seed of the task's split.

    Returns
    -------
    task : Task

    Raises
    ------
    DataFileError
        If the file cannot be used; the message names the problem.
    """
    from skfti.task import Task

    frame = read_table(path, format)
    data = prepare_table(
        frame,
        target,
        text_column=text_column,
        dropna=dropna,
        min_per_class=3,  # a row each for the train, validation and test split
        name=os.fspath(path),
    )
    if name is None:
        name = Path(path).name.split(".")[0]
    if data.kind == "text":
        X = data.X
    else:
        encoder = make_column_encoder(data.numeric_columns, data.categorical_columns)
        X = encoder.fit_transform(data.X)
    return Task(name, X, data.y, random_state=random_state)
