import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from joblib import parallel_config

from skfti import (
    ArchitectureEncoding,
    ExperimentStore,
    RelaxedFFNNClassifier,
    SearchSpace,
    Task,
    generate_population,
)
from skfti.datasets import make_task_family
from skfti.population import plan_population
from skfti.store import encoding_hash

SPACE = SearchSpace(n_layers=2, widths=(8, 32))
SETTINGS = {"epochs": 5}  # fewer epochs for speed, the default recipe otherwise


@pytest.fixture(scope="module")
def tasks():
    return make_task_family(3, n_samples=120, n_features=8, random_state=0)


def test_population_is_recorded_and_resumes(tasks, tmp_path):
    path = tmp_path / "store.sqlite"
    summary = generate_population(
        tasks, 4, store=path, search_space=SPACE, random_state=0, **SETTINGS
    )
    assert summary["planned"] == 12 and summary["trained"] == 12
    store = ExperimentStore(path)
    assert store.count() == 12
    pairs = store.experiments(tasks)
    assert [len(s) for _, s in pairs] == [4, 4, 4]
    for encodings, scores in pairs:
        assert encodings.shape == (4, SPACE.n_dims)
        assert np.all((scores >= 0) & (scores <= 1))
    again = generate_population(
        tasks, 4, store=path, search_space=SPACE, random_state=0, **SETTINGS
    )
    assert again["skipped"] == 12 and again["trained"] == 0
    more = generate_population(
        tasks, 6, store=path, search_space=SPACE, random_state=0, **SETTINGS
    )
    assert more["skipped"] == 12 and more["trained"] == 6  # only the new children
    assert store.count() == 18


def test_a_child_is_the_classifier_with_the_same_seed(tasks, tmp_path):
    path = tmp_path / "store.sqlite"
    generate_population(
        tasks[:1], 2, store=path, search_space=SPACE, random_state=1, **SETTINGS
    )
    record = ExperimentStore(path).to_records()[0]
    encoding = ArchitectureEncoding.from_vector(SPACE, record["encoding"])
    task = tasks[0]
    clf = RelaxedFFNNClassifier(encoding, random_state=record["seed"], **SETTINGS)
    # The child stops early on a hold-out of the training split; its stored
    # validation score is measured on the task's validation split.
    clf.fit(task.X_train, task.y_train)
    assert record["n_epochs"] == clf.n_iter_
    assert record["val_accuracy"] == pytest.approx(clf.score(task.X_val, task.y_val))
    proba = clf.predict_proba(task.X_val)
    loss = -np.mean(
        np.log(proba[np.arange(len(proba)), clf._label_encoder.transform(task.y_val)])
    )
    assert record["val_log_loss"] == pytest.approx(loss, rel=1e-5)
    assert record["test_accuracy"] == pytest.approx(clf.score(task.X_test, task.y_test))
    assert record["started_at"] is not None


def test_results_do_not_depend_on_n_jobs(tasks, tmp_path):
    scores = []
    for n_jobs in (1, 2):
        path = tmp_path / f"store{n_jobs}.sqlite"
        generate_population(
            tasks[:2],
            3,
            store=path,
            search_space=SPACE,
            random_state=2,
            n_jobs=n_jobs,
            **SETTINGS,
        )
        records = ExperimentStore(path).to_records()
        scores.append(
            {
                (r["task"], r["encoding_hash"], r["seed"]): r["val_accuracy"]
                for r in records
            }
        )
    assert scores[0].keys() == scores[1].keys() and len(scores[0]) == 6
    for key, value in scores[0].items():
        assert scores[1][key] == pytest.approx(value, abs=1e-9)


def test_a_failing_child_is_recorded_and_the_run_goes_on(tasks, tmp_path):
    task = tasks[0]
    huge = Task("overflowing", task.X * 1e37, task.y)  # finite, but training overflows
    alpha = np.zeros((2, SPACE.n_base))
    alpha[:, 2] = 1  # relu-32: nothing saturates
    path = tmp_path / "store.sqlite"
    summary = generate_population(
        [huge, task],
        3,
        store=path,
        search_space=SPACE,
        random_state=0,
        standardize=False,  # standardized inputs would not overflow
        **SETTINGS,
    )
    store = ExperimentStore(path)
    assert summary["trained"] + summary["failed"] == 6
    assert store.count("overflowing", status="failed") >= 1
    assert store.count(task.name, status="ok") == 3
    failed = [r for r in store.to_records() if r["status"] == "failed"]
    assert all("diverged" in r["error"] for r in failed)


