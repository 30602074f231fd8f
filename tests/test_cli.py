import json
import subprocess
import sys

import pytest

from skfti.__main__ import main

SMALL = [
    "--family",
    "synthetic",
    "--n-tasks",
    "4",
    "--epochs",
    "2",
    "--learning-rate",
    "1e-2",
    "--vn-steps",
    "200",
]


@pytest.mark.parametrize("command", ["demo", "populate", "fit", "suggest", "evaluate"])
def test_every_command_has_help(command):
    out = subprocess.run(
        [sys.executable, "-m", "skfti", command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "usage: skfti " + command in out


def test_demo_runs_and_resumes(tmp_path, capsys):
    store = str(tmp_path / "demo.sqlite")
    args = [
        "demo",
        *SMALL,
        "--n-architectures",
        "12",
        "--n-held-out",
        "1",
        "--n-rl",
        "2",
        "--n-jobs",
        "1",
        "--store",
        store,
    ]
    main(args)
    out = capsys.readouterr().out
    assert "children trained on the task" in out
    for method, children in [
        ("ours (relaxed)", 1),
        ("ours (discretized)", 1),
        ("ours best-of-3", 3),
        ("ours ensemble-3", 3),
        ("ours ensemble-5", 5),
        ("random search best-of-3", 3),
        ("random search best-of-5", 5),
        ("REINFORCE NAS best-of-3", 3),
        ("REINFORCE NAS best-of-5", 5),
        ("First10", 10),
        ("population best of 12", 12),
        ("LogisticRegression", 0),
        ("MLPClassifier", 0),
    ]:
        (line,) = [li for li in out.splitlines() if li.startswith(method + " ")]
        assert line.split()[-1] == str(children)
    assert "48 children trained, 0 found in the store" in out
    main(args)
    assert "0 children trained, 48 found in the store" in capsys.readouterr().out


def test_populate_fit_suggest(tmp_path, capsys, monkeypatch):
    store = str(tmp_path / "s.sqlite")
    model = str(tmp_path / "inferrer.joblib")
    main(
        [
            "populate",
            *SMALL[:-2],
            "--n-architectures",
            "6",
            "--n-jobs",
            "1",
            "--store",
            store,
        ]
    )
    main(
        [
            "fit",
            *SMALL,
            "--store",
            store,
            "--exclude",
            "synthetic-03",
            "--output",
            model,
        ]
    )
    assert "fitted on 3 tasks" in capsys.readouterr().out
    main(
        [
            "suggest",
            "--family",
            "synthetic",
            "--n-tasks",
            "4",
            "--inferrer",
            model,
            "--task",
            "synthetic-03",
            "--json",
            str(tmp_path / "u.json"),
        ]
    )
    out = capsys.readouterr().out
    assert "predicted normalized accuracy" in out and "input |" in out
    assert out.startswith("1. ") and "\n5. " in out  # --top-k 5 by default
    assert (tmp_path / "u.json").read_text().startswith("{")
    family_task = ["suggest", "--family", "synthetic", "--n-tasks", "4"]
    task = ["--task", "synthetic-03"]
    assert main([*family_task, "--inferrer", model, *task, "--top-k", "1"]) == 0
    assert "\n2. " not in capsys.readouterr().out
    # no inferrer.joblib in the working directory; a text model for numbers
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main([*family_task, *task]) == 2
    assert "no inferrer.joblib here" in capsys.readouterr().err
    assert main([*family_task, "--model", "text-v1", *task]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skfti: error: task 'synthetic-03': ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("command", ["fit", "evaluate"])
def test_a_store_that_is_not_a_population_is_one_line(command, tmp_path, capsys):
    """Missing, foreign, or without the tasks' children: one line, status 2,
    before any work, and a missing store is not created by the check."""
    output = ["--output", str(tmp_path / "m.joblib")] if command == "fit" else []
    run = [command, *SMALL, *output, "--store"]
    missing = tmp_path / "none.sqlite"
    assert main([*run, str(missing)]) == 2
    err = capsys.readouterr().err
    assert "none.sqlite: no such store; run skfti populate" in err
    assert err.count("\n") == 1 and not missing.exists()
    assert main([*run, f"sqlite:///{missing}"]) == 2  # the URL of a path
    assert "no such store" in capsys.readouterr().err and not missing.exists()
    assert main([*run, "postgresql://host/db"]) == 2
    assert "no experiment store backend" in capsys.readouterr().err
    foreign = tmp_path / "notes.csv"
    foreign.write_text("text,label\na,b\n")
    assert main([*run, str(foreign)]) == 2
    err = capsys.readouterr().err
    assert "is not an SQLite database" in err and err.count("\n") == 1
    assert foreign.read_text() == "text,label\na,b\n"
    assert main([*run, str(tmp_path)]) == 2
    assert "is a folder, not a store" in capsys.readouterr().err
    other = str(tmp_path / "other.sqlite")
    populate = ["populate", *SMALL[:-2], "--n-tasks", "2", "--n-architectures", "1"]
    assert main([*populate, "--n-jobs", "1", "--store", other]) == 0
    capsys.readouterr()
    assert main([*run, other]) == 2
    err = capsys.readouterr().err
    assert "no experiments of synthetic-02, synthetic-03" in err
    assert err.count("\n") == 1
    if command == "fit":  # where the model would go is checked first
        bad = [command, *SMALL, "--output", str(tmp_path / "no" / "m.joblib")]
        assert main([*bad, "--store", other]) == 2
        assert "the folder" in capsys.readouterr().err


def test_child_settings_reach_the_store(tmp_path):
    from skfti import ExperimentStore

    store = str(tmp_path / "s.sqlite")
    populate = ["populate", *SMALL[:-2], "--n-tasks", "2", "--n-architectures", "1"]
    assert main([*populate, "--n-jobs", "1", "--store", store, "--tol", "0"]) == 0
    with ExperimentStore(store) as opened:
        (settings,) = {json.dumps(r["settings"]) for r in opened.to_records()}
    assert json.loads(settings)["tol"] == 0.0
    assert json.loads(settings)["n_iter_no_change"] == 10
    assert json.loads(settings)["refit"] == "average"  # the default recipe's


def test_a_closed_pipe_ends_quietly(tmp_path):
    """``skfti suggest ... | head -c 1``: no BrokenPipeError traceback (the
    2,000 favourites overflow the pipe's buffer after the reader is gone)."""
    import numpy as np
    import pandas as pd

    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    frame.assign(label=rng.choice(["x", "y"], 60)).to_csv(tmp_path / "n.csv")
    done = subprocess.run(
        f"{sys.executable} -m skfti suggest n.csv --target label --top-k 2000"
        " | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert len(done.stdout) == 1 and done.stderr == ""


def _status_and_error(argv, capsys):
    """``(status, stderr)`` of the command line, through argparse's exit too."""
    capsys.readouterr()
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    return status, capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["suggest", "d.csv", "--target", "y", "--train", "--n-jobs", "0"], "n_jobs"),
        (["populate", "--store", "s.sqlite", "--n-architectures", "0"], ">= 1, got 0"),
        (["populate", "--store", "s.sqlite", "--n-tasks", "-1"], ">= 1, got -1"),
        (["fit", "--store", "s.sqlite", "--epochs", "0"], ">= 1, got 0"),
        (["demo", "--n-jobs", "0"], "argument --n-jobs: must be a number"),
    ],
)
def test_bad_counts_are_refused_while_parsing(
    argv, expected, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    status, err = _status_and_error(argv, capsys)
    assert status == 2 and err.count("\n") == 1 and expected in err
    assert "Traceback" not in err and not (tmp_path / "s.sqlite").exists()


def test_populate_refuses_a_file_that_is_not_a_store_before_work(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    populate = ["populate", "--data", str(data), "--target", "y", "--store"]
    status, err = _status_and_error([*populate, str(data)], capsys)
    assert status == 2 and err.count("\n") == 1
    assert "d.csv is not an skfti experiment store" in err
    status, err = _status_and_error([*populate, str(tmp_path)], capsys)
    assert status == 2 and "is a folder" in err and err.count("\n") == 1
    bad_rate = [*populate, str(tmp_path / "s.sqlite"), "--learning-rate", "0"]
    status, err = _status_and_error(bad_rate, capsys)
    assert status == 2 and err == (
        "skfti: error: bad child setting: learning_rate must be > 0, got 0.0\n"
    )


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["suggest", "d.csv", "--top-k", "abc"], "skfti suggest: error: argument "),
        (
            ["suggest", "d.csv", "--top-k", "100000000"],
            "skfti suggest: error: argument --top-k: must be at most 10,000",
        ),
        (
            ["fit", "--store", "s.sqlite", "--vn-learning-rate", "-1"],
            "skfti fit: error: argument --vn-learning-rate: must be a number > 0",
        ),
        (["populate"], "skfti populate: error: the following arguments are required"),
        (["nope"], "skfti: error: argument command: invalid choice: 'nope'"),
        (
            ["populate", "--refit", "yes"],
            "skfti populate: error: argument --refit: invalid choice: 'yes'",
        ),
    ],
)
def test_a_bad_argument_is_one_line(argv, expected, capsys):
    status, err = _status_and_error(argv, capsys)
    assert status == 2 and err.count("\n") == 1 and err.startswith(expected)
    assert err.endswith("--help lists the options)\n")


