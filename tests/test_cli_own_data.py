"""``skfti suggest DATA``, ``populate --data`` and ``fit --data``, end to end.

The command runs in a subprocess, as a user runs it; the inferrer is a tiny
one fitted here on three WordNet tasks with hashed views (no download).
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from fresh_process import run_python

NOISE = ("onednn", "absl", "cuda", "traceback")


def _run(*args, cwd, env=None):
    return subprocess.run(
        [sys.executable, "-m", "skfti", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env=None if env is None else {**os.environ, **env},
    )


def _frame(task):
    return pd.DataFrame(
        {
            "text": [*task.X_train, *task.X_val, *task.X_test],
            "label": [*task.y_train, *task.y_val, *task.y_test],
            "n_words": 1,
        }
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with ``tiny.joblib`` (a fitted text inferrer) and ``my.csv``."""
    import joblib

    from skfti import (
        ArchitectureInferrer,
        ExperimentStore,
        SearchSpace,
        generate_population,
    )
    from skfti.datasets import load_wordnet_tasks

    path = tmp_path_factory.mktemp("own_data")
    tasks = load_wordnet_tasks(4, n_classes=3, n_samples_per_class=30, random_state=0)
    space = SearchSpace(n_layers=2, widths=(8, 16), views=("hashed64", "hashed32"))
    store = path / "s.sqlite"
    generate_population(
        tasks[:3], 4, store=store, search_space=space, epochs=3, random_state=0
    )
    with ExperimentStore(store) as opened:
        experiments = opened.experiments(tasks[:3])
    inferrer = ArchitectureInferrer(
        search_space=space, n_steps=30, n_starting_points=3, random_state=0
    ).fit(tasks[:3], experiments)
    joblib.dump(inferrer, path / "tiny.joblib")
    _frame(tasks[3]).to_csv(path / "my.csv", index=False)
    return path


