import sys

import numpy as np
import pytest

from skfti import ArchitectureInferrer, ExperimentStore, generate_population
from skfti import evaluation as ev
from skfti.evaluation import random_search, reinforce_search
from skfti.population import task_data

SETTINGS = {"epochs": 2, "batch_size": 32, "learning_rate": 1e-2}


@pytest.fixture(scope="module")
def small(tmp_path_factory, task_family_population):
    tasks, _, space = task_family_population
    tasks = tasks[:4]
    path = tmp_path_factory.mktemp("eval") / "store.sqlite"
    generate_population(
        tasks, 12, store=path, search_space=space, random_state=0, **SETTINGS
    )
    with ExperimentStore(path) as store:
        experiments = store.experiments(tasks)
        table = ev.experiment_table(store, tasks, SETTINGS)
    inferrer = ArchitectureInferrer(search_space=space, n_steps=100, max_iter=50)
    return tasks, experiments, table, inferrer, space


def test_experiment_table_matches_the_store(small):
    tasks, experiments, table, _, _ = small
    for (encodings, scores), row in zip(experiments, table, strict=True):
        np.testing.assert_array_equal(row["val"], scores)
        np.testing.assert_array_equal(row["encodings"], encodings)
        assert row["test"].shape == scores.shape


def test_predictive_performance_rows_and_summary(small):
    tasks, experiments, _, inferrer, _ = small
    rows = ev.predictive_performance(tasks, experiments, inferrer, seeds=(0, 1))
    assert len(rows) == 4 * 2 * 2
    stats = ev.summarize(rows, "spearman", by=("meta_features",))
    assert set(stats) == {("learned",), ("none",)}
    assert all(n == 8 for _, _, n in stats.values())
    assert all(-1 <= r["spearman"] <= 1 for r in rows)


def test_architecture_search_compares_every_method(small):
    tasks, experiments, table, inferrer, _ = small
    rows = ev.architecture_search(
        tasks,
        experiments,
        table,
        inferrer,
        settings=SETTINGS,
        seeds=(0,),
        n_random=5,
        n_rl=3,
        held_out=[tasks[1].name],
    )
    methods = {r["method"]: r for r in rows}
    assert {r["task"] for r in rows} == {tasks[1].name}
    assert methods["ours (relaxed)"]["children_trained"] == 1
    assert methods["REINFORCE NAS best-of-3"]["children_trained"] == 3
    assert methods["random search best-of-5"]["children_trained"] == 5
    assert methods["population best of 12"]["children_trained"] == 12
    assert methods["LogisticRegression"]["children_trained"] == 0
    assert all(0 <= r["test_accuracy"] <= 1 for r in rows)
    with pytest.raises(ValueError, match="unknown held-out"):
        ev.architecture_search(
            tasks, experiments, table, inferrer, settings=SETTINGS, held_out=["nope"]
        )


def test_baselines_train_what_they_count(small):
    tasks, _, _, _, space = small
    data = task_data(tasks[0], space)
    rl = reinforce_search(data, space, 4, SETTINGS, random_state=0)
    assert rl["n_trained"] == 4 and len(rl["history"]) == 4
    best = max(h["val_accuracy"] for h in rl["history"])
    assert rl["val_accuracy"] == best
    rs = random_search(data, space, 3, SETTINGS, random_state=0)
    assert rs["n_trained"] == 3


def test_curve_embeddings_and_report(small, tmp_path):
    tasks, experiments, _, inferrer, _ = small
    curve = ev.training_tasks_curve(
        tasks, experiments, inferrer, tasks[0].name, sizes=[1, 3], n_orderings=2
    )
    assert sorted({r["n_tasks"] for r in curve}) == [1, 3] and len(curve) == 4
    fitted = inferrer.fit(tasks, experiments)
    Z, labels = ev.task_embedding_points(fitted, tasks, n_batches=3, batch_size=50)
    assert Z.shape == (12, 50) and len(labels) == 12
    text = ev.write_report(
        tmp_path,
        curve_rows=curve,
        embedding=(Z, labels),
        held_out_for_maps=tasks[0].name,
    )
    assert "Adding training tasks" in text
    for name in [
        "report.md",
        "training_tasks.png",
        "task_embeddings_pca.png",
        "task_embeddings_tsne.png",
    ]:
        assert (tmp_path / name).stat().st_size > 0


def test_write_report_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "skfti\[report\]"'):
        ev.write_report(tmp_path, header="x")
    assert not (tmp_path / "report.md").exists()
