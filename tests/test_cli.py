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
