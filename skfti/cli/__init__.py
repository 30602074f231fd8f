"""The command line's work on a user's own files (``skfti suggest DATA ...``).

:mod:`skfti.cli._parser` declares the arguments (checked by
:mod:`skfti.cli._arguments`) and :mod:`skfti.__main__` runs the command
they name; :mod:`skfti.cli._models` finds
and checks the inferrer, :mod:`skfti.cli._suggest` suggests, trains and
compares (:mod:`skfti.cli._suggest_task` suggests for a task of a built-in
family), :mod:`skfti.cli._populate` builds a population and fits an
inferrer on the user's files. Reading and checking the files is
:mod:`skfti.datasets._files` (also used by
:func:`skfti.datasets.load_task_file`). Nothing here imports TensorFlow
unless a network is trained.
"""

from skfti.datasets import DataFileError

__all__ = ["DataFileError"]
