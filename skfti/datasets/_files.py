"""A user's own labelled file as a task: :func:`load_task_file`.

It reads the file (:func:`read_table`, module ``_table_reading``: CSV, TSV,
JSON Lines or Parquet with pandas), checks it against the target column and
decides what the features are (:func:`prepare_table`, module
``_table_columns``: text columns, or numeric and low-cardinality categorical
columns; its labels are checked in ``_table_labels``), and encodes numeric
data with the step a saved pipeline uses (:func:`make_column_encoder`, module
``_table_steps``, beside :class:`TextColumns`). Every problem with the file
raises :class:`DataFileError` (a ``ValueError``) with one line naming it,
before any model is loaded or any text embedded; the command line prints
that line.

All these names stay importable from here, as the command line imports them.
"""

import os
from pathlib import Path

from skfti.datasets._table_columns import MAX_CATEGORIES, TableData, prepare_table
from skfti.datasets._table_reading import (
    FORMATS,
    DataFileError,
    read_table,
    uncompressed_name,
)
from skfti.datasets._table_reading import file_format as file_format
from skfti.datasets._table_steps import TextColumns, make_column_encoder

# Pipelines saved before the split refer to these steps by this module's name.
from skfti.datasets._table_steps import _as_float as _as_float
from skfti.datasets._table_steps import _as_str as _as_str

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
        ``data/reviews.csv`` and ``data/reviews.csv.gz``, ``"a.v1"`` for
        ``a.v1.csv``).
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
    from skfti.task import Task, min_samples_per_class

    frame = read_table(path, format)
    data = prepare_table(
        frame,
        target,
        text_column=text_column,
        dropna=dropna,
        min_per_class=min_samples_per_class(),  # as Task's split needs
        name=os.fspath(path),
    )
    if name is None:
        name = Path(uncompressed_name(path)).stem  # reviews.csv.gz -> reviews
    if data.kind == "text":
        X = data.X
    else:
        encoder = make_column_encoder(data.numeric_columns, data.categorical_columns)
        X = encoder.fit_transform(data.X)
    return Task(name, X, data.y, random_state=random_state)
