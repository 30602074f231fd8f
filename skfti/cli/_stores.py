"""The stores of the command line, checked before any work.

``skfti fit`` and ``skfti evaluate`` read a recorded population: a store that
is missing, not a store, or without children of the tasks is one line
(:class:`~skfti.datasets.DataFileError`) before any work, and a missing file
is never created by the check. ``skfti populate`` and ``skfti demo`` write
one: an existing file must be a writable store. Both check that the store
was made for the same search space and that every task it already holds has
the same data and split as the task given now (a data file edited since, or
another ``--seed``): its children's scores belong to that data.
"""

import os
import warnings

from skfti.datasets import DataFileError

_HINT = "run skfti populate with the same --data (or --family) and settings first"


def _parsed(location):
    """``(scheme, path)`` of a store location; a bad one is a DataFileError."""
    from skfti.store._location import parse_location

    try:
        return parse_location(location)
    except (TypeError, ValueError) as exc:
        raise DataFileError(str(exc)) from None


def recorded_experiments(location, tasks, search_space, settings):
    """Each task's stored ``(encodings, scores)`` (``store.experiments``).

    Raises :class:`DataFileError` if ``location`` (a path or a
    ``sqlite:///`` URL; no other backend here) is no store, or if a task has
    no experiments with these settings.
    """
    from skfti.store import ExperimentStore
    from skfti.store._base import SETTINGS_MATCH_NOTHING

    scheme, path = _parsed(location)
    if scheme == "sqlite":
        if not os.path.exists(path):
            raise DataFileError(f"{path}: no such store; {_HINT}")
        if os.path.isdir(path):
            raise DataFileError(f"{path} is a folder, not a store (an SQLite file)")
    try:
        with ExperimentStore(location, search_space=search_space) as store:
            known = set(store.task_names())
            recorded = [t.name for t in tasks if t.name in known]
            _check_same_tasks(store, tasks, known, path)
            with warnings.catch_warnings():  # the error below says it in one line
                warnings.filterwarnings("ignore", SETTINGS_MATCH_NOTHING)
                experiments = store.experiments(recorded, settings=settings)
    except (ValueError, NotImplementedError, OSError) as exc:
        raise DataFileError(str(exc)) from exc
    found = dict(zip(recorded, experiments, strict=True))
    empty = [t.name for t in tasks if len(found.get(t.name, ((), ()))[1]) == 0]
    if empty:
        raise DataFileError(
            f"{path}: no experiments of {', '.join(empty)} with these child "
            f"settings; {_HINT}"
        )
    return [found[t.name] for t in tasks]


def _check_same_tasks(store, tasks, known, path):
    """Raise DataFileError if a stored task of a name has other data or split."""
    from skfti.store._validation import check_same_task

    for task in tasks:
        if task.name in known:
            try:
                check_same_task(task, store.get_task_record(task.name))
            except ValueError as exc:
                raise DataFileError(f"{path}: {exc}") from None


def check_store_to_write(location, tasks=None, search_space=None):
    """Raise :class:`DataFileError` unless ``skfti populate`` can write there.

    A store that exists must be a writable experiment store, made for
    ``search_space`` (if given), whose tasks of the names of ``tasks`` (if
    given) hold the same data and split; a path that does not exist passes
    (populate creates it). Nothing is created or changed here.
    """
    from skfti.store import STORE_BACKENDS, ExperimentStore
    from skfti.store._location import no_backend
    from skfti.store._schema import check_same_space

    scheme, path = _parsed(location)
    if scheme not in STORE_BACKENDS:
        raise DataFileError(str(no_backend(scheme, location)))
    if scheme != "sqlite" or not os.path.exists(path):
        return
    if os.path.isdir(path):
        raise DataFileError(f"--store {path} is a folder; give a file name")
    try:
        with ExperimentStore(location) as store:
            store.check_writable()
            stored = store.search_space
            if search_space is not None and stored is not None:
                check_same_space(stored, search_space, path)
            if tasks is not None:
                _check_same_tasks(store, tasks, set(store.task_names()), path)
    except (ValueError, OSError) as exc:
        raise DataFileError(str(exc)) from None
