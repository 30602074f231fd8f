"""Contract tests: every experiment store backend passes them.

They run on the SQLite backend and on ``MemoryStore`` (``tests/store_testing.py``),
a second backend, through the ``make_store`` and ``store`` fixtures of
``tests/conftest.py``. This file: the abstract base that names the contract;
``test_store_contract_tasks.py``, ``_experiments.py`` and ``_csv.py`` test its
parts.
"""

import pytest
from store_testing import SPACE, MemoryStore

from skfti.store import BaseExperimentStore, resolve_store


def test_the_abstract_base_names_the_contract():
    with pytest.raises(TypeError, match="abstract"):
        BaseExperimentStore()
    assert {
        "add_task",
        "bind_search_space",
        "check_writable",
        "close",
        "count",
        "done",
        "get_task_record",
        "integrity_check",
        "search_space",
        "set_meta_features",
        "task_names",
        "to_records",
        "_insert_experiments",
        "_select_experiments",
    } == BaseExperimentStore.__abstractmethods__
    assert isinstance(MemoryStore(), BaseExperimentStore)
    store = MemoryStore()
    assert resolve_store(store, search_space=SPACE) is store
    assert store.search_space == SPACE


def test_writable_store_passes_check_and_integrity(store):
    assert store.check_writable() is None
    assert store.integrity_check() == "ok"
