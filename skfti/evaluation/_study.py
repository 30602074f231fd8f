"""Whole studies, as the command line runs them: the demo and the evaluation.

:func:`run_demo` runs the method end to end on a few held-out tasks and prints
a comparison table; :func:`run_study` runs every protocol of
:mod:`skfti.evaluation` and writes the Markdown report. Both print their
progress and read and write a resumable experiment store.
"""

import json
import os
import time
import warnings

import numpy as np
from sklearn.base import clone

from skfti.child_recipe import check_settings, texts_of
from skfti.evaluation._protocols import (
    architecture_search,
    experiment_table,
    predictive_performance,
)
from skfti.evaluation._report import write_report
from skfti.evaluation._supplement import (
    task_embedding_points,
    training_tasks_curve,
)
from skfti.population import generate_population
from skfti.store import ExperimentStore
from skfti.store._base import SETTINGS_MATCH_NOTHING

__all__ = ["format_comparison", "run_demo", "run_study"]


def _stored(store, tasks, settings, search_space=None):
    """The experiments and the table of stored children of ``tasks``."""
    # as the population stored them
    settings = check_settings(settings, text=texts_of(tasks))
    with ExperimentStore(store, search_space=search_space) as opened:
        with warnings.catch_warnings():  # the settings are complete here
            warnings.filterwarnings("ignore", SETTINGS_MATCH_NOTHING)
            experiments = opened.experiments(tasks, settings=settings)
        table = experiment_table(opened, tasks, settings)
    return experiments, table


def run_study(
    tasks,
    search_space,
    store,
    inferrer,
    *,
    settings,
    output_dir,
    family="",
    n_seeds=3,
    budgets=(3, 5),
    n_random=10,
    n_rl=10,
    n_jobs=None,
):
    """Every leave-one-task-out protocol on a stored population, into a report.

    Runs :func:`predictive_performance`, :func:`architecture_search`,
    :func:`training_tasks_curve` (held-out task: the first) and
    :func:`task_embedding_points` (from a value network that did not see the
    first task), then writes ``report.md``, its plots and ``rows.json`` (the
    raw rows) into ``output_dir``.

    Parameters
    ----------
    tasks : list of Task
        The tasks, whose children are in ``store``.
    search_space : SearchSpace
        The search space of the stored children.
    store : str or path-like
        The experiment store (see :class:`~skfti.store.ExperimentStore`).
    inferrer : ArchitectureInferrer
        Template, cloned for every fit.
    settings : dict
        The child training settings (``epochs``, ``batch_size``,
        ``learning_rate``): only children trained with them are read, and
        the searches train with them.
    output_dir : str or path-like
        Folder of the report.
    family : str, default=""
        Name of the task family, for the report's header.
    n_seeds : int, default=3
        Value-network seeds ``0 .. n_seeds - 1``.
    budgets : tuple of int, default=(3, 5)
        Numbers of children trained on the task by "ours best-of-k" and
        "ours ensemble-k", and given to random search and REINFORCE.
    n_random : int, default=10
        A further budget of the random-search baseline.
    n_rl : int, default=10
        A further budget of the REINFORCE baseline.
    n_jobs : int, default=None
        Parallel fits (joblib processes).

    Returns
    -------
    rows : dict
        ``prediction``, ``search`` and ``curve`` rows, as in ``rows.json``.
    """
    start = time.perf_counter()
    experiments, table = _stored(store, tasks, settings, search_space)
    seeds = list(range(n_seeds))
    print("predictive performance (Tables 2 and 3)...", flush=True)
    prediction = predictive_performance(
        tasks, experiments, inferrer, seeds=seeds, n_jobs=n_jobs
    )
    print("architecture search (Table 4)...", flush=True)
    search = architecture_search(
        tasks,
        experiments,
        table,
        inferrer,
        settings=settings,
        seeds=seeds,
        budgets=budgets,
        n_random=n_random,
        n_rl=n_rl,
        n_jobs=n_jobs,
    )
    print("training-task curve and task embeddings...", flush=True)
    held_out = tasks[0].name
    sizes = sorted({n for n in (1, 2, 4, 8, len(tasks) - 1) if n < len(tasks)})
    curve = training_tasks_curve(
        tasks, experiments, inferrer, held_out, sizes=sizes, n_orderings=3
    )
    # Maps of the embeddings from a value network that never saw the held-out
    # task (black stars), as in the paper's supplementary Figs. 2 and 3.
    train = [k for k, t in enumerate(tasks) if t.name != held_out]
    fitted = clone(inferrer).fit(  # the caller's template stays unfitted
        [tasks[k] for k in train], [experiments[k] for k in train]
    )
    embedding = task_embedding_points(fitted, tasks, n_batches=10)
    header = (
        f"Family `{family}`: {len(tasks)} tasks, "
        f"{sum(len(s) for _, s in experiments)} children "
        f"({settings}); value network seeds {seeds}; "
        f"wall time {time.perf_counter() - start:.0f} s."
    )
    write_report(
        output_dir,
        prediction_rows=prediction,
        search_rows=search,
        curve_rows=curve,
        embedding=embedding,
        held_out_for_maps=held_out,
        header=header,
    )
    rows = {"prediction": prediction, "search": search, "curve": curve}
    with open(os.path.join(output_dir, "rows.json"), "w") as f:
        json.dump(_strict_json(rows), f)  # NaN (no time measured) as null
    print(f"report written to {os.path.join(output_dir, 'report.md')}")
    return rows


