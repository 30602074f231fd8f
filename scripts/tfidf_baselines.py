"""Bag-of-words baselines on the 35 pretraining text tasks: what a user
without embeddings would fit on the raw texts.

TF-IDF of the task's own training texts (scikit-learn defaults, or word
uni- and bigrams with sublinear term frequency) before LogisticRegression
(``max_iter=1000``) or LinearSVC (defaults); validation and test accuracy,
mean over the tasks and per family. The same splits as every other table
of docs/results.md.

    python scripts/tfidf_baselines.py
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pretrain_population import pretraining_collection  # noqa: E402
from pretrained_report import TEXT_FAMILIES, task_family  # noqa: E402


def baselines():
    bigrams = dict(ngram_range=(1, 2), sublinear_tf=True)
    return {
        "TF-IDF + LogisticRegression": make_pipeline(
            TfidfVectorizer(), LogisticRegression(max_iter=1000)
        ),
        "TF-IDF (1-2 grams, sublinear) + LogisticRegression": make_pipeline(
            TfidfVectorizer(**bigrams), LogisticRegression(max_iter=1000)
        ),
        "TF-IDF (1-2 grams, sublinear) + LinearSVC": make_pipeline(
            TfidfVectorizer(**bigrams), LinearSVC()
        ),
    }


def main():
    warnings.filterwarnings("ignore", module="sklearn")
    tasks, _ = pretraining_collection("text", 0)
    print("| baseline | validation | test | " + " | ".join(TEXT_FAMILIES) + " |")
    print("|---|---|---|" + "---|" * len(TEXT_FAMILIES))
    for name, model in baselines().items():
        rows = []
        for task in tasks:
            model.fit(list(task.X_train), task.y_train)
            val = model.score(list(task.X_val), task.y_val)
            test = model.score(list(task.X_test), task.y_test)
            rows.append((task_family(task.name), val, test))
        per_family = [np.mean([t for f, _, t in rows if f == g]) for g in TEXT_FAMILIES]
        print(
            f"| {name} | {np.mean([v for _, v, _ in rows]):.3f} "
            f"| {np.mean([t for _, _, t in rows]):.3f} | "
            + " | ".join(f"{x:.3f}" for x in per_family)
            + " |"
        )


if __name__ == "__main__":
    main()
