import os

# Quiet TensorFlow's C++ log in tests; set before any test imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def task_family_population(tmp_path_factory):
    """12 related synthetic tasks with 50 trained children each, from a real store.

    Built once per session by ``generate_population`` (2 worker processes),
    with the default recipe but 10 epochs and no refit, as the pretraining
    populations are (half the cost: the refit trains every child twice).
    Returns ``(tasks, experiments, search_space)``.
    """
    from skfti import ExperimentStore, SearchSpace, generate_population
    from skfti.datasets import make_task_family

    tasks = make_task_family(12, n_samples=400, n_features=32, random_state=0)
    space = SearchSpace(n_layers=3, widths=(8, 32, 128))
    path = tmp_path_factory.mktemp("population") / "store.sqlite"
    generate_population(
        tasks,
        50,
        store=path,
        search_space=space,
        epochs=10,  # fewer epochs for speed
        refit=False,  # as populations are built (scripts/pretrain_population.py)
        n_jobs=2,
        random_state=0,
    )
    with ExperimentStore(path) as store:
        experiments = store.experiments(tasks)
    return tasks, experiments, space