def _strict_json(value):
    """``value`` with NaN and infinities as None: JSON has neither."""
    if isinstance(value, dict):
        return {k: _strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict_json(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def format_comparison(rows, held_out):
    """The demo's table: test accuracy per method and held-out task.

    Parameters
    ----------
    rows : list of dict
        From :func:`architecture_search`.
    held_out : list of Task
        The held-out tasks, one column each.

    Returns
    -------
    text : str
        One line per method: its test accuracy on each task (the mean over
        the seeds of ``rows``), and the mean number of children it trained
        on the task.
    """
    methods = list(dict.fromkeys(r["method"] for r in rows))
    width = max(len(m) for m in methods) + 2
    header = f"{'method':{width}s}" + "".join(f"{t.name:>20s}" for t in held_out)
    lines = [header + "  children trained on the task"]
    for method in methods:
        mine = [r for r in rows if r["method"] == method]
        accuracy = {  # the mean over seeds, as write_report's tables
            name: np.mean([r["test_accuracy"] for r in mine if r["task"] == name])
            for name in {r["task"] for r in mine}
        }
        line = f"{method:{width}s}" + "".join(
            f"{accuracy[t.name]:20.3f}" if t.name in accuracy else " " * 20
            for t in held_out
        )
        trained = np.mean([r["children_trained"] for r in mine])
        lines.append(line + f"{trained:30.0f}")
    return "\n".join(lines)


def run_demo(
    tasks,
    search_space,
    store,
    inferrer,
    *,
    settings,
    family="",
    n_held_out=2,
    n_architectures=30,
    budgets=(3, 5),
    n_rl=10,
    n_jobs=2,
    random_state=0,
):
    """The method end to end: population, value network, suggestions, table.

    Trains ``n_architectures`` random children on every task into ``store``
    (a rerun resumes), holds out the last ``n_held_out`` tasks and, for each
    of them, fits the value network on every other task (leave one task
    out: the other held-out tasks are training tasks for this one), trains
    the suggested architectures on the held-out tasks and prints their test
    accuracy next to the baselines of
    :func:`architecture_search` (:func:`format_comparison`).

    Parameters
    ----------
    tasks : list of Task
        The tasks.
    search_space : SearchSpace
        The search space of the children.
    store : str or path-like
        The experiment store, created if needed.
    inferrer : ArchitectureInferrer
        Template of the value network.
    settings : dict
        The child training settings (``epochs``, ``batch_size``,
        ``learning_rate``).
    family : str, default=""
        Name of the task family, for the messages.
    n_held_out : int, default=2
        Held-out tasks (the last ones).
    n_architectures : int, default=30
        Children per task.
    budgets : tuple of int, default=(3, 5)
        Numbers of children trained on the task by "ours best-of-k" and
        "ours ensemble-k", and given to random search and REINFORCE.
    n_rl : int, default=10
        A further budget of the REINFORCE baseline.
    n_jobs : int, default=2
        Parallel child trainings of the population (joblib processes).
    random_state : int, default=0
        Seed of the population and of the value network's suggestions.

    Returns
    -------
    rows : list of dict
        The rows of :func:`architecture_search`.
    """
    start = time.perf_counter()
    held_out = tasks[-n_held_out:]
    space = search_space
    print(
        f"1/4 {len(tasks)} {family} tasks ({len(held_out)} held out), "
        f"search space: {space.n_layers} layers x {space.n_base} base layers, "
        f"views {space.views}; store {store}",
        flush=True,
    )
    summary = generate_population(
        tasks,
        n_architectures,
        store=store,
        search_space=space,
        n_jobs=n_jobs,
        random_state=random_state,
        verbose=1,
        **settings,
    )
    print(
        f"2/4 population: {summary['trained']} children trained, "
        f"{summary['skipped']} found in the store, {summary['failed']} failed "
        f"({summary['seconds']:.0f} s)",
        flush=True,
    )
    experiments, table = _stored(store, tasks, settings)
    rows = architecture_search(
        tasks,
        experiments,
        table,
        inferrer,
        settings=settings,
        seeds=[random_state],
        budgets=budgets,
        n_random=10,
        n_rl=n_rl,
        n_jobs=1,
        held_out=[t.name for t in held_out],
    )
    print(
        "3/4 for each held-out task, a value network fitted on every other "
        "task; architectures suggested"
    )
    print("4/4 test accuracy on the held-out tasks:\n")
    print(format_comparison(rows, held_out))
    for r in rows:
        if r["method"].startswith("ours") and "ensemble" not in r["method"]:
            print(f"  {r['task']} {r['method']}: {r['architecture']}")
    print(
        f"\ndone in {time.perf_counter() - start:.0f} s; rerun to resume from {store}"
    )
    return rows
