"""How well :class:`~skfti.ArchitectureInferrer` ranks held-out experiments.

Spearman rank correlation and R^2 per task (Tables 2 and 3 of the paper),
and their mean, the inferrer's ``score``. Nothing here imports TensorFlow.
"""

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import r2_score

from skfti._inferrer_data import check_scores, normalize_scores

__all__ = ["mean_spearman", "per_task_scores"]


def per_task_scores(predict, tasks, experiments, space):
    """``{"task", "spearman", "r2"}``: ``predict(task, U)`` against the scores.

    ``tasks`` and ``experiments`` are aligned, one experiment set per task.
    Spearman is NaN where the scores or the predictions are all equal, R^2
    where a task has one experiment.
    """
    report = {"task": [], "spearman": [], "r2": []}
    for task, pair in zip(tasks, experiments, strict=True):
        U, scores = check_scores(task, pair, space)
        pred = predict(task, U)
        # No ranking to recover (or none predicted): left out of score().
        constant = np.ptp(scores) == 0 or np.ptp(pred) == 0
        rho = np.nan if constant else spearmanr(pred, scores).statistic
        report["task"].append(task.name)
        report["spearman"].append(float(rho))
        report["r2"].append(
            float(r2_score(normalize_scores(scores), pred))
            if len(scores) > 1
            else np.nan
        )
    report["spearman"] = np.array(report["spearman"])
    report["r2"] = np.array(report["r2"])
    return report


def mean_spearman(rho):
    """Mean of the finite correlations; NaN where there is none."""
    rho = rho[np.isfinite(rho)]
    return float(rho.mean()) if len(rho) else float("nan")
