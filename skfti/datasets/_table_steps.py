"""Pipeline steps that turn a file's raw rows into what a classifier takes.

:class:`TextColumns` picks and joins the text columns; :func:`make_column_encoder`
gives numeric columns as floats and categorical columns one-hot. A saved
:class:`~sklearn.pipeline.Pipeline` that starts with either predicts raw rows
(a DataFrame read from a file like the training one).
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from skfti._missing import is_missing
from skfti._optional import import_optional

__all__ = ["TextColumns", "make_column_encoder"]


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
                parts.append(["" if is_missing(v) else str(v) for v in list(X[column])])
            return [
                self.sep.join(p for p in row if p) for row in zip(*parts, strict=True)
            ]
        return ["" if is_missing(v) else str(v) for v in list(X)]

    def __sklearn_is_fitted__(self):
        return True