@pytest.mark.parametrize(
    "options, expected",
    [
        (["--combine", "best"], "--combine chooses how --train combines"),
        (["--test-size", "0.3"], "--test-size is the held-out fraction of --train"),
        (["--relaxed"], "--relaxed is for a family's --task"),
        (["--task", "x", "--train"], "--train is for a data file"),
    ],
)
def test_options_without_effect_are_refused(options, expected, tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    file = [] if "--task" in options else [str(data), "--target", "y"]
    status, err = _status_and_error(["suggest", *file, *options], capsys)
    assert status == 2 and err.count("\n") == 1 and expected in err


def test_fit_shows_the_library_warning_as_one_note(tmp_path, capsys):
    """A population whose children all scored the same: ``skfti fit`` says so
    in one line on stderr, not in Python's two-line warning."""
    from skfti import ArchitectureEncoding, ExperimentStore, SearchSpace
    from skfti.child_recipe import check_settings
    from skfti.datasets import load_task_file

    files = []
    for i in range(2):
        files.append(str(tmp_path / f"t{i}.csv"))
        rows = "".join(f"{j},{(j * (i + 2)) % 7},{j % 2}\n" for j in range(40))
        (tmp_path / f"t{i}.csv").write_text("a,b,y\n" + rows)
    store, space = str(tmp_path / "s.sqlite"), SearchSpace()
    settings = check_settings({}, text=False)  # the defaults, for numeric data
    with ExperimentStore(store, search_space=space) as opened:
        for path in files:
            task = load_task_file(path, "y")
            opened.add_task(task)
            for seed in range(4):
                encoding = ArchitectureEncoding.random_one_hot(space, seed)
                opened.record(
                    task, encoding, seed=seed, settings=settings, val_accuracy=0.5
                )
    argv = ["fit", "--data", *files, "--target", "y", "--store", store]
    output = ["--output", str(tmp_path / "m.joblib"), "--vn-steps", "5", "-q"]
    capsys.readouterr()
    assert main([*argv, *output]) == 0
    err = capsys.readouterr().err
    assert err.startswith("skfti fit: note: Every task's experiments have equal")
    assert err.count("\n") == 1 and "UserWarning" not in err
