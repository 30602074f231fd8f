"""The supplementary material's protocols (leave one task out, as the rest).

- :func:`training_tasks_curve`: Spearman against the number of training
  tasks (supplementary Fig. 1);
- :func:`task_embedding_points`: learned task embeddings of several sample
  batches per task, for 2-D maps (supplementary Figs. 2 and 3).
"""

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

__all__ = ["task_embedding_points", "training_tasks_curve"]


def training_tasks_curve(
    tasks, experiments, inferrer, held_out, *, sizes, n_orderings=5, seed=0
):
    """Spearman on ``held_out`` against the number of training tasks.

    For ``n_orderings`` random orderings of the other tasks, the inferrer is
    fitted on the first ``n`` tasks of each ordering, for each ``n`` in
    ``sizes`` (supplementary material, Fig. 1).

    Returns
    -------
    rows : list of dict
        ``n_tasks``, ``ordering``, ``spearman``, ``r2``.
    """
    rng = check_random_state(seed)
    names = [t.name for t in tasks]
    if held_out not in names:
        raise ValueError(f"unknown held-out task {held_out!r}; tasks: {names}")
    k = names.index(held_out)
    others = [i for i in range(len(tasks)) if i != k]
    too_many = [n for n in sizes if not 1 <= n <= len(others)]
    if too_many:
        raise ValueError(
            f"sizes {too_many} are not numbers of training tasks in 1..{len(others)} "
            f"(the tasks other than {held_out!r})"
        )
    rows = []
    for ordering in range(n_orderings):
        order = rng.permutation(others)
        for n in sizes:
            chosen = order[:n]
            model = clone(inferrer).set_params(random_state=ordering)
            model.fit([tasks[i] for i in chosen], [experiments[i] for i in chosen])
            report = model.evaluate([tasks[k]], [experiments[k]])
            rows.append(
                {
                    "n_tasks": int(n),
                    "ordering": ordering,
                    "spearman": float(report["spearman"][0]),
                    "r2": float(report["r2"][0]),
                }
            )
    return rows


def task_embedding_points(inferrer, tasks, *, n_batches=10, batch_size=200, seed=0):
    """Learned embeddings of ``n_batches`` random sample batches per task.

    Returns
    -------
    Z : ndarray of shape (n_tasks * n_batches, embedding_dim)
    labels : list of str
        The task of each row.
    """
    rng = check_random_state(seed)
    Z, labels = [], []
    for task in tasks:
        X, y = task.X_train, task.y_train
        for _ in range(n_batches):
            # a task no larger than a batch is resampled (with replacement),
            # so that its batches differ
            small = len(y) <= batch_size
            idx = rng.choice(len(y), min(batch_size, len(y)), replace=small)
            if len(np.unique(y[idx])) < 2:
                continue
            Xb = X[idx] if not task.is_text else list(np.asarray(X, dtype=object)[idx])
            Z.append(inferrer.task_embedding(Xb, y[idx]))
            labels.append(task.name)
    return np.array(Z), labels
