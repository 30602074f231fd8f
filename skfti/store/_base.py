"""The backend contract of the experiment store, and what backends share.

:class:`BaseExperimentStore` is what skfti asks of a store: its abstract
methods are what a backend implements (the SQLite one in
:mod:`skfti.store._sqlite`, a server database elsewhere); its concrete methods
(:meth:`~BaseExperimentStore.record`, :meth:`~BaseExperimentStore.record_many`,
:meth:`~BaseExperimentStore.experiments`, :meth:`~BaseExperimentStore.to_csv`,
:meth:`~BaseExperimentStore.record_csv`)
validate the arguments the same way for every backend and call the backend's
two row hooks, ``_insert_experiments`` and ``_select_experiments``.
"""

import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from skfti.encoding import ArchitectureEncoding
from skfti.meta_features import META_FEATURE_NAMES
from skfti.search_space import SearchSpace
from skfti.store._csv import read_experiments, write_experiments
from skfti.store._keys import settings_hash
from skfti.store._keys import task_name as name_of
from skfti.store._validation import Experiment, check_status, prepare_experiment
from skfti.task import Task

SCORES = {"accuracy": "val_accuracy", "neg_log_loss": "val_log_loss"}
"""The ``score`` of :meth:`BaseExperimentStore.experiments` and its column."""


