"""skfti on your own CSV file: suggest, train, compare and save, in one command.

Writes ``my.csv`` (texts and labels of a WordNet supersense task, as a user's
file would hold them) into a folder, then runs

    skfti suggest my.csv --target label --train --output model.joblib

and predicts raw texts with the saved model in a fresh process. Without the
default text model, ``text-v2`` (``skfti.pretrained.available()``), it first
pretrains a small value network on three other WordNet tasks written as CSV
files (``skfti populate --data ...`` and ``skfti fit --data ...``) and passes
it with ``--inferrer``.

Not unseen data for the shipped model: the task, ``wordnet-4way-00``, is one
of the 35 tasks ``text-v2`` (like ``text-v1``) was pretrained on, and all 400
of its texts, with their labels, were in that training data, so the
comparison this prints may flatter the suggestion. For figures on texts no
model has seen, see docs/results.md, "The second text model" (Debian
package descriptions and FOLDOC definitions).

Run: python examples/own_csv.py [FOLDER]   (default: ./own_csv_example)
"""

import subprocess
import sys
from pathlib import Path

import pandas as pd

import skfti.pretrained
from skfti.datasets import load_wordnet_tasks


def write_csv(task, path):
    pd.DataFrame(
        {
            "text": [*task.X_train, *task.X_val, *task.X_test],
            "label": [*task.y_train, *task.y_val, *task.y_test],
        }
    ).to_csv(path, index=False)


def run_skfti(*args, cwd):
    command = [sys.executable, "-m", "skfti", *args]
    print("$ skfti " + " ".join(args), flush=True)
    subprocess.run(command, cwd=cwd, check=True)


def main(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tasks = load_wordnet_tasks(4, n_classes=4, n_samples_per_class=100)
    write_csv(tasks[0], folder / "my.csv")
    model = []
    if skfti.pretrained.DEFAULT_MODELS["text"] not in skfti.pretrained.available():
        files = []
        for task in tasks[1:]:
            write_csv(task, folder / f"{task.name}.csv")
            files.append(f"{task.name}.csv")
        common = ["--data", *files, "--target", "label", "--store", "own.sqlite"]
        run_skfti("populate", *common, "--n-architectures", "8", cwd=folder)
        run_skfti(
            "fit", *common, "--vn-steps", "500", "--output", "own.joblib", cwd=folder
        )
        model = ["--inferrer", "own.joblib"]
    run_skfti(
        "suggest", "my.csv", "--target", "label", *model,
        "--train", "--output", "model.joblib", cwd=folder,
    )  # fmt: skip
    code = (
        "import joblib; model = joblib.load('model.joblib'); "
        "print(model.predict(['a soft yellow metal', 'to run quickly away']))"
    )
    print("$ python -c " + repr(code), flush=True)
    subprocess.run([sys.executable, "-c", code], cwd=folder, check=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "own_csv_example")
