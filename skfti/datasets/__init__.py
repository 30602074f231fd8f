"""Loaders of task families: real text and tabular tasks, and synthetic ones.

:func:`load_task_file` makes a task of a user's own labelled file (CSV, TSV,
JSON Lines, Parquet). Every family loader returns a list of
:class:`skfti.task.Task`, deterministic given ``random_state``, and reads
only locally installed files (see ``scripts/install_data.sh``). A missing source raises
:class:`MissingDataSourceError` naming the install command.
:func:`load_family` names the families and gives each the search space that
suits its tasks.
"""

from skfti.datasets._base import MissingDataSourceError, get_data_home
from skfti.datasets._debian import load_debian_package_tasks
from skfti.datasets._families import FAMILY_NAMES, TEXT_VIEWS, load_family
from skfti.datasets._files import (
    DataFileError,
    TextColumns,
    load_task_file,
    read_table,
)
from skfti.datasets._foldoc import load_foldoc_tasks
from skfti.datasets._fortunes import load_fortune_tasks
from skfti.datasets._reviews import load_review_tasks
from skfti.datasets._synthetic import make_task_family
from skfti.datasets._tabular import list_tabular_tasks, load_tabular_tasks
from skfti.datasets._wordnet import load_wordnet_tasks

__all__ = [
    "DataFileError",
    "FAMILY_NAMES",
    "MissingDataSourceError",
    "TEXT_VIEWS",
    "TextColumns",
    "get_data_home",
    "load_debian_package_tasks",
    "load_family",
    "list_tabular_tasks",
    "load_foldoc_tasks",
    "load_fortune_tasks",
    "load_review_tasks",
    "load_task_file",
    "load_tabular_tasks",
    "load_wordnet_tasks",
    "make_task_family",
    "read_table",
]
