"""The SQLite backend in read-only places: clear errors, the file left intact."""

import multiprocessing
import os
import sqlite3
import tempfile

import pytest
from store_testing import SETTINGS, SPACE, _u

from skfti.store import ExperimentStore


def _run_unprivileged(func, *args):
    """Run ``func(*args)`` without root's right to ignore file permissions.

    As root, in a forked child that switches to the user ``nobody``; as
    another user, in this process. Returns ``(exception type, message)`` or
    ``(None, result)``.
    """

    def call():
        try:
            return None, func(*args)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            return type(exc).__name__, str(exc)

    if os.geteuid() != 0:
        return call()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def child():
        os.setgid(65534)
        os.setuid(65534)
        queue.put(call())

    process = context.Process(target=child)
    process.start()
    result = queue.get(timeout=60)
    process.join(timeout=60)
    return result


def _open_store(path):
    with ExperimentStore(path) as store:
        return store.count()


def _check_writable(path):
    with ExperimentStore(path) as store:
        count = store.count()  # reading works
        store.check_writable()
        return count


@pytest.fixture
def shared_dir():
    # Under /tmp, not tmp_path: the user nobody must be able to reach it.
    directory = tempfile.mkdtemp()
    os.chmod(directory, 0o755)
    yield directory
    os.chmod(directory, 0o755)
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    os.rmdir(directory)


def _filled_store(directory, tasks):
    path = os.path.join(directory, "experiments.sqlite")
    with ExperimentStore(path, search_space=SPACE) as store:
        store.add_task(tasks[0])
        store.record(tasks[0], _u(0), seed=0, settings=SETTINGS, val_accuracy=0.5)
    assert os.listdir(directory) == ["experiments.sqlite"]  # WAL checkpointed
    return path


def test_wal_store_in_read_only_directory_is_not_called_damaged(shared_dir, tasks):
    path = _filled_store(shared_dir, tasks)
    before = open(path, "rb").read()
    if os.geteuid() != 0:
        os.chmod(shared_dir, 0o555)
    kind, message = _run_unprivileged(_open_store, path)
    assert kind == "PermissionError", message
    assert "not an SQLite database" not in message
    assert f"its directory {shared_dir} is read-only" in message
    assert "intact" in message and path in message
    assert open(path, "rb").read() == before


def test_check_writable_on_read_only_file(shared_dir, tasks):
    path = _filled_store(shared_dir, tasks)
    os.chmod(path, 0o444)
    os.chmod(shared_dir, 0o777)  # the directory is writable, the file is not
    kind, message = _run_unprivileged(_check_writable, path)
    assert kind == "PermissionError", message
    assert f"the file {path} is read-only" in message and "intact" in message
    os.chmod(path, 0o644)
    assert ExperimentStore(path).count() == 1


class _ReadOnlyStore(ExperimentStore):
    """Opens its file with SQLite's ``mode=ro``, as a read-only mount would."""

    def _connect(self):
        return sqlite3.connect(
            f"file:{self.path}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )


def test_check_writable_refuses_a_read_only_connection(path, tasks):
    ExperimentStore(path, search_space=SPACE).close()
    store = _ReadOnlyStore(path)  # works even as root
    assert store.count() == 0
    with pytest.raises(PermissionError, match="cannot write to the experiment"):
        store.check_writable()
    with pytest.raises(PermissionError, match="intact"):
        store.add_task(tasks[0])  # any write says so, not a raw sqlite3 error
    store.close()
    ExperimentStore(path).check_writable()  # the file itself is fine
