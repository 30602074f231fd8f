"""What the experiment store tests share.

The search space and settings they record under, ``_u`` for an encoding of
that space, and ``MemoryStore``: a tiny backend that keeps its rows in dicts,
written here to show that the contract of
:class:`skfti.store.BaseExperimentStore` can be implemented by a second backend.
The contract tests (``tests/test_store_contract*.py``) run on it and on SQLite
through the ``make_store`` and ``store`` fixtures of ``tests/conftest.py``.
"""

import json

import numpy as np

from skfti import META_FEATURE_NAMES, ArchitectureEncoding, SearchSpace
from skfti.store import BaseExperimentStore, settings_hash
from skfti.store._schema import EXPERIMENT_COLUMNS
from skfti.store._validation import (
    check_meta_features,
    check_same_task,
    check_status,
    task_row,
    unknown_task,
    wanted_meta_features,
)

SPACE = SearchSpace(n_layers=2, widths=(8, 16))
SETTINGS = {"epochs": 3, "batch_size": 16}


def _u(i, space=SPACE):
    return ArchitectureEncoding.random_one_hot(space, random_state=i)


class MemoryStore(BaseExperimentStore):
    """A second backend: tasks and experiments in dicts, in this process."""

    def __init__(self, location="memory://", *, search_space=None, timeout=60.0):
        self.location = location
        self._space = search_space
        self._tasks = {}
        self._rows = {}  # uniqueness key -> row, in recording order

    @property
    def search_space(self):
        return self._space

    def bind_search_space(self, search_space):
        if self._space is not None and (
            self._space.fingerprint() != search_space.fingerprint()
        ):
            raise ValueError("the store was made for another search space")
        self._space = search_space

    def add_task(self, task, *, meta_features=False):
        row = self._tasks.get(task.name)
        if row is not None:
            check_same_task(task, row)
        else:
            row = {"id": len(self._tasks) + 1, **task_row(task)}
            row.update(meta_features=None, meta_feature_names=None)
            self._tasks[task.name] = row
        if row["meta_features"] is None:
            values = wanted_meta_features(task, meta_features)
            if values is not None:
                row.update(meta_features=values, meta_feature_names=META_FEATURE_NAMES)
        return row["id"]

    def _task(self, name):
        name = name if isinstance(name, str) else name.name
        if name not in self._tasks:
            raise unknown_task(name)
        return self._tasks[name]

    def set_meta_features(self, task_name, values, names=META_FEATURE_NAMES):
        values, names = check_meta_features(values, names)
        self._task(task_name).update(meta_features=values, meta_feature_names=names)

    def get_task_record(self, name):
        return dict(self._task(name))

    def task_names(self):
        return list(self._tasks)

    def _insert_experiments(self, experiments):
        for experiment in experiments:  # all or nothing
            self._task(experiment.task)
        inserted = 0
        for e in experiments:
            key = (e.task, e.search_space_fingerprint, e.encoding_hash, e.seed)
            key += (e.settings_hash,)
            if key not in self._rows:
                self._rows[key] = {"id": len(self._rows) + 1, **vars(e)}
                inserted += 1
        return inserted

    def done(self, task_name, settings):
        task = self._task(task_name)["name"]
        fingerprint = self._space.fingerprint() if self._space else None
        return {
            (row["encoding_hash"], row["seed"])
            for row in self._rows.values()
            if (row["task"], row["settings_hash"]) == (task, settings_hash(settings))
            and row["search_space_fingerprint"] == fingerprint
        }

    def _select_experiments(self, names, *, settings_key, status, column):
        n_dims = 0 if self._space is None else self._space.n_dims
        results = []
        for name in names:
            self._task(name)
            rows = [
                row
                for row in self._rows.values()
                if row["task"] == name
                and status in (None, row["status"])
                and settings_key in (None, row["settings_hash"])
                and (column != "val_log_loss" or row["val_log_loss"] is not None)
            ]
            encodings = np.array([row["encoding"] for row in rows], dtype=np.float64)
            scores = [np.nan if row[column] is None else row[column] for row in rows]
            results.append(
                (encodings.reshape(len(rows), n_dims), np.array(scores, dtype=float))
            )
        return results

    def count(self, task_name=None, status=None):
        check_status(status, allow_none=True)
        name = None if task_name is None else self._task(task_name)["name"]
        return sum(
            name in (None, row["task"]) and status in (None, row["status"])
            for row in self._rows.values()
        )

    def to_records(self):
        records = []
        for row in self._rows.values():
            record = {column: row[column] for column in EXPERIMENT_COLUMNS}
            record.update(
                encoding=list(row["encoding"]), settings=json.loads(row["settings"])
            )
            records.append(record)
        return records

    def integrity_check(self):
        return "ok"

    def check_writable(self):
        return None

    def close(self):
        return None
