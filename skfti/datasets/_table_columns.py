"""Checking a table against its target column and choosing its features.

:func:`prepare_table` detects the kind of every column (numeric,
categorical, text, other), checks the labels (missing values, too few
classes, too few rows per class) and the features (missing values, broken
numeric columns, empty texts), and returns a :class:`TableData`: text data
(the text column(s)) or numeric data (numeric and low-cardinality
categorical columns). Every problem raises :class:`DataFileError` with one
line naming it, before any model is loaded or any text embedded.
"""

from dataclasses import dataclass, field

import numpy as np

from skfti._optional import import_optional
from skfti.datasets._table_labels import (
    _check_classes,
    _fill_or_dropna,
    _label_array,
    _labels,
    _rows,
    _rows_have,
)
from skfti.datasets._table_reading import DataFileError, _shorten
from skfti.datasets._table_steps import TextColumns, _as_float_series

__all__ = ["MAX_CATEGORIES", "TableData", "prepare_table"]

MAX_CATEGORIES = 20
"""A string column with at most this many distinct values (and at most half
as many distinct values as rows) is categorical: one-hot encoded in numeric
data. Other string columns are text."""

_NUMERIC_SHARE = 0.9  # a string column this much numbers is a broken numeric one


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
            n_columns = len(self.numeric_columns) + len(self.categorical_columns)
            what = f"{len(self.numeric_columns)} numeric"
            if self.categorical_columns:
                what += f" + {len(self.categorical_columns)} categorical"
            what += " column" if n_columns == 1 else " columns"
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


def _is_empty(series):
    """Whether a column has no value in any row (missing or blank strings)."""
    present = series.dropna()
    if len(present) == 0:
        return True
    first = present.iloc[0]
    if not isinstance(first, str) or first.strip():
        return False
    return all(isinstance(v, str) and not v.strip() for v in present.tolist())


def _kinds(frame, target, max_categories):
    """``{column: "numeric" | "categorical" | "text" | "other"}`` of the features.

    A column without a value in any row (a spreadsheet's trailing separator)
    is "empty"; a "text" column of single words may later become "words"
    (ignored), see :func:`_detected_texts`.
    """
    pd = import_optional("pandas", caller="reading data files", extra="data")
    kinds = {}
    for column in frame.columns:
        if column == target:
            continue
        series = frame[column]
        if _is_empty(series):
            kinds[column] = "empty"
            continue
        if _is_saved_index(column, series):
            kinds[column] = "index"
            continue
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
        values = present.tolist()
        if not _is_str_column(values):
            scalar = [
                isinstance(v, (int, float, bool, np.number, np.bool_)) for v in values
            ]
            if all(scalar):
                kinds[column] = "numeric"
                continue
            n_str = sum(isinstance(v, str) for v in values)
            if n_str + sum(scalar) < len(values) or n_str < _NUMERIC_SHARE * len(
                values
            ):
                kinds[column] = "other"
                continue
            present = present.astype(str)  # texts, a few of them numbers (JSON)
        n_unique = present.nunique()
        if n_unique <= max_categories and n_unique <= len(series) / 2:
            kinds[column] = "categorical"
        else:
            kinds[column] = "text"
    return kinds


def _is_saved_index(column, series):
    """Whether a column is a row index that ``DataFrame.to_csv`` wrote.

    pandas writes an index without a name under an empty header, and names
    that first column ``Unnamed: 0`` when it reads the file back; its values
    are distinct integers (0, 1, 2, ... or, after sorting or splitting, some
    of them in another order). As a feature it gives away the order the rows
    had (a file sorted by label, say).
    """
    return (
        column == "Unnamed: 0" and series.dtype.kind in "iu" and bool(series.is_unique)
    )


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


def _name_hint(columns, wanted, option):
    """A hint when a column is named ``wanted`` up to spaces or case."""
    for column in columns:
        if column.strip() == wanted.strip() and column != wanted:
            return (
                f" (column {column!r} has spaces around its name: pass "
                f"{option} {column!r}, quoted)"
            )
    for column in columns:
        if column.strip().lower() == wanted.strip().lower():
            return f" (did you mean {column!r}? names are case-sensitive)"
    return ""


