"""The offline phase's costly step: train a population of random children.

For every task, ``n_architectures`` random encodings (the paper's "random
one-hot architecture encodings", optionally some relaxed ones) are trained on
the task's training split and scored on its validation and test splits; each
result goes into an :class:`~skfti.store.ExperimentStore` as soon as it
arrives.
"""

import os
import threading
import time
import traceback
from datetime import datetime, timezone
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state

from skfti._population_plan import depth_choices, plan_population
from skfti._progress import progress_bar
from skfti._tf import single_thread_worker
from skfti.child_recipe import (
    RECIPE_SETTINGS,
    check_settings,
    holdout_split,
    mean_log_loss,
    texts_of,
    training_keywords,
)
from skfti.encoding import ArchitectureEncoding
from skfti.search_space import SearchSpace
from skfti.task import check_task_collection
from skfti.task_views import check_numeric_views, embed_views

__all__ = [
    "generate_population",
    "plan_population",
    "task_data",
    "task_views",
    "train_on_task",
]


def task_views(task, search_space, *, embedding_modules=None):
    """The input views of a task, one float32 array per view of the space.

    Numeric tasks have the single view ``"input"`` (their features). Text
    tasks are embedded once per module, through the disk cache
    (:func:`skfti.embeddings.embed_cached`); modules are ``embedding_modules``
    (a list, in the order of ``search_space.views``) or looked up by view name
    with :func:`skfti.embeddings.get_embedding_module`.

    Returns
    -------
    views : list of ndarray of shape (n_samples, dim)
        Aligned with ``task.X``.
    """
    if not task.is_text:
        check_numeric_views(search_space, f"Task {task.name!r}")
        return [np.asarray(task.X, dtype=np.float32)]
    return embed_views(list(task.X), search_space, modules=embedding_modules)


def task_data(task, search_space, *, embedding_modules=None):
    """What a worker needs to train children on a task, embedded once.

    Returns ``(views, y, splits, n_classes)``: the views of
    :func:`task_views`, the labels as class indices, the task's
    ``(train, validation, test)`` index arrays, and its number of classes.
    """
    views = task_views(task, search_space, embedding_modules=embedding_modules)
    y = LabelEncoder().fit(task.y).transform(task.y).astype(np.int32)
    splits = (task.train_index_, task.val_index_, task.test_index_)
    return views, y, splits, task.n_classes


def _train_child(
    key, views, y, splits, n_classes, vector, space_dict, seed, settings, parent_pid
):
    """Train one child in a worker process; return a picklable result dict.

    Failures (an exception, a diverging loss) are returned, not raised, so
    that the run goes on and the failure is recorded.
    """
    if single_thread_worker(parent_pid):
        _exit_with_parent()
    started = datetime.now(timezone.utc)
    start = time.perf_counter()
    try:
        from skfti.child_architecture import ChildArchitecture

        space = SearchSpace.from_dict(space_dict)
        encoding = ArchitectureEncoding.from_vector(space, vector)
        train, val, test = splits
        arch = ChildArchitecture(
            encoding, [v.shape[1] for v in views], n_classes, fast_path=True
        )
        network, history = _fit_child(arch, views, y, train, seed, settings)
        proba = network.predict_proba([v[val] for v in views])
        result = {
            "status": "ok",
            "val_accuracy": float(np.mean(proba.argmax(1) == y[val])),
            "val_log_loss": mean_log_loss(proba, y[val]),
            "n_epochs": len(history["loss"]),
            "error": None,
        }
        proba = network.predict_proba([v[test] for v in views])
        result["test_accuracy"] = float(np.mean(proba.argmax(1) == y[test]))
    except Exception as exc:  # noqa: BLE001 - recorded, and the run goes on
        result = {
            "status": "failed",
            "val_accuracy": None,
            "val_log_loss": None,
            "n_epochs": None,
            "test_accuracy": None,
            "error": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
        }
    result["train_time"] = time.perf_counter() - start
    result["started_at"] = started
    result["key"] = key  # results arrive unordered
    return result


_WATCHDOG = []