def test_bad_arguments_fail_before_any_training(tasks, tmp_path):
    path = tmp_path / "store.sqlite"
    with pytest.raises(ValueError, match="n_architectures"):
        generate_population(tasks, 0, store=path)
    with pytest.raises(ValueError, match="duplicate task names"):
        generate_population([tasks[0], tasks[0]], 2, store=path)
    with pytest.raises(ValueError, match="single input view"):
        generate_population(
            tasks, 2, store=path, search_space=SearchSpace(views=("a", "b"))
        )
    generate_population(tasks[:1], 1, store=path, search_space=SPACE, **SETTINGS)
    with pytest.raises(ValueError, match="depth_sampling must be"):
        generate_population(tasks, 2, store=path, depth_sampling="binomial")
    for bad in ([], [8], [1.5], 3):
        with pytest.raises(ValueError, match="depth_sampling must be"):
            generate_population(
                tasks, 2, store=path, search_space=SPACE, depth_sampling=bad
            )
    with pytest.raises(ValueError, match="another search space"):
        generate_population(tasks[:1], 1, store=path, search_space=SearchSpace())
    texts = Task("texts", [f"text {i % 2}" for i in range(40)], np.arange(40) % 2)
    with pytest.raises(ValueError, match="dropout='auto'"):  # both kinds
        generate_population([tasks[0], texts], 1, store=path)


@pytest.mark.parametrize(
    "argument, match",
    [
        ({"n_jobs": 0}, "n_jobs must be"),
        ({"n_jobs": "2"}, "n_jobs must be"),
        ({"n_jobs": 1.5}, "n_jobs must be"),
        ({"verbose": "a"}, "verbose must be an int"),
        ({"random_state": "x"}, "cannot be used to seed"),
        ({"search_space": "x"}, "search_space must be a SearchSpace"),
        ({"relaxed_fraction": None}, "relaxed_fraction must be a number"),
        ({"standardize": "no"}, "standardize must be True or False"),
    ],
)
def test_bad_run_arguments_fail_before_the_store_is_written(
    tasks, tmp_path, argument, match
):
    path = tmp_path / "store.sqlite"
    kwargs = {"store": path, "search_space": SPACE, **SETTINGS, **argument}
    with pytest.raises(ValueError, match=match):
        generate_population(tasks[:1], 1, **kwargs)
    assert not path.exists()


def test_numeric_children_train_without_dropout_by_default(tasks, tmp_path):
    path = tmp_path / "store.sqlite"
    generate_population(tasks[:1], 1, store=path, search_space=SPACE, **SETTINGS)
    assert ExperimentStore(path).to_records()[0]["settings"]["dropout"] == 0.0


KILLED_RUN = textwrap.dedent(
    """
    import sys
    from skfti import SearchSpace, generate_population
    from skfti.datasets import make_task_family
    tasks = make_task_family(3, n_samples=120, n_features=8, random_state=0)
    generate_population(
        tasks, 20, store=sys.argv[1],
        search_space=SearchSpace(n_layers=2, widths=(8, 32)),
        epochs=5, n_jobs=2, random_state=0,
    )
    """
)