def test_suggest_prints_the_architecture_without_tensorflow(workdir):
    code = textwrap.dedent(
        """
        import sys
        from skfti.__main__ import main
        status = main(["suggest", "my.csv", "--target", "label",
                       "--inferrer", "tiny.joblib", "--top-k", "2"])
        assert status == 0, status
        assert "tensorflow" not in sys.modules, "suggest imported TensorFlow"
        """
    )
    done = run_python(code, cwd=workdir, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "90 rows, text column 'text'; target 'label' with 3 classes" in out
    assert "note: text column 'text' detected" in out
    assert "  1. hashed" in out and "  2. hashed" in out
    assert "suggested in" in out
    assert done.stderr == ""


def test_numeric_csv_gets_the_shipped_tabular_model_by_default(tmp_path):
    import skfti.pretrained

    if "tabular-v1" not in skfti.pretrained.available():
        pytest.skip("the pretrained model 'tabular-v1' is not shipped yet")
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    frame.to_csv(tmp_path / "wine.csv", index=False)
    code = textwrap.dedent(
        """
        import sys
        from skfti.__main__ import main
        status = main(["suggest", "wine.csv", "--target", "target"])
        assert status == 0, status
        assert "tensorflow" not in sys.modules, "suggest imported TensorFlow"
        """
    )
    done = run_python(code, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert "178 rows" in done.stdout and "model tabular-v1" in done.stdout
    assert "  1. input" in done.stdout
    assert done.stderr == ""


def test_train_compares_saves_and_predicts_raw_texts_in_a_fresh_process(workdir):
    done = _run(
        "suggest",
        "my.csv",
        "--target",
        "label",
        "--inferrer",
        "tiny.joblib",
        "--top-k",
        "2",
        "--train",
        "--output",
        "model.joblib",
        cwd=workdir,
    )
    assert done.returncode == 0, done.stderr
    for line in done.stderr.lower().splitlines():
        assert not any(word in line for word in NOISE), line
    out = done.stdout
    assert "test accuracy on 18 held-out rows" in out
    for name in ("skfti (ensemble of 2)", "LogisticRegression", "MLPClassifier"):
        assert name in out
    code = textwrap.dedent(
        """
        import joblib, pandas as pd
        model = joblib.load("model.joblib")
        rows = pd.read_csv("my.csv")
        predicted = model.predict(rows)
        print((predicted == rows["label"]).mean())
        print(list(model.predict(["a hard grey metal", "in a kind manner"])))
        """
    )
    fresh = run_python(code, cwd=workdir, check=False)
    assert fresh.returncode == 0, fresh.stderr
    accuracy, texts = fresh.stdout.strip().splitlines()[-2:]
    assert float(accuracy) > 0.5  # three balanced classes: chance is 1/3
    labels = set(pd.read_csv(workdir / "my.csv")["label"])
    assert set(eval(texts)) <= labels


def test_train_embeds_each_text_once_per_view(workdir, tmp_path):
    # The baselines embedded every row again, as a third list of texts: with
    # MiniLM that was a third of the command's time.
    done = _run(
        *("suggest", "my.csv", "--target", "label", "--inferrer", "tiny.joblib"),
        "--train",
        cwd=workdir,
        env={"SKFTI_CACHE_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    folders = sorted((tmp_path / "embeddings").iterdir())
    assert [f.name.split("-")[0] for f in folders] == ["hashed32", "hashed64"]
    for folder in folders:  # the training rows, then the test rows: no more
        assert len(list(folder.glob("*.npy"))) == 2, folder.name


def _bad_files(path):
    texts = pd.read_csv(path / "my.csv")
    rng = np.random.RandomState(0)
    texts.assign(label="a").to_csv(path / "one_class.csv", index=False)
    (path / "empty.csv").write_text("")
    (path / "header.csv").write_text("text,label\n")
    nan_text = texts.copy()
    nan_text.loc[[3, 7], "text"] = np.nan
    nan_text.loc[9, "text"] = "  "
    nan_text.to_csv(path / "nan_text.csv", index=False)
    numbers = pd.DataFrame(
        {
            "a": rng.normal(size=60),
            "color": rng.choice(["red", "blue"], 60),
            "label": rng.choice(["x", "y"], 60),
        }
    )
    numbers.loc[[1, 5, 8], "a"] = np.nan
    numbers.to_csv(path / "num_nan.csv", index=False)
    odd = numbers.fillna(0.0).astype({"a": object})
    odd.loc[4, "a"] = "?"
    odd.to_csv(path / "num_odd.csv", index=False)
    rare = pd.DataFrame({"text": ["rare one", "rare two", "rare 3"], "label": "rare"})
    pd.concat([texts, rare]).to_csv(path / "few.csv", index=False)
    texts.assign(title=texts.text.str.upper()).to_csv(path / "two.csv", index=False)
    (path / "bad.jsonl").write_text('{"text": "a", "label": 1}\n{"text": oops\n')
    (path / "table.xlsx").write_text("not a table")


BAD = {
    "missing file": (["nofile.csv"], "nofile.csv: no such file"),
    "unknown format": (["table.xlsx"], "unknown file format '.xlsx'"),
    "unknown --format": (["my.csv", "--format", "xls"], "unknown format 'xls'"),
    "missing target": (["my.csv", "--target", "lab"], "columns: text, label, n_words"),
    "single class": (["one_class.csv"], "single class ('a')"),
    "empty file": (["empty.csv"], "the file is empty"),
    "header only": (["header.csv"], "no rows"),
    "not text": (["my.csv", "--text-column", "n_words"], "'n_words' is not text"),
    "NaN numbers": (["num_nan.csv"], "3 rows have missing or infinite values"),
    "odd numbers": (["num_odd.csv"], "column 'a' holds numbers but 1 entries"),
    "empty texts": (["nan_text.csv"], "3 rows have a missing or empty text"),
    "unknown model": (["my.csv", "--model", "nope"], "no pretrained model named"),
    "few per class": (["few.csv", "--train"], "'rare' (3); every class needs at"),
    "several texts": (["two.csv"], "several text columns (text, title)"),
    "bad JSON": (["bad.jsonl"], "cannot read it as jsonl"),
    "no inferrer": (["my.csv", "--inferrer", "no.joblib"], "no such inferrer file"),
    "output no train": (["my.csv", "--output", "m.joblib"], "add --train"),
    "output folder missing": (
        ["my.csv", "--inferrer", "tiny.joblib", "--train", "--output", "no/m.joblib"],
        "--output no/m.joblib: the folder",
    ),
    "json is a folder": (["my.csv", "--json", "."], "--json . is a folder"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_file_is_one_line_and_status_2(workdir, case):
    if not (workdir / "one_class.csv").exists():
        _bad_files(workdir)
    args, expected = BAD[case]
    if "--target" not in args:
        args = [*args, "--target", "label"]
    done = _run("suggest", *args, cwd=workdir)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("skfti: error: ")
    assert expected in lines[0]
    if case in ("NaN numbers", "empty texts"):
        assert "--dropna" in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_dropna_drops_rows_and_says_so(workdir):
    if not (workdir / "nan_text.csv").exists():
        _bad_files(workdir)
    done = _run(
        "suggest",
        "nan_text.csv",
        "--target",
        "label",
        "--dropna",
        "--inferrer",
        "tiny.joblib",
        cwd=workdir,
    )
    assert done.returncode == 0, done.stderr
    assert "87 rows" in done.stdout
    assert "dropped 3 rows with empty text" in done.stdout


def test_populate_fit_suggest_on_numeric_files(tmp_path):
    """Point 3 on numeric files: a population, an inferrer with a feature map,
    then suggest --train --output with the one-hot encoding in the Pipeline."""
    from sklearn.datasets import make_classification

    for i, n_features in enumerate([4, 6, 5]):
        X, y = make_classification(
            n_samples=60,
            n_features=n_features,
            n_informative=3,
            n_redundant=0,
            random_state=i,
        )
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(n_features)])
        frame["kind"] = np.where(X[:, 0] > 0, "big", "small")
        frame["label"] = np.where(y == 1, "yes", "no")
        frame.to_csv(tmp_path / f"task{i}.csv", index=False)
    small = ["--epochs", "3", "--target", "label", "--store", "s.sqlite"]
    files = ["task0.csv", "task1.csv"]
    done = _run(
        "populate",
        "--data",
        *files,
        *small,
        "--n-architectures",
        "3",
        "--n-jobs",
        "2",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert '"trained": 6' in done.stdout
    for line in done.stderr.lower().splitlines():
        assert not any(word in line for word in NOISE), line
    done = _run(
        "fit",
        "--data",
        *files,
        *small,
        "--vn-steps",
        "20",
        "-q",
        "--output",
        "inferrer.joblib",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "fitted on 2 tasks" in done.stdout
    other = [*small[:1], "4", *small[2:]]  # children of other settings: none stored
    done = _run(
        "fit", "--data", *files, *other, "-q", "--output", "x.joblib", cwd=tmp_path
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "no experiments of task0, task1 with these child settings" in done.stderr
    done = _run(
        "suggest",
        "task2.csv",
        "--target",
        "label",
        "--inferrer",
        "inferrer.joblib",
        "--train",
        "--output",
        "model.joblib",
        "-q",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "5 numeric + 1 categorical columns" in done.stdout
    assert "one-hot encoded 1 categorical column with" in done.stdout
    assert "LogisticRegression" in done.stdout
    code = (
        "import joblib, pandas as pd; rows = pd.read_csv('task2.csv'); "
        "print(set(joblib.load('model.joblib').predict(rows)) <= {'yes', 'no'})"
    )
    fresh = run_python(code, cwd=tmp_path, check=False)
    assert fresh.stdout.strip() == "True", fresh.stderr