def _exit_with_parent(interval=2.0):
    """In a worker process, exit as soon as the parent process is gone.

    loky workers otherwise outlive a parent killed with SIGKILL until their
    idle timeout (about 750 MB each, with TensorFlow loaded). A daemon thread
    polls the parent's pid; started once per worker.
    """
    if _WATCHDOG:
        return
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    thread = threading.Thread(target=watch, name="skfti-exit-with-parent", daemon=True)
    thread.start()
    _WATCHDOG.append(thread)


def _fit_child(arch, views, y, train, seed, settings, **levers):
    """Train a child on the task's training split, as the classifier would.

    Early stopping watches a hold-out of the *training* split (the settings'
    ``validation_fraction``), never the task's validation split, so the
    validation score stored for the child is measured on data that chose
    nothing. Draws from one ``RandomState(seed)`` in the order the
    classifier does: the hold-out, the initial weights, the shuffles.
    ``levers`` are further keywords of ``train_network`` that the settings
    lack (``ema_momentum``), for recipe studies.
    """
    from skfti.child_training import train_network

    rng = np.random.RandomState(seed)
    split = holdout_split(y[train], settings["validation_fraction"], rng)
    validation = None
    if split is not None:
        fit_idx, held_idx = train[split[0]], train[split[1]]
        validation = ([v[held_idx] for v in views], y[held_idx])
    else:
        fit_idx = train
    return train_network(
        arch,
        [v[fit_idx] for v in views],
        y[fit_idx],
        validation=validation,
        rng=rng,
        **training_keywords(settings, validation is not None),
        **levers,
    )


def train_on_task(data, encoding, seed, settings):
    """Train one child on one task in this process, as a population worker would.

    ``data`` is :func:`task_data`'s ``(views, y, splits, n_classes)``. Returns
    the worker's result dict (``status``, ``val_accuracy``, ``test_accuracy``,
    ``train_time``, ``error``). Used by the search baselines and the
    evaluation, so that every method trains children the same way.
    """
    views, y, splits, n_classes = data
    return _train_child(
        0,
        views,
        y,
        splits,
        n_classes,
        encoding.to_vector(),
        encoding.search_space.to_dict(),
        seed,
        settings,
        None,  # this process: its threads stay as they are
    )


