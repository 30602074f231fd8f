import os

# Quiet TensorFlow's C++ log in tests; set before any test imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def task_family_population(tmp_path_factory, worker_id):
    """12 related synthetic tasks with 50 trained children each, from a real store.

    Built once per test run by ``generate_population`` (2 worker processes),
    with the default recipe but 10 epochs and no refit, as the pretraining
    populations are (half the cost: the refit trains every child twice).
    Under pytest-xdist the first test process to need it trains the store
    in a folder all share, under a file lock, and the others read it (as
    pytest-xdist's documentation does for session data): the 600 children
    are trained once, not once per process.
    Returns ``(tasks, experiments, search_space)``.
    """
    from filelock import FileLock

    from skfti import ExperimentStore, SearchSpace, generate_population
    from skfti.datasets import make_task_family

    tasks = make_task_family(12, n_samples=400, n_features=32, random_state=0)
    space = SearchSpace(n_layers=3, widths=(8, 32, 128))
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # the base folder of every test process
        shared = shared.parent
    path = shared / "task-family-population.sqlite"
    with FileLock(f"{path}.lock"):
        if not path.with_suffix(".done").exists():
            generate_population(
                tasks,
                50,
                store=path,
                search_space=space,
                epochs=10,  # fewer epochs for speed
                refit=False,  # as populations are built (pretrain_population.py)
                n_jobs=2,
                random_state=0,
            )
            path.with_suffix(".done").touch()
    with ExperimentStore(path) as store:
        experiments = store.experiments(tasks)
    return tasks, experiments, space


# -- the experiment store tests (tests/test_store_*.py) -----------------------------
@pytest.fixture(scope="module")
def tasks():
    from skfti.datasets import make_task_family

    return make_task_family(3, n_samples=60, n_features=4, random_state=0)


@pytest.fixture(params=["sqlite", "memory"])
def make_store(request, tmp_path):
    """A factory of empty stores of one backend."""
    from store_testing import SPACE, MemoryStore

    from skfti.store import ExperimentStore

    opened = []

    def make(search_space=SPACE, name="s"):
        if request.param == "sqlite":
            store = ExperimentStore(
                tmp_path / f"{name}.sqlite", search_space=search_space
            )
        else:
            store = MemoryStore(search_space=search_space)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store, tasks):
    store = make_store()
    for task in tasks:
        store.add_task(task)
    return store


@pytest.fixture
def path(tmp_path):
    """Where the SQLite tests make their store file."""
    return tmp_path / "experiments.sqlite"


@pytest.fixture
def sqlite_store(path, tasks):
    """An SQLite store at ``path`` holding ``tasks`` (``store`` is of any backend)."""
    from store_testing import SPACE

    from skfti.store import ExperimentStore

    store = ExperimentStore(path, search_space=SPACE)
    for task in tasks:
        store.add_task(task)
    yield store
    store.close()
