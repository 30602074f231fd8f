import sys

import numpy as np
import pytest

from skfti import (
    ArchitectureInferrer,
    ExperimentStore,
    SearchSpace,
    generate_population,
)
from skfti import evaluation as ev
from skfti.evaluation import random_search, reinforce_search
from skfti.population import task_data

SETTINGS = {"epochs": 3, "batch_size": 32, "learning_rate": 1e-2}


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
    one = ev.predictive_performance(
        tasks[:2], experiments[:2], inferrer, seeds=(0,), meta_features="none"
    )  # was read as its letters
    assert [r["meta_features"] for r in one] == ["none", "none"]


@pytest.fixture(scope="module")
def search_rows(small):
    tasks, experiments, table, inferrer, _ = small
    return ev.architecture_search(
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


def test_architecture_search_compares_every_method(small, search_rows):
    tasks, experiments, table, inferrer, _ = small
    methods = {r["method"]: r for r in search_rows}
    assert len(methods) == len(search_rows)
    assert {r["task"] for r in search_rows} == {tasks[1].name}
    expected = {
        "ours (relaxed)": 1,
        "ours (discretized)": 1,
        "ours best-of-3": 3,
        "ours ensemble-3": 3,
        "ours best-of-5": 5,
        "ours ensemble-5": 5,
        "random search best-of-3": 3,
        "random search best-of-5": 5,
        "REINFORCE NAS best-of-3": 3,
        "REINFORCE NAS best-of-5": 5,
        "First10 (mean of 10 random children)": 10,
        "population best of 12": 12,
        "LogisticRegression": 0,
        "MLPClassifier": 0,
    }
    assert {m: r["children_trained"] for m, r in methods.items()} == expected
    assert all(0 <= r["test_accuracy"] <= 1 for r in search_rows)
    # An ensemble of k is the first k candidates; best-of-k one of them.
    candidates = methods["ours ensemble-5"]["architecture"].split(" + ")
    assert len(candidates) == 5 and len(set(candidates)) == 5
    assert methods["ours (discretized)"]["architecture"] == candidates[0]
    assert methods["ours ensemble-3"]["architecture"].split(" + ") == candidates[:3]
    assert methods["ours best-of-3"]["architecture"] in candidates[:3]
    with pytest.raises(ValueError, match="unknown held-out"):
        ev.architecture_search(
            tasks, experiments, table, inferrer, settings=SETTINGS, held_out=["nope"]
        )


def test_search_baselines_match_their_budgets(small, search_rows):
    tasks, _, table, _, _ = small
    methods = {r["method"]: r for r in search_rows}
    val, test = table[1]["val"], table[1]["test"]
    order = np.random.RandomState(0).permutation(len(val))
    for k in (3, 5):
        best = order[:k][np.argmax(val[order[:k]])]
        accuracy = methods[f"random search best-of-{k}"]["test_accuracy"]
        assert accuracy == pytest.approx(test[best])
    assert methods["population best of 12"]["test_accuracy"] == test[np.argmax(val)]


def test_format_comparison_has_every_row(small, search_rows):
    tasks = small[0]
    text = ev.format_comparison(search_rows, [tasks[1]])
    lines = text.splitlines()
    assert "children trained on the task" in lines[0]
    for method, children in [("ours ensemble-5", 5), ("ours best-of-3", 3)]:
        (line,) = [li for li in lines if li.startswith(method + " ")]
        assert line.split()[-1] == str(children)


def test_format_comparison_averages_the_seeds(small):
    # It printed the last seed's accuracy; write_report's tables the mean.
    task = small[0][1]
    rows = [
        {
            "task": task.name,
            "seed": seed,
            "method": "m",
            "test_accuracy": accuracy,
            "children_trained": 2,
            "seconds": 1.0,
        }
        for seed, accuracy in ((0, 0.25), (1, 0.125))
    ]
    assert ev.format_comparison(rows, [task]).splitlines()[1].split()[1:] == [
        "0.188",
        "2",
    ]


def test_architecture_search_checks_its_arguments_before_any_work(small):
    tasks, experiments, table, inferrer, _ = small
    args = (tasks, experiments, table, inferrer)
    kwargs = {"settings": SETTINGS, "seeds": (0,), "held_out": [tasks[1].name]}
    for bad, match in (
        ({"n_random": 0}, "n_random must be"),
        ({"n_rl": -1}, "n_rl must be"),
        ({"search_space": SearchSpace(n_layers=1, widths=(4,))}, "not the inferrer"),
        ({"held_out": "nope"}, "unknown held-out tasks: \\['nope'\\]"),
    ):
        with pytest.raises(ValueError, match=match):
            ev.architecture_search(*args, **{**kwargs, **bad})
    with pytest.raises(ValueError, match="must be aligned"):
        ev.architecture_search(tasks, experiments, table[:3], inferrer, **kwargs)


def test_report_has_the_cost_accuracy_plot(search_rows, tmp_path):
    pytest.importorskip("matplotlib", reason="the report's plots need matplotlib")
    text = ev.write_report(tmp_path, search_rows=search_rows)
    assert "| method | children trained on the task | mean |" in text
    assert "| ours ensemble-3 | 3 |" in text
    assert "![cost against accuracy](cost_accuracy.png)" in text
    for name in ["report.md", "architecture_search.png", "cost_accuracy.png"]:
        assert (tmp_path / name).stat().st_size > 0


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
    with pytest.raises(ValueError, match="sizes \\[8\\] are not numbers"):
        ev.training_tasks_curve(tasks, experiments, inferrer, tasks[0].name, sizes=[8])
    fitted = inferrer.fit(tasks, experiments)
    Z, labels = ev.task_embedding_points(fitted, tasks, n_batches=3, batch_size=50)
    assert Z.shape == (12, 50) and len(labels) == 12
    # a task no larger than a batch: its batches are resampled, not all equal
    whole, _ = ev.task_embedding_points(
        fitted, tasks[:1], n_batches=2, batch_size=10**4
    )
    assert not np.allclose(whole[0], whole[1])
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