def generate_population(
    tasks,
    n_architectures=500,
    *,
    store,
    search_space=None,
    embedding_modules=None,
    relaxed_fraction=0.0,
    depth_sampling="gates",
    epochs=RECIPE_SETTINGS["epochs"],
    batch_size=RECIPE_SETTINGS["batch_size"],
    learning_rate=RECIPE_SETTINGS["learning_rate"],
    weight_decay=RECIPE_SETTINGS["weight_decay"],
    dropout=RECIPE_SETTINGS["dropout"],
    n_iter_no_change=RECIPE_SETTINGS["n_iter_no_change"],
    tol=RECIPE_SETTINGS["tol"],
    validation_fraction=RECIPE_SETTINGS["validation_fraction"],
    refit=RECIPE_SETTINGS["refit"],
    standardize=RECIPE_SETTINGS["standardize"],
    n_jobs=None,
    random_state=None,
    verbose=0,
):
    """Train random child architectures on every task and record them.

    Parameters
    ----------
    tasks : list of Task
        The training tasks (unique names).
    n_architectures : int, default=500
        Children per task (the paper used about 500).
    store : str, path-like or ExperimentStore
        Where results go (an SQLite file path or URL); resolved like
        scikit-learn's ``memory``. Finished children found there are skipped.
    search_space : SearchSpace, default=None
        The space to sample; default ``SearchSpace()`` for numeric tasks. For
        text tasks the views name the embedding modules.
    embedding_modules : list, default=None
        Modules for text tasks, in the order of ``search_space.views``;
        default: looked up by view name.
    relaxed_fraction : float, default=0.0
        Fraction of each task's children drawn as random relaxed encodings
        (Dirichlet weights) instead of one-hot ones.
    depth_sampling : {"gates", "uniform"} or sequence of int, default="gates"
        How the one-hot children's depths are drawn. ``"gates"`` (the
        paper's): every layer's gate is on with probability 1/2, so most
        children have 3 or 4 of 7 layers and few have 1 or 2. ``"uniform"``:
        the number of active layers is uniform in ``1..n_layers`` (positions
        at random), which covers shallow networks as often as deep ones. A
        sequence of ints: the number of active layers is drawn uniformly
        from it (``[0]``: no hidden layer, a softmax classifier on a view).
    epochs : int, default=200
        Maximum number of epochs per child.
    batch_size : int, default=32
        Mini-batch size.
    learning_rate : float, default=1e-3
        Adam's step size.
    weight_decay : float, default=1e-4
        Decoupled weight decay of the kernels (AdamW).
    dropout : float or "auto", default="auto"
        Dropout rate of every dense layer's input, at training time.
        ``"auto"``: 0.2 for text tasks, 0 for numeric ones (as the
        classifiers' default; :data:`skfti.child_recipe.AUTO_DROPOUT`); the
        number is what the store records. Tasks of both kinds need a number.
    n_iter_no_change : int or None, default=10
        Stop a child when the loss on its hold-out has not improved for this
        many epochs, keeping the best epoch's weights. ``None`` trains
        ``epochs`` epochs.
    tol : float, default=1e-4
        An epoch counts as an improvement for ``n_iter_no_change`` only if
        the hold-out loss falls more than ``tol`` below its best. Children
        stored before this setting existed trained with 0
        (:data:`skfti.child_recipe.LEGACY_SETTINGS`).
    validation_fraction : float or None, default=0.1
        Fraction of each task's *training* split held out for early stopping.
        The stored validation score is measured on the task's validation
        split, which chose nothing.
    refit : {"average", True, False}, default="average"
        Retrain each child on its whole training split for as long as early
        stopping chose (twice the training time); the stored scores are the
        refitted child's (``True``) or those of the early-stopped and the
        refitted networks' probabilities averaged (``"average"``).
    standardize : bool, default=True
        Standardize each input view on the child's training data.
    n_jobs : int, default=None
        Number of parallel workers (processes, one TensorFlow thread each).
        ``None`` means 1 unless in a :func:`joblib.parallel_config` context;
        ``-1`` means all processors. Choose the backend (for example
        ``"dask"`` for a cluster) with ``joblib.parallel_config``.
    random_state : int, RandomState instance or None, default=None
        Draws every encoding and child seed up front. Pass an int for a
        reproducible (and resumable) run.
    verbose : int, default=0
        >= 1 shows a progress bar with the rate and ETA; >= 2 prints each
        failed child.

    Returns
    -------
    summary : dict
        ``planned``, ``skipped`` (already in the store), ``trained`` (rows
        this call inserted), ``failed`` and ``seconds``.

    Notes
    -----
    The child settings are part of each experiment's key. The paper's
    (section 5.1: 20 epochs, Adam 1e-4, no stopping rule) are
    :data:`skfti.child_recipe.PAPER_SETTINGS`:
    ``generate_population(..., **PAPER_SETTINGS)``.

    Each task is embedded once, in this process, and each result is written
    in its own transaction as it arrives (``return_as="generator_unordered"``),
    so a run killed at any point loses only the children in flight; rerunning
    it with the same arguments trains only what is missing. Workers are
    loky processes; if this process is killed (SIGKILL), joblib's loky
    workers notice that their parent is gone and exit on their own.
    """
    tasks = check_task_collection(tasks)
    search_space = search_space if search_space is not None else SearchSpace()
    settings = check_settings(
        {
            "epochs": epochs,
            "batch_size": batch_size,
            "learning_rate": learning_rate,
            "weight_decay": weight_decay,
            "dropout": dropout,
            "n_iter_no_change": n_iter_no_change,
            "tol": tol,
            "validation_fraction": validation_fraction,
            "refit": refit,
            "standardize": standardize,
        },
        text=texts_of(tasks),
    )
    _check_arguments(
        tasks, n_architectures, relaxed_fraction, depth_sampling, search_space
    )
    _check_run_arguments(n_jobs, random_state, verbose)
    store = _open_writable_store(store, search_space)
    plan = plan_population(
        tasks,
        n_architectures,
        search_space,
        relaxed_fraction=relaxed_fraction,
        depth_sampling=depth_sampling,
        random_state=random_state,
    )
    todo = _missing_children(store, tasks, plan, settings)
    summary = {"planned": len(plan), "skipped": len(plan) - len(todo)}
    summary.update(trained=0, failed=0)
    start = time.perf_counter()
    if todo:
        data = {  # every task is embedded once here, never in the workers
            t: task_data(tasks[t], search_space, embedding_modules=embedding_modules)
            for t in sorted({t for t, _, _ in todo})
        }
        results = _run_children(todo, data, search_space, settings, n_jobs)
        _record_results(store, tasks, todo, settings, results, summary, verbose)
    summary["seconds"] = time.perf_counter() - start
    return summary


