"""Train child networks of the paper's search space on a real text task.

A WordNet supersense task (5-way, glosses as text) is embedded by three offline
modules (GloVe 50d, the Universal Sentence Encoder and hashed n-grams), then:

- a discrete child (a random one-hot encoding, as in the paper's population),
- the relaxed child of the uniform encoding (every base layer and module mixed),
- and scikit-learn's LogisticRegression on the same GloVe + USE features,

are trained on the task's training split and scored on its test split. The
children use the default child recipe (:mod:`skfti.child_recipe`): standardized
views, AdamW at 1e-3 with weight decay 1e-4, up to 200 epochs with early
stopping on a 10% hold-out of the training split (patience 10) and the best
epoch's weights restored. The paper's Adam 1e-4 for 20 epochs
(``PAPER_SETTINGS``) undertrains a task of 800 training samples.

Run: python examples/train_child.py
"""

import time

import numpy as np
from sklearn.linear_model import LogisticRegression

from skfti import ArchitectureEncoding, RelaxedFFNNClassifier, SearchSpace
from skfti.datasets import load_wordnet_tasks
from skfti.embeddings import embed_cached, get_embedding_module

task = load_wordnet_tasks(n_tasks=1, n_classes=5, random_state=0)[0]
modules = [get_embedding_module(n) for n in ("glove50", "use512", "hashed256")]
space = SearchSpace(views=[m.name for m in modules])
print(f"task {task.name}: {task.n_samples} samples, {task.n_classes} classes")


def report(name, clf, seconds):
    accuracy = clf.score(task.X_test, task.y_test)
    print(f"{name:58s} test accuracy {accuracy:.3f}  ({seconds:.1f}s)")


for label, encoding in [
    ("discrete child", ArchitectureEncoding.random_one_hot(space, random_state=1)),
    ("relaxed child (uniform encoding)", ArchitectureEncoding.uniform(space)),
]:
    clf = RelaxedFFNNClassifier(encoding, embedding_modules=modules, random_state=0)
    start = time.perf_counter()
    clf.fit(task.X_train, task.y_train)
    report(f"{label}: {encoding.describe()[:30]}", clf, time.perf_counter() - start)
    print(f"  {clf.n_iter_} epochs, weights of epoch {clf.history_['best_epoch'] + 1}")


def features(texts):
    return np.hstack([embed_cached(m, list(texts)) for m in modules[:2]])


start = time.perf_counter()
logreg = LogisticRegression(max_iter=2000).fit(features(task.X_train), task.y_train)
accuracy = logreg.score(features(task.X_test), task.y_test)
seconds = time.perf_counter() - start
print(
    f"{'LogisticRegression on glove50 + use512':58s} test accuracy {accuracy:.3f}"
    f"  ({seconds:.1f}s)"
)
