"""Evaluation of the method: the paper's Tables 2-4 and its supplement.

- protocols (leave one task out): :func:`predictive_performance`,
  :func:`architecture_search`, :func:`training_tasks_curve`,
  :func:`task_embedding_points`, with :func:`experiment_table` and
  :func:`summarize`;
- search baselines that train children on the held-out task:
  :func:`random_search`, :func:`reinforce_search`;
- the Markdown report with its plots: :func:`write_report`;
- whole studies, as the command line runs them: :func:`run_demo`,
  :func:`run_study`.
"""

from skfti.evaluation._baselines import random_search, reinforce_search
from skfti.evaluation._protocols import (
    architecture_search,
    experiment_table,
    predictive_performance,
    summarize,
)
from skfti.evaluation._report import write_report
from skfti.evaluation._study import format_comparison, run_demo, run_study
from skfti.evaluation._supplement import (
    task_embedding_points,
    training_tasks_curve,
)

__all__ = [
    "architecture_search",
    "experiment_table",
    "format_comparison",
    "predictive_performance",
    "random_search",
    "reinforce_search",
    "run_demo",
    "run_study",
    "summarize",
    "task_embedding_points",
    "training_tasks_curve",
    "write_report",
]