class BaseExperimentStore(ABC):
    """Abstract experiment store: the contract every backend implements.

    A backend subclasses this, implements the abstract methods and registers
    its class under a URL scheme in :data:`skfti.store.STORE_BACKENDS`. It is
    called as ``Backend(location, search_space=None, timeout=60.0)`` and must
    pickle without an open connection (it can be an estimator parameter).
    The concrete methods here validate every experiment in the same way for
    all backends and then call the two row hooks:

    - ``_insert_experiments(experiments)`` writes validated
      :class:`Experiment` rows in one transaction, skips those whose key
      (task, search space fingerprint, encoding hash, seed, settings hash)
      is stored, and returns the number of rows inserted. It raises
      ``ValueError`` (:func:`unknown_task`) for a task that is not stored,
      and then writes nothing.
    - ``_select_experiments(names, settings_key, status, column)`` returns,
      per task name, the stored encodings as an array ``(n_i, n_dims)`` and
      the values of ``column`` (NaN for NULL) in recording order, for the
      store's search space; ``settings_key`` and ``status`` filter when not
      None, and rows whose ``column`` is NULL are left out if
      ``column == "val_log_loss"``.

    See Also
    --------
    skfti.store.ExperimentStore : The SQLite backend.
    """

    # -- search space ------------------------------------------------------------
    @property
    @abstractmethod
    def search_space(self) -> SearchSpace | None:
        """The :class:`SearchSpace` recorded in the store, or None."""

    @abstractmethod
    def bind_search_space(self, search_space: SearchSpace) -> None:
        """Record ``search_space`` in a store that has none, or check it matches.

        Parameters
        ----------
        search_space : SearchSpace
            The space of the encodings that will be recorded.

        Raises
        ------
        ValueError
            If the store records another search space.
        """

    # -- tasks ---------------------------------------------------------------------
    @abstractmethod
    def add_task(self, task: Task, *, meta_features: Any = False) -> int:
        """Store a task, or check that the stored task of that name is the same.

        Parameters
        ----------
        task : Task
            The task.
        meta_features : bool or array-like of shape (17,), default=False
            With False, store none (skfti reads no stored meta-features: the
            inferrer computes them from the data). With True, store
            :func:`~skfti.meta_features.compute_meta_features` of the training
            split of a numeric task, if none are stored yet (text tasks get
            NULL: see :meth:`set_meta_features`). An array gives the values,
            in the order of ``META_FEATURE_NAMES``.

        Returns
        -------
        task_id : int
            The task's id in the store.

        Raises
        ------
        ValueError
            If a task of that name is stored with other data or another
            train/validation/test split.
        """

    @abstractmethod
    def set_meta_features(
        self, task_name: Any, values: Any, names: Sequence[str] = META_FEATURE_NAMES
    ) -> None:
        """Store (or replace) the meta-features of a stored task.

        Parameters
        ----------
        task_name : str or Task
            The stored task.
        values : array-like of shape (n_meta_features,)
            Finite meta-feature values, e.g. those of an embedded text task.
        names : sequence of str, default=META_FEATURE_NAMES
            The name of each value.
        """

    @abstractmethod
    def get_task_record(self, name: Any) -> dict[str, Any]:
        """The stored description of a task.

        Parameters
        ----------
        name : str or Task
            The task.

        Returns
        -------
        record : dict
            ``id``, ``name``, ``content_hash``, ``split_hash``, ``n_samples``,
            ``n_classes``, ``n_features``, ``is_text`` (a bool),
            ``meta_features`` (an ndarray or None), ``meta_feature_names`` (a
            tuple or None) and ``created_at``.

        Raises
        ------
        ValueError
            If the task is not stored.
        """

    @abstractmethod
    def task_names(self) -> list[str]:
        """Names of the stored tasks, in the order they were added."""

    # -- experiments -------------------------------------------------------------
    @abstractmethod
    def _insert_experiments(self, experiments: Sequence[Experiment]) -> int:
        """Write experiments in one transaction; return how many were new."""

    def record(
        self,
        task_name: Any,
        encoding: ArchitectureEncoding,
        *,
        seed: int,
        settings: dict | None,
        val_accuracy: float | None = None,
        val_log_loss: float | None = None,
        test_accuracy: float | None = None,
        train_time: float | None = None,
        n_epochs: int | None = None,
        status: str = "ok",
        error: str | None = None,
        started_at: Any = None,
        finished_at: Any = None,
    ) -> bool:
        """Store the result of one trained child model, in its own transaction.

        Parameters
        ----------
        task_name : str or Task
            A task stored with :meth:`add_task`.
        encoding : ArchitectureEncoding
            The child's architecture, from the store's search space.
        seed : int
            Seed the child was trained with.
        settings : dict
            JSON-serialisable training settings (part of the key).
        val_accuracy : float, default=None
            Validation accuracy, the ``v`` of the paper; required when
            ``status="ok"``.
        val_log_loss : float, default=None
            Validation log-loss (cross-entropy) of the child, if measured.
        test_accuracy, train_time : float, default=None
            Test accuracy and training seconds, if known.
        n_epochs : int, default=None
            Epochs actually trained (fewer than asked with early stopping).
        status : {"ok", "failed"}, default="ok"
            Whether training succeeded.
        error : str, default=None
            What went wrong, for a failed run.
        started_at, finished_at : datetime, ISO 8601 str or float, default=None
            When training started and ended: a datetime (naive times are
            UTC), ISO 8601 text or a UNIX timestamp in seconds
            (``time.time()``); stored as ISO 8601 UTC text. ``finished_at``
            defaults to now.

        Returns
        -------
        inserted : bool
            True if a row was inserted; False if the experiment (same task,
            encoding, seed and settings) was already stored, by this or
            another process: the stored row is then left as it was.
        """
        experiment = prepare_experiment(
            self,
            task_name,
            encoding,
            seed=seed,
            settings=settings,
            val_accuracy=val_accuracy,
            val_log_loss=val_log_loss,
            test_accuracy=test_accuracy,
            train_time=train_time,
            n_epochs=n_epochs,
            status=status,
            error=error,
            started_at=started_at,
            finished_at=finished_at,
        )
        return self._insert_experiments([experiment]) == 1

    def record_many(self, rows: Iterable[dict]) -> int:
        """Store several experiments in one transaction.

        Parameters
        ----------
        rows : iterable of dict
            Each dict holds the arguments of :meth:`record` by name
            (``task_name``, ``encoding``, ``seed``, ``settings``, ...).

        Returns
        -------
        n_inserted : int
            Number of rows actually inserted; experiments already stored (by
            this or another process) are skipped and not counted.

        Raises
        ------
        ValueError
            If a row is invalid; then nothing is written.
        """
        prepared = []
        for position, row in enumerate(rows):
            if not isinstance(row, dict):
                raise TypeError(
                    f"row {position} must be a dict, got {type(row).__name__}"
                )
            try:
                prepared.append(prepare_experiment(self, **row))
            except TypeError as exc:
                raise type(exc)(f"row {position}: {exc}") from exc
            except ValueError as exc:
                raise ValueError(f"row {position}: {exc}") from exc
        if not prepared:
            return 0
        return self._insert_experiments(prepared)

    @abstractmethod
    def done(self, task_name: Any, settings: dict | None) -> set[tuple[str, int]]:
        """Keys of the experiments already stored for a task and settings.

        Parameters
        ----------
        task_name : str or Task
            A stored task.
        settings : dict
            The training settings.

        Returns
        -------
        keys : set of (str, int)
            ``(encoding_hash(encoding), seed)`` of every stored experiment of
            this task, settings and search space, 'ok' or 'failed': a rerun
            skips them.
        """

    @abstractmethod
    def _select_experiments(
        self,
        names: Sequence[str],
        *,
        settings_key: str | None,
        status: str | None,
        column: str,
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Encodings and values of ``column`` per task (see the class notes)."""

    def experiments(
        self,
        tasks: Sequence[Any],
        *,
        settings: dict | None = None,
        status: str | None = "ok",
        score: str = "accuracy",
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The stored encodings and validation scores of each task.

        Parameters
        ----------
        tasks : list of Task or str
            The tasks, by object or name.
        settings : dict, default=None
            Only experiments trained with these settings, compared as
            complete dicts (as :meth:`to_records` shows them); None for all.
            For skfti's child recipe,
            :func:`skfti.child_recipe.check_settings` completes a partial
            dict and resolves ``dropout="auto"`` as children store it. A
            warning says so when the tasks have experiments, none of them
            with these settings.
        status : {"ok", "failed"} or None, default="ok"
            Only experiments of this status; None for all (failed runs have
            NaN accuracies).
        score : {"accuracy", "neg_log_loss"}, default="accuracy"
            The validation score returned: the accuracy, or minus the
            validation log-loss, so that higher is better in both cases
            (scikit-learn's scorer convention). With "neg_log_loss" the
            experiments stored without a log-loss are left out.

        Returns
        -------
        experiments : list of (ndarray, ndarray)
            One ``(encodings, scores)`` pair per task, in the order of
            ``tasks``: ``encodings`` of shape ``(n_i, n_dims)`` holds flat
            encoding vectors (``ArchitectureEncoding.to_vector``) and
            ``scores`` of shape ``(n_i,)`` the scores, in the order the
            experiments were recorded. A task without experiments gives
            arrays with ``n_i = 0``.
        """
        if isinstance(tasks, (str, Task)):
            raise ValueError(
                "tasks must be a list of tasks or task names, got a single "
                f"{type(tasks).__name__}; wrap it in a list."
            )
        names = [name_of(task) for task in tasks]
        check_status(status, allow_none=True)
        if score not in SCORES:
            raise ValueError(
                f"score must be one of {tuple(SCORES)} (higher is better), got "
                f"{score!r}"
            )
        results = self._select_experiments(
            names,
            settings_key=None if settings is None else settings_hash(settings),
            status=status,
            column=SCORES[score],
        )
        if settings is not None and not any(len(values) for _, values in results):
            _warn_if_only_the_settings_differ(self, names, status, SCORES[score])
        if score == "neg_log_loss":
            results = [(encodings, -values) for encodings, values in results]
        return results

    @abstractmethod
    def count(self, task_name: Any = None, status: str | None = None) -> int:
        """Number of stored experiments, optionally of one task and/or status."""

    # -- export and maintenance ----------------------------------------------------
    @abstractmethod
    def to_records(self) -> list[dict[str, Any]]:
        """All experiments as a list of dicts, one per row, in recording order.

        Each dict has the keys ``id``, ``task`` (the task name),
        ``search_space_fingerprint``, ``encoding_hash``, ``seed``,
        ``settings`` (a dict), ``settings_hash``, ``val_accuracy``,
        ``val_log_loss``, ``test_accuracy``, ``train_time``, ``n_epochs``,
        ``status``, ``error``, ``started_at``, ``finished_at``,
        ``package_version`` and ``encoding`` (a list of floats).
        ``pandas.DataFrame(store.to_records())`` makes a data frame of it.
        """

    def to_csv(self, path_or_file: Any) -> None:
        """Write all experiments as CSV, one row each (columns of :meth:`to_records`).

        Two more columns follow, ``task_content_hash`` and
        ``task_split_hash``: the hashes of each row's task, so that
        :meth:`record_csv` refuses a store that holds other data (or another
        split) under the task's name.

        Parameters
        ----------
        path_or_file : str, path-like or text file
            Where to write. ``settings`` and ``encoding`` are written as JSON.
        """
        if hasattr(path_or_file, "write"):
            write_experiments(self, path_or_file)
        else:
            with open(path_or_file, "w", newline="", encoding="utf-8") as file:
                write_experiments(self, file)

    def record_csv(self, path_or_file: Any) -> int:
        """Record the experiments of a CSV written by :meth:`to_csv`.

        The way back from an export: to rebuild a store on another machine, or
        to extend a published population (``docs/results/pretrained``). Add
        the tasks first (:meth:`add_task`, with the same data and split); then
        a population run over them skips the children the file holds.

        Parameters
        ----------
        path_or_file : str, path-like or text file
            A CSV with the columns of :meth:`to_records` (``id`` is ignored:
            rows get this store's ids). Open a gzipped export with
            ``gzip.open(path, "rt")``.

        Returns
        -------
        n_inserted : int
            Rows inserted; experiments the store already holds (same task,
            encoding, seed and settings) are skipped and not counted.

        Raises
        ------
        ValueError
            Naming the line, if a row is from another search space, names a
            task the store does not hold or holds with other data or another
            split (exports written before 2026-12-04 lack the task hashes and
            are read without that check), or its encoding or settings do not
            match the hashes written beside them; then nothing is written.
        """
        if hasattr(path_or_file, "read"):
            experiments = read_experiments(self, path_or_file)
        else:
            with open(path_or_file, newline="", encoding="utf-8") as file:
                experiments = read_experiments(self, file)
        if not experiments:
            return 0
        return self._insert_experiments(experiments)

    @abstractmethod
    def integrity_check(self) -> str:
        """Check the stored data; "ok" when sound, else what is wrong."""

    @abstractmethod
    def check_writable(self) -> None:
        """Raise if the store cannot record experiments; change nothing.

        Call it before expensive work whose results must be recorded (as
        ``generate_population`` can, before training any child).

        Raises
        ------
        PermissionError
            If the store (its file, its directory, its database) refuses
            writes; the message names the location and says that the stored
            data is intact.
        """

    @abstractmethod
    def close(self) -> None:
        """Release connections; the store reopens itself when used again."""

    def __enter__(self) -> "BaseExperimentStore":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


SETTINGS_MATCH_NOTHING = "none of the .* stored experiments of these tasks"
"""The start of the warning of :meth:`BaseExperimentStore.experiments` when a
settings filter leaves nothing (a ``warnings.filterwarnings`` pattern)."""


def _warn_if_only_the_settings_differ(store, names, status, column):
    """Warn when a settings filter left nothing of tasks that have experiments."""
    unfiltered = store._select_experiments(
        names, settings_key=None, status=status, column=column
    )
    n_stored = sum(len(values) for _, values in unfiltered)
    if n_stored:
        warnings.warn(
            f"none of the {n_stored} stored experiments of these tasks was "
            "trained with these settings: settings are compared as complete "
            "dicts, as store.to_records() shows them (for skfti's recipe, "
            "skfti.child_recipe.check_settings(settings, text=...) gives that "
            "dict, with dropout='auto' resolved)",
            UserWarning,
            stacklevel=3,
        )
