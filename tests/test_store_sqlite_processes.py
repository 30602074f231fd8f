"""The SQLite backend across processes and threads: pickling, concurrent writes."""

import copy
import multiprocessing
import pickle
import threading

import pytest
from store_testing import SETTINGS, SPACE, _u

from skfti.store import ExperimentStore


def _write_from_process(store, task_name, first_seed, n, barrier, queue):
    # Runs in a spawned process: the store arrives pickled, without connection.
    barrier.wait(timeout=60)  # both processes write at the same time
    inserted = 0
    for i in range(n):
        inserted += store.record(
            task_name, _u(i), seed=first_seed + i, settings=SETTINGS, val_accuracy=0.5
        )
    queue.put(inserted)
    store.close()


def test_pickled_store_reconnects(sqlite_store, tasks):
    sqlite_store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    payload = pickle.dumps(sqlite_store)  # works while it holds an open connection
    assert b"sqlite3" not in payload
    clone = pickle.loads(payload)
    assert clone.path == sqlite_store.path
    assert clone._con is None  # lazily reconnected
    assert clone.count() == 1
    assert clone.record(tasks[0], _u(1), seed=0, settings=SETTINGS, val_accuracy=0.6)
    assert sqlite_store.count() == 2
    copied = copy.deepcopy(sqlite_store)
    assert copied.count() == 2
    copied.close()
    clone.close()


def test_close_and_reuse(path, tasks):
    with ExperimentStore(path, search_space=SPACE) as store:
        store.add_task(tasks[0])
    assert store._con is None
    assert store.task_names() == [tasks[0].name]  # reopens
    store.close()


@pytest.mark.parametrize("overlap", [False, True], ids=["disjoint", "overlapping"])
def test_two_processes_count_what_they_insert(sqlite_store, tasks, overlap):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    queue = context.Queue()
    first_seeds = [0, 0] if overlap else [0, 40]
    processes = [
        context.Process(
            target=_write_from_process,
            args=(sqlite_store, tasks[0].name, first, 40, barrier, queue),
        )
        for first in first_seeds
    ]
    for process in processes:
        process.start()
    inserted = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0, 0]
    n_rows = 40 if overlap else 80
    assert sqlite_store.count() == n_rows
    assert sum(inserted) == n_rows  # not 2 x 40 when they overlap
    assert sqlite_store.integrity_check() == "ok"


def test_threads_share_one_store(sqlite_store, tasks):
    def write(first_seed):
        for i in range(25):
            sqlite_store.record(
                tasks[1],
                _u(i),
                seed=first_seed + i,
                settings=SETTINGS,
                val_accuracy=0.5,
            )

    threads = [threading.Thread(target=write, args=(25 * t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sqlite_store.count(tasks[1]) == 100
    assert len(sqlite_store.done(tasks[1], SETTINGS)) == 100


def test_two_handles_on_one_file_count_inserted_rows(path, tasks):
    first = ExperimentStore(path, search_space=SPACE)
    second = ExperimentStore(path)
    first.add_task(tasks[0])
    rows = [
        dict(
            task_name=tasks[0].name,
            encoding=_u(i),
            seed=i,
            settings=SETTINGS,
            val_accuracy=0.5,
        )
        for i in range(20)
    ]
    assert first.record_many(rows[:12]) == 12
    assert second.record_many(rows) == 8
    assert second.count() == 20
    first.close()
    second.close()