def _separator_hint(columns):
    """A hint when the file was split at the wrong separator (one column)."""
    if len(columns) != 1:
        return ""
    for sep, label in ((",", "commas"), (";", "semicolons"), ("\t", "tabs")):
        if sep in columns[0]:
            return (
                f" (one column, whose name holds {label}: is the file separated "
                f"by {label}? check --format)"
            )
    return ""


def prepare_table(
    frame,
    target,
    *,
    text_column=None,
    dropna=False,
    max_categories=MAX_CATEGORIES,
    min_per_class=2,
    name="data",
    kind=None,
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
        numeric data, several is an error that asks to choose. A column of
        single words (identifiers, dates) beside numeric columns or beside one
        column of longer texts is ignored, with a note.
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
    kind : {None, "text", "numeric"}, default=None
        What the model takes. ``None`` detects (a text column makes text
        data); ``"numeric"`` uses the numeric and categorical columns of a
        table that also has texts, and ignores the texts (with a note);
        ``"text"`` raises if no text column is found.

    Returns
    -------
    data : TableData
    """
    if kind not in (None, "text", "numeric"):
        raise ValueError(f"kind must be None, 'text' or 'numeric', got {kind!r}")
    if kind == "numeric" and text_column is not None:
        raise DataFileError(
            f"{name}: a text column was named, but the model takes numeric data"
        )
    notes = list(frame.attrs.get("notes", []))
    columns = list(frame.columns)
    if target not in columns:
        raise DataFileError(
            f"{name}: no target column {target!r}; columns: {_shorten(columns, 12)}"
            + (_name_hint(columns, target, "--target") or _separator_hint(columns))
        )
    drop = _labels(frame, target, name, dropna, notes)
    kinds = _kinds(frame, target, max_categories)
    index = [c for c, k in kinds.items() if k == "index"]
    if index:
        notes.append(
            f"{'column' if len(index) == 1 else 'columns'} {_shorten(index)} "
            "ignored (a saved row index)"
        )
    if text_column is not None:
        texts = _chosen_texts(frame, target, text_column, kinds, name)
    elif kind == "numeric":
        texts = _ignored_texts(frame, kinds, notes, name)
    else:
        texts = _detected_texts(frame, kinds, notes, name)
    empty = [c for c, k in kinds.items() if k == "empty"]
    if empty:
        notes.append(
            f"{'column' if len(empty) == 1 else 'columns'} {_shorten(empty)} "
            "ignored (empty in every row)"
        )
    if kind == "text" and not texts:
        raise DataFileError(
            f"{name}: no text column found (columns: {_shorten(columns, 12)}); "
            "name one with --text-column"
        )
    if texts:
        return _text_table(
            frame, target, texts, kinds, drop, dropna, notes, name, min_per_class
        )
    return _numeric_table(
        frame, target, kinds, drop, dropna, notes, name, min_per_class
    )


def _empty_column(frame, column, name):
    return DataFileError(f"{name}: column {column!r} is empty in all {len(frame)} rows")


def _chosen_texts(frame, target, text_column, kinds, name):
    """The text column(s) the user named, checked."""
    columns = list(frame.columns)
    texts = [text_column] if isinstance(text_column, str) else list(text_column)
    for column in texts:
        if column not in columns:
            raise DataFileError(
                f"{name}: no text column {column!r}; columns: {_shorten(columns, 12)}"
                + _name_hint(columns, column, "--text-column")
            )
        if column == target:
            raise DataFileError(
                f"{name}: {column!r} is the target; it cannot be a text column"
            )
        if kinds[column] == "empty":
            raise _empty_column(frame, column, name)
        if kinds[column] not in ("text", "categorical"):
            raise DataFileError(
                f"{name}: column {column!r} is not text (it holds "
                f"{frame[column].dtype} values such as "
                f"{frame[column].dropna().iloc[:1].tolist()})"
            )
        _check_not_broken_numeric(frame, column, name)
    return texts


def _ignored_texts(frame, kinds, notes, name):
    """No text columns: those found are ignored, with a note (numeric data)."""
    texts = [c for c, k in kinds.items() if k == "text"]
    for column in texts:
        _check_not_broken_numeric(frame, column, name)
        kinds[column] = "words"
    if texts:
        notes.append(
            f"text {'column' if len(texts) == 1 else 'columns'} {_shorten(texts)} "
            "ignored (the model takes numeric data)"
        )
    return []


def _detected_texts(frame, kinds, notes, name):
    """The one text column, or none (numeric data); raise if several.

    A column of single words (identifiers, dates, codes) is text only when
    nothing else can be: beside a column of several-word texts or beside
    numeric columns it is ignored (its kind becomes ``"words"``), with a note.
    """
    texts = [c for c, k in kinds.items() if k == "text"]
    for column in texts:
        _check_not_broken_numeric(frame, column, name)
    wordy = [c for c in texts if _share_with_spaces(frame[c]) >= 0.5]
    words = [c for c in texts if c not in wordy]
    has_numbers = "numeric" in kinds.values()
    if words and (len(wordy) == 1 or (not wordy and has_numbers)):
        for column in words:
            kinds[column] = "words"
        notes.append(
            f"{'column' if len(words) == 1 else 'columns'} {_shorten(words)} "
            "ignored (single words: identifiers, dates or codes?; "
            "--text-column uses one as text)"
        )
        texts = wordy
    if len(texts) > 1:
        raise DataFileError(
            f"{name}: several text columns ({_shorten(texts)}); choose with "
            f"--text-column (several are joined with a space)"
        )
    if texts:
        notes.append(f"text column {texts[0]!r} detected")
    return texts


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
                f"{name}: {_rows_have(n_empty)} a missing or empty text (file "
                f"line{'s' if n_empty > 1 else ''} {rows}); " + _fill_or_dropna(n_empty)
            )
        notes.append(f"dropped {_rows(int((empty & ~drop).sum()))} with empty text")
    drop = drop | empty
    ignored = [
        c
        for c, k in kinds.items()
        if c not in texts and k not in ("words", "empty", "index")
    ]
    if ignored:
        numbers = any(kinds[c] in ("numeric", "categorical") for c in ignored)
        hint = " (a model for numeric data uses the numbers: --model tabular-v1)"
        notes.append(
            f"other columns ignored: {_shorten(ignored, 5)}" + (hint if numbers else "")
        )
    keep = ~drop
    y = _label_array(frame[target][keep])
    _check_classes(y, target, name, min_per_class)
    X = [t for t, k in zip(joined, keep, strict=True) if k]
    return TableData("text", X, y, target, text_columns=texts, notes=notes)


def _check_float32_range(values, name):
    """Raise if a numeric column holds finite numbers that float32 cannot hold."""
    limit = float(np.finfo(np.float32).max)
    for column in values.columns:
        column_values = values[column].to_numpy(dtype=np.float64)
        huge = np.isfinite(column_values) & (np.abs(column_values) > limit)
        if huge.any():
            raise DataFileError(
                f"{name}: column {column!r} holds {int(huge.sum())} numbers too "
                f"large for the networks (float32: at most {limit:.1e} in "
                f"magnitude), e.g. {column_values[huge][0]:.3g}; rescale it"
            )


def _numeric_table(frame, target, kinds, drop, dropna, notes, name, min_per_class):
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    other = [c for c, k in kinds.items() if k == "other"]
    if not numeric and not categorical:
        empty = [c for c, k in kinds.items() if k == "empty"]
        if empty:
            raise _empty_column(frame, empty[0], name)
        raise DataFileError(
            f"{name}: no feature columns besides the target {target!r} "
            f"(columns: {_shorten(list(frame.columns), 12)})"
        )
    if other:
        notes.append(f"columns ignored (neither numbers nor text): {_shorten(other)}")
    values = frame[numeric].apply(_as_float_series) if numeric else None
    if values is not None:
        _check_float32_range(values, name)
        bad = ~np.isfinite(values.to_numpy(dtype=np.float64)).all(axis=1)
        if bad.any():
            n_bad = int(bad.sum())
            worst = [c for c in numeric if not np.isfinite(values[c]).all()]
            if not dropna:
                raise DataFileError(
                    f"{name}: {_rows_have(n_bad)} missing or infinite values in "
                    f"numeric columns ({_shorten(worst, 4)}); " + _fill_or_dropna(n_bad)
                )
            n_dropped = int((bad & ~drop).sum())
            notes.append(f"dropped {_rows(n_dropped)} with missing values")
            drop = drop | bad
    if categorical:
        notes.append(
            f"one-hot encoded {len(categorical)} categorical "
            f"{'column' if len(categorical) == 1 else 'columns'} with at most "
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