def _check_arguments(
    tasks, n_architectures, relaxed_fraction, depth_sampling, search_space
):
    """Argument errors, raised before the store is touched."""
    if not isinstance(search_space, SearchSpace):
        raise ValueError(
            f"search_space must be a SearchSpace or None, got {search_space!r}"
        )
    depth_choices(depth_sampling, search_space)  # raises if invalid
    if (
        isinstance(n_architectures, bool)
        or not isinstance(n_architectures, (int, np.integer))
        or n_architectures < 1
    ):
        raise ValueError(
            f"n_architectures must be a positive int, got {n_architectures!r}"
        )
    if (
        isinstance(relaxed_fraction, bool)
        or not isinstance(relaxed_fraction, Real)
        or not 0.0 <= relaxed_fraction <= 1.0
    ):
        raise ValueError(
            f"relaxed_fraction must be a number in [0, 1], got {relaxed_fraction!r}"
        )
    for task in tasks:
        if not task.is_text:
            check_numeric_views(search_space, f"Task {task.name!r}")


def _check_run_arguments(n_jobs, random_state, verbose):
    """``n_jobs``, ``random_state`` and ``verbose``, checked before any work."""
    if n_jobs is not None and (
        isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0
    ):
        raise ValueError(
            "n_jobs must be None, a number of processes >= 1 or a negative int "
            f"(-1: all cores), as joblib's; got {n_jobs!r}"
        )
    if not isinstance(verbose, Integral):
        raise ValueError(f"verbose must be an int, got {verbose!r}")
    check_random_state(random_state)  # raises ValueError naming the value


def _open_writable_store(store, search_space):
    """The resolved store, checked writable before any child trains."""
    from skfti.store import resolve_store

    store = resolve_store(store, search_space=search_space)
    check = getattr(store, "check_writable", None)
    if check is not None:
        check()
    return store


def _missing_children(store, tasks, plan, settings):
    """The planned ``(task_index, encoding, seed)`` not yet in the store."""
    from skfti.store import encoding_hash

    for task in tasks:
        store.add_task(task)
    done = {task.name: store.done(task.name, settings) for task in tasks}
    return [
        (t, enc, seed)
        for t, enc, seed in plan
        if (encoding_hash(enc), seed) not in done[tasks[t].name]
    ]


def _run_children(todo, data, search_space, settings, n_jobs):
    """Results of the children in ``todo``, as they arrive (a generator)."""
    parent_pid = os.getpid() if effective_n_jobs(n_jobs) > 1 else None
    space_dict = search_space.to_dict()
    jobs = (
        delayed(_train_child)(
            k, *data[t], enc.to_vector(), space_dict, seed, settings, parent_pid
        )
        for k, (t, enc, seed) in enumerate(todo)
    )
    return Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs)


def _record_results(store, tasks, todo, settings, results, summary, verbose):
    """Write each result as it arrives, counting the rows actually inserted."""
    start = time.perf_counter()
    with progress_bar(len(todo), verbose, desc="children", unit="child") as bar:
        for result in results:
            t, enc, seed = todo[result["key"]]
            inserted = store.record(
                tasks[t].name,
                enc,
                seed=seed,
                settings=settings,
                val_accuracy=result["val_accuracy"],
                val_log_loss=result["val_log_loss"],
                n_epochs=result["n_epochs"],
                test_accuracy=result["test_accuracy"],
                train_time=result["train_time"],
                started_at=result["started_at"],
                status=result["status"],
                error=result["error"],
            )
            if inserted is not False:  # another process may have written it
                summary["trained" if result["status"] == "ok" else "failed"] += 1
            if result["status"] != "ok" and verbose >= 2:
                print(f"child of task {tasks[t].name!r} failed: {result['error']}")
            if bar is not None:
                bar.update(1)
                minutes = (time.perf_counter() - start) / 60
                bar.set_postfix(per_min=f"{bar.n / max(minutes, 1e-9):.1f}")