def _children(pid):
    """Pids of the live processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry))
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _keys(path):
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT task_id, encoding_hash, seed, settings_hash FROM experiments"
        ).fetchall()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc (Linux)")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    path = str(tmp_path / "store.sqlite")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    workers = []
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if os.path.exists(path):
            try:
                if len(_keys(path)) >= 4:
                    workers = _children(proc.pid)
                    break
            except sqlite3.OperationalError:
                continue
    assert proc.poll() is None and workers, "no running population to kill"
    proc.kill()  # SIGKILL to the parent only: no clean-up runs there
    proc.wait()
    deadline = time.time() + 30
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.5)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, "population workers outlived their killed parent"


def test_a_killed_run_resumes_without_loss_or_duplicates(tmp_path):
    path = str(tmp_path / "store.sqlite")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, path],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    before = []
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if os.path.exists(path):
            try:
                before = _keys(path)
            except sqlite3.OperationalError:
                continue
            if len(before) >= 10:
                break
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers
    proc.wait()
    killed_at = _keys(path)
    assert 10 <= len(killed_at) < 60

    tasks = make_task_family(3, n_samples=120, n_features=8, random_state=0)
    summary = generate_population(
        tasks,
        20,
        store=path,
        search_space=SPACE,
        random_state=0,
        n_jobs=2,
        **SETTINGS,
    )
    after = _keys(path)
    assert summary["skipped"] == len(killed_at)
    assert len(after) == 60 and len(set(after)) == 60
    assert set(before) <= set(killed_at) <= set(after)
    assert ExperimentStore(path).integrity_check() == "ok"


def test_dask_backend_gives_the_same_scores_as_loky(tasks, tmp_path):
    distributed = pytest.importorskip("distributed")
    results = {}
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        with parallel_config(backend="dask"):
            generate_population(
                tasks[:2],
                3,
                store=tmp_path / "dask.sqlite",
                search_space=SPACE,
                random_state=3,
                **SETTINGS,
            )
    generate_population(
        tasks[:2],
        3,
        store=tmp_path / "loky.sqlite",
        search_space=SPACE,
        random_state=3,
        n_jobs=2,
        **SETTINGS,
    )
    for name in ("dask", "loky"):
        records = ExperimentStore(tmp_path / f"{name}.sqlite").to_records()
        results[name] = {
            (r["task"], r["encoding_hash"], r["seed"]): r["val_accuracy"]
            for r in records
        }
    assert results["dask"].keys() == results["loky"].keys()
    assert len(results["dask"]) == 6
    for key, value in results["loky"].items():
        assert results["dask"][key] == pytest.approx(value, abs=1e-9)


def test_depth_sampling_uniform_covers_every_depth_evenly(tasks):
    space = SearchSpace(n_layers=4, widths=(8, 32))
    depths = {}
    for sampling in ("gates", "uniform"):
        plan = plan_population(
            tasks, 400, space, depth_sampling=sampling, random_state=0
        )
        n_on = np.array([int(enc.beta[:, 0].sum()) for _, enc, _ in plan])
        depths[sampling] = np.bincount(n_on, minlength=5) / len(n_on)
    # gates: binomial(4, 1/2); uniform: 1/4 for each of 1..4, never 0
    np.testing.assert_allclose(
        depths["gates"], [1, 4, 6, 4, 1] / np.float64(16), atol=0.03
    )
    assert depths["uniform"][0] == 0
    np.testing.assert_allclose(depths["uniform"][1:], 0.25, atol=0.03)
    # a sequence: depths drawn from it
    plan = plan_population(tasks, 50, space, depth_sampling=[0, 2], random_state=0)
    n_on = {int(enc.beta[:, 0].sum()) for _, enc, _ in plan}
    assert n_on == {0, 2}
    # the default plan is the paper's, draw for draw
    default = plan_population(tasks, 5, space, random_state=0)
    gates = plan_population(tasks, 5, space, depth_sampling="gates", random_state=0)
    assert [(t, e, s) for t, e, s in default] == [(t, e, s) for t, e, s in gates]


@pytest.mark.parametrize("relaxed_fraction", [0.0, 0.2, 0.5, 1.0])
def test_a_larger_plan_starts_with_the_smaller_one(tasks, relaxed_fraction):
    # A larger n_architectures only adds children, relaxed ones included: the
    # relaxed block used to sit at the end, so its start moved with n.
    space = SearchSpace(n_layers=3, widths=(8, 16))
    small, large = (
        plan_population(
            tasks, n, space, relaxed_fraction=relaxed_fraction, random_state=0
        )
        for n in (10, 20)
    )
    for t in range(len(tasks)):
        first = [(e, s) for i, e, s in large if i == t][:10]
        assert first == [(e, s) for i, e, s in small if i == t]
    n_relaxed = sum(not e.is_discrete for i, e, _ in large if i == 0)
    assert n_relaxed == int(20 * relaxed_fraction)


def test_the_relaxed_share_is_not_cut_short_by_float_error():
    from skfti._population_plan import _is_relaxed

    for fraction, expected in ((0.29, 29), (0.57, 57), (0.58, 58), (0.1, 10)):
        assert sum(_is_relaxed(i, fraction) for i in range(100)) == expected


def test_encoding_hash_keys_match_the_plan(tasks, tmp_path):
    path = tmp_path / "store.sqlite"
    generate_population(
        tasks[:1], 2, store=path, search_space=SPACE, random_state=5, **SETTINGS
    )
    records = ExperimentStore(path).to_records()
    for r in records:
        encoding = ArchitectureEncoding.from_vector(SPACE, r["encoding"])
        assert encoding_hash(encoding) == r["encoding_hash"]


def test_progress_bar_at_verbose_1(tasks, tmp_path, capsys):
    generate_population(
        tasks[:1],
        2,
        store=tmp_path / "s.sqlite",
        search_space=SPACE,
        random_state=0,
        verbose=1,
        **SETTINGS,
    )
    err = capsys.readouterr().err
    assert "children" in err and "2/2" in err and "per_min=" in err
    generate_population(
        tasks[:1],
        2,
        store=tmp_path / "t.sqlite",
        search_space=SPACE,
        random_state=0,
        verbose=0,
        **SETTINGS,
    )
    assert capsys.readouterr().err == ""
