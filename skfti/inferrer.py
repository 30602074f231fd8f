"""ArchitectureInferrer: learn v(u, z) offline, suggest architectures online."""

import copy
import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.stats import spearmanr
from sklearn.base import BaseEstimator
from sklearn.metrics import r2_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skfti._progress import loss_bar
from skfti._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from skfti.encoding import (
    ArchitectureEncoding,
    check_encoding_matrix,
    encoding_groups,
)
from skfti.meta_features import compute_meta_features
from skfti.search_space import SearchSpace
from skfti.task import Task, check_task_collection
from skfti.task_views import task_features
from skfti.value_network_numpy import NumpyValueNetwork, search_maxima

__all__ = ["ArchitectureInferrer"]


class Suggestion(NamedTuple):
    """Deprecated: ``suggest`` now returns an :class:`ArchitectureEncoding`.

    Kept importable for one release; nothing in skfti returns it.
    """

    encoding: ArchitectureEncoding
    predicted_value: float


def _check_aligned(tasks, experiments):
    """Tasks (unique names) and their experiment sets, one per task."""
    tasks = check_task_collection(tasks)
    experiments = list(experiments)
    if len(experiments) != len(tasks):
        raise ValueError(
            f"tasks and experiments must be aligned: got {len(tasks)} tasks and "
            f"{len(experiments)} experiment sets"
        )
    return tasks, experiments


def _check_scores(task, pair, space):
    """``(U, scores)`` of one task's experiments, validated."""
    try:
        encodings, scores = pair
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"experiments of task {task.name!r} must be a pair (encodings, scores)"
        ) from exc
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) == 0:
        raise ValueError(f"task {task.name!r} has no experiments")
    U = check_encoding_matrix(space, encodings, f"task {task.name!r}")
    if len(U) != len(scores) or scores.ndim != 1:
        raise ValueError(
            f"task {task.name!r}: {len(U)} encodings but {scores.shape} scores"
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"task {task.name!r}: scores contain NaN or infinity")
    return U, scores


def _normalize(scores):
    """Per-task ``(v - mu) / sigma`` (sigma 1 where the scores are all equal)."""
    sigma = scores.std()
    return (scores - scores.mean()) / (sigma if sigma > 0 else 1.0)


def _network_key(space):
    """Discrete encodings as networks: a switched-off layer's alpha dropped."""
    n_alpha = space.n_layers * space.n_base

    def key(U):
        U = U.copy()
        off = U[:, n_alpha + 1 : n_alpha + 2 * space.n_layers : 2] > 0.5
        alpha = U[:, :n_alpha].reshape(len(U), space.n_layers, space.n_base)
        alpha[off] = 0.0
        return U

    return key


def _signed_log(values):
    return np.sign(values) * np.log1p(np.abs(values))


class ArchitectureInferrer(BaseEstimator):
    """Task-aware architecture inference with a deep value network.

    ``fit`` learns v(u, z), the normalized validation accuracy of
    architecture ``u`` on a task with meta-features ``z``, from a database of
    child-training experiments on many tasks (Algorithm 1 of the paper).
    ``suggest`` finds, for a new task, the encoding that maximizes v by
    gradient ascent from several starting points (Algorithm 2), training no
    child on that task.

    Parameters
    ----------
    search_space : SearchSpace, default=None
        The space of the encodings; ``None`` means ``SearchSpace()``.
    meta_features : {"learned", "precomputed", "both", "none"}, default="learned"
        The task's z: a permutation-invariant embedding of its samples learned
        jointly (features and labels), the statistics of
        :func:`~skfti.compute_meta_features`, both, or none (the ablation).
    loss : {"mse", "ranking"}, default="mse"
        The paper's L2 regression loss, or a pairwise logistic ranking loss
        over the experiments of a batch (after Dubatovka et al., 2019,
        "Ranking architectures using meta-learning").
    phi_units : tuple of int, default=(50, 50)
        Widths of the two dense layers of the task tower phi.
    rho_units : tuple of int, default=(50, 10)
        Widths of the dense layers of the prediction tower rho.
    optimizer : {"sgd", "adam"}, default="sgd"
        SGD with momentum (the paper) or Adam.
    learning_rate : float, default=1e-2
        Step size of the optimizer (the paper's is 1e-4; see Notes).
    momentum : float, default=0.5
        Momentum of SGD.
    n_steps : int, default=5000
        Number of optimizer steps of Algorithm 1.
    experiment_batch_size : int, default=32
        Experiments of one task per mini-batch.
    sample_batch_size : int, default=256
        Samples of the task per step, fed to phi ("a large batch").
    k_outer_iters, k_inner_iters : int, default=1, 2
        Mini-batches per sampled task, and steps (each with a fresh sample
        batch) per mini-batch, as in Algorithm 1.
    n_starting_points : int, default=10
        Starting points of the gradient ascent (the first is the uniform
        encoding, the others random logits).
    max_iter : int, default=1000
        Gradient-ascent iterations per starting point.
    step_size : float, default=1.0
        Gradient-ascent step on the encoding's logits.
    init_scale : float, default=1.0
        Standard deviation of the random starting logits.
    embedding_modules : list, default=None
        Modules that embed text tasks (their names are the search space's
        views); default: looked up by view name.
    feature_map : transformer, default=None
        Fitted on each numeric task to bring tasks with different feature
        counts into one feature space (e.g.
        :class:`~skfti.embeddings.TabularFeatureMap`); ``None`` requires
        numeric tasks to share their features.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the training batches and the starting
        points. Pass an int for reproducible results.
    verbose : int, default=0
        >= 1 shows a progress bar of the training loss.

    Attributes
    ----------
    search_space_ : SearchSpace
        The search space used.
    n_features_in_ : int
        Width of the task samples in the common feature space.
    loss_curve_ : list of float
        Mean training loss per chunk of 200 steps.
    weights_ : list of ndarray
        The value network's weights.
    n_train_tasks_ : int
        Number of training tasks.
    meta_mean_, meta_scale_ : ndarray of shape (17,)
        Normalization of the precomputed meta-features (only with
        ``meta_features`` "precomputed" or "both").

    See Also
    --------
    InferredArchitectureClassifier : Trains the suggested architecture.
    skfti.store.ExperimentStore.experiments : Builds the ``experiments``.

    Notes
    -----
    Sections 3.1-3.3 and 5.1 of "Fast Task-Aware Architecture Inference".
    Scores are normalized per task, ``(v - mu_k) / sigma_k``, as in the
    paper. The network sees encodings as softmax weights (a one-hot row is a
    discrete architecture); gradient ascent runs on logits through the
    softmax so that every iterate is a valid encoding.

    The paper trains with SGD, momentum 0.5 and a learning rate of 1e-4 over
    far more steps than a default fit takes; with ``n_steps=5000`` that rate
    undertrains, so the default is 1e-2 (pass ``learning_rate=1e-4`` for the
    paper's value).

    The network's view of a task does not depend on units: the features
    (numeric ``X``, or the views of texts) are standardized within each task
    (mean 0, std 1 per feature, constant features 0) before ``phi`` and the
    precomputed meta-features, so a ``StandardScaler`` or any per-feature
    affine map in front of the inferrer changes nothing.

    ``fit`` trains on TensorFlow; ``predict``, ``suggest``, ``score``,
    ``evaluate`` and ``task_embedding`` run on a NumPy copy of the fitted
    network (:mod:`skfti.value_network_numpy`) and never import TensorFlow.
    """

    _parameter_constraints = {
        "search_space": [SearchSpace, None],
        "meta_features": [StrOptions({"learned", "precomputed", "both", "none"})],
        "loss": [StrOptions({"mse", "ranking"})],
        "phi_units": [tuple],
        "rho_units": [tuple],
        "optimizer": [StrOptions({"sgd", "adam"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "experiment_batch_size": [Interval(Integral, 1, None, closed="left")],
        "sample_batch_size": [Interval(Integral, 1, None, closed="left")],
        "k_outer_iters": [Interval(Integral, 1, None, closed="left")],
        "k_inner_iters": [Interval(Integral, 1, None, closed="left")],
        "n_starting_points": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "step_size": [Interval(Real, 0, None, closed="neither")],
        "init_scale": [Interval(Real, 0, None, closed="left")],
        "embedding_modules": [list, tuple, None],
        "feature_map": [None, HasMethods(["fit", "transform"])],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        search_space=None,
        meta_features="learned",
        loss="mse",
        phi_units=(50, 50),
        rho_units=(50, 10),
        optimizer="sgd",
        learning_rate=1e-2,
        momentum=0.5,
        n_steps=5000,
        experiment_batch_size=32,
        sample_batch_size=256,
        k_outer_iters=1,
        k_inner_iters=2,
        n_starting_points=10,
        max_iter=1000,
        step_size=1.0,
        init_scale=1.0,
        embedding_modules=None,
        feature_map=None,
        random_state=None,
        verbose=0,
    ):
        self.search_space = search_space
        self.meta_features = meta_features
        self.loss = loss
        self.phi_units = phi_units
        self.rho_units = rho_units
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.n_steps = n_steps
        self.experiment_batch_size = experiment_batch_size
        self.sample_batch_size = sample_batch_size
        self.k_outer_iters = k_outer_iters
        self.k_inner_iters = k_inner_iters
        self.n_starting_points = n_starting_points
        self.max_iter = max_iter
        self.step_size = step_size
        self.init_scale = init_scale
        self.embedding_modules = embedding_modules
        self.feature_map = feature_map
        self.random_state = random_state
        self.verbose = verbose

    # -- tasks into the common feature space ----------------------------------
    @property
    def _learned(self):
        return self.meta_features in ("learned", "both")

    @property
    def _precomputed(self):
        return self.meta_features in ("precomputed", "both")

    def _samples(self, X, y, space, check_width):
        """``(features, class indices, n_classes)`` of one task's samples."""
        y = np.asarray(y)
        n_samples = len(X) if not sparse.issparse(X) else X.shape[0]
        if y.ndim != 1 or len(y) != n_samples:
            raise ValueError(
                f"y must be 1-D with one label per sample: X has {n_samples} "
                f"samples, y has shape {y.shape}"
            )
        if n_samples == 0:
            raise ValueError("X has 0 samples; a task needs samples to describe it")
        features = task_features(
            X,
            space,
            embedding_modules=self.embedding_modules,
            feature_map=self.feature_map,
        )
        y_idx = LabelEncoder().fit_transform(y).astype(np.int32)
        n_classes = int(y_idx.max()) + 1
        if n_classes < 2:
            raise ValueError("y has a single class (1 class); a task needs at least 2")
        if check_width and features.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {features.shape[1]} features in the common feature space, "
                f"but the inferrer was fitted on tasks with {self.n_features_in_}: "
                "X comes from a different feature space"
            )
        return features, y_idx, n_classes

    def _task_samples(self, task_or_Xy, space, check_width=True):
        if isinstance(task_or_Xy, Task):
            X, y = task_or_Xy.X_train, task_or_Xy.y_train
        else:
            try:
                X, y = task_or_Xy
            except (TypeError, ValueError) as exc:
                raise ValueError("Pass a Task or a pair (X, y)") from exc
        return self._samples(X, y, space, check_width)

    def _raw_meta(self, features, y_idx):
        return _signed_log(compute_meta_features(features, y_idx))

    # -- fit ----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, tasks, experiments):
        """Train the value network on the experiments of the training tasks.

        Parameters
        ----------
        tasks : list of Task
            Training tasks, unique names.
        experiments : list of (encodings, scores)
            Aligned with ``tasks``: flat encoding vectors (or
            :class:`ArchitectureEncoding` objects) of ``search_space`` and
            their validation accuracies, as returned by
            :meth:`ExperimentStore.experiments`.

        Returns
        -------
        self : ArchitectureInferrer
            The fitted inferrer.
        """
        tasks, experiments = _check_aligned(tasks, experiments)
        space = self.search_space or SearchSpace()
        U, V = self._check_experiments(tasks, experiments, space)
        samples, meta = self._prepare_tasks(tasks, space)
        from skfti.value_network import draw_plan

        rng = check_random_state(self.random_state)
        plan = draw_plan(
            rng,
            [len(u) for u in U],
            [len(s[1]) for s in samples],
            n_steps=self.n_steps,
            k_outer_iters=self.k_outer_iters,
            k_inner_iters=self.k_inner_iters,
            experiment_batch_size=self.experiment_batch_size,
            sample_batch_size=self.sample_batch_size,
        )
        data = {
            "x": np.concatenate([s[0] for s in samples]).astype(np.float32),
            "y": np.concatenate([s[1] for s in samples]),
            "u": np.concatenate(U).astype(np.float32),
            "v": np.concatenate(V).astype(np.float32),
            "meta": meta.astype(np.float32),
            "n_classes": max(s[2] for s in samples),
        }
        net = self._build_network(space.n_dims, meta.shape[1], rng=rng)
        self.loss_curve_ = self._fit_network(net, data, plan)
        self.search_space_ = space
        self.weights_ = net.get_weights()
        self.n_train_tasks_ = len(tasks)
        self._net = net
        return self

    def _check_experiments(self, tasks, experiments, space):
        """Encodings and per-task normalized scores; warn where nothing ranks."""
        U, V, flat = [], [], []
        for task, pair in zip(tasks, experiments, strict=True):
            u, scores = _check_scores(task, pair, space)
            U.append(u)
            V.append(_normalize(scores))
            if np.ptp(scores) == 0:
                flat.append(task.name)
        if len(flat) == len(tasks):
            warnings.warn(
                "Every task's experiments have equal scores: there is no ranking "
                "of architectures to learn, and the value network learns a "
                "constant. Check the population (did the children train?).",
                UserWarning,
                stacklevel=3,
            )
        elif flat:
            warnings.warn(
                f"The experiments of {len(flat)} task(s) have equal scores (no "
                f"ranking to learn): {flat[:5]}",
                UserWarning,
                stacklevel=3,
            )
        return U, V

    def _prepare_tasks(self, tasks, space):
        """Samples of every task, ``n_features_in_`` and the meta-features."""
        samples = [self._task_samples(t, space, check_width=False) for t in tasks]
        widths = {s[0].shape[1] for s in samples}
        if len(widths) > 1:
            raise ValueError(
                "The tasks live in different feature spaces (widths "
                f"{sorted(widths)}); pass feature_map (e.g. TabularFeatureMap) to "
                "map them to one"
            )
        self.n_features_in_ = widths.pop()
        if not self._precomputed:
            return samples, np.zeros((len(tasks), 0))
        raw = np.array([self._raw_meta(f, y) for f, y, _ in samples])
        self.meta_mean_ = raw.mean(0)
        scale = raw.std(0)
        # a meta-feature constant up to rounding (e.g. a feature statistic of
        # standardized features) is constant: do not blow its noise up
        tiny = scale <= 1e-8 * np.maximum(np.abs(self.meta_mean_), 1.0)
        self.meta_scale_ = np.where(tiny, 1.0, scale)
        return samples, (raw - self.meta_mean_) / self.meta_scale_

    def _build_network(self, n_dims, n_meta, *, rng=None, weights=None):
        """The TensorFlow value network (new from ``rng``, or from ``weights``)."""
        from skfti.value_network import ValueNetwork

        return ValueNetwork(
            n_dims,
            self.n_features_in_,
            n_meta,
            self._learned,
            self.phi_units,
            self.rho_units,
            rng,
            weights=weights,
        )

    def _fit_network(self, net, data, plan):
        """Algorithm 1 on TensorFlow; returns the loss curve."""
        from skfti import value_network as vn

        tensors = {
            k: (vn.tf.constant(v) if k != "n_classes" else v) for k, v in data.items()
        }
        with loss_bar(self.n_steps, self.verbose) as callback:
            return vn.fit_value_network(
                net,
                tensors,
                plan,
                loss=self.loss,
                optimizer=self.optimizer,
                learning_rate=self.learning_rate,
                momentum=self.momentum,
                callback=callback,
            )

    # -- the fitted network -----------------------------------------------------
    @property
    def _n_meta(self):
        return len(self.meta_mean_) if self._precomputed else 0

    def _network(self):
        """The fitted network on TensorFlow (for training and tests only)."""
        net = getattr(self, "_net", None)
        if net is None:
            net = self._build_network(
                self.search_space_.n_dims, self._n_meta, weights=self.weights_
            )
            self._net = net
        return net

    def _numpy_network(self):
        """The fitted network in NumPy: what every post-fit method uses."""
        net = getattr(self, "_np_net", None)
        if net is None:
            net = NumpyValueNetwork(
                self.weights_, self.search_space_.n_dims, self._learned, self._n_meta
            )
            self._np_net = net
        return net

    def _z(self, task_or_Xy):
        """The task's meta-features z as the network sees them (or None)."""
        features, y_idx, n_classes = self._task_samples(task_or_Xy, self.search_space_)
        meta = None
        if self._precomputed:
            meta = (
                self._raw_meta(features, y_idx) - self.meta_mean_
            ) / self.meta_scale_
        return self._numpy_network().meta(features, y_idx, n_classes, meta)

    def predict(self, task_or_Xy, encodings):
        """Predicted normalized accuracy of encodings on one task.

        Parameters
        ----------
        task_or_Xy : Task or (X, y)
            The task (its training split is used) or its samples.
        encodings : array-like of shape (n_encodings, n_dims)
            Flat encodings of ``search_space_`` (or a list of
            :class:`ArchitectureEncoding`).

        Returns
        -------
        values : ndarray of shape (n_encodings,)
            Predicted ``(accuracy - mu) / sigma`` for the task.
        """
        check_is_fitted(self)
        U = check_encoding_matrix(self.search_space_, encodings, "predict")
        return self._numpy_network().value(U, self._z(task_or_Xy))

    def evaluate(self, tasks, experiments):
        """Spearman rank correlation and R^2 per task (Tables 2 and 3).

        R^2 compares the predictions with the per-task normalized scores.

        Parameters
        ----------
        tasks : list of Task
            Tasks to evaluate on (their training splits give z).
        experiments : list of (encodings, scores)
            Aligned with ``tasks``, as for :meth:`fit`.

        Returns
        -------
        report : dict
            ``task`` (names), ``spearman`` and ``r2`` (arrays, one per task;
            Spearman is NaN where the scores or the predictions are all equal).
        """
        check_is_fitted(self)
        tasks, experiments = _check_aligned(tasks, experiments)
        report = {"task": [], "spearman": [], "r2": []}
        for task, pair in zip(tasks, experiments, strict=True):
            U, scores = _check_scores(task, pair, self.search_space_)
            pred = self.predict(task, U)
            # No ranking to recover (or none predicted): left out of score().
            constant = np.ptp(scores) == 0 or np.ptp(pred) == 0
            rho = np.nan if constant else spearmanr(pred, scores).statistic
            report["task"].append(task.name)
            report["spearman"].append(float(rho))
            report["r2"].append(
                float(r2_score(_normalize(scores), pred)) if len(scores) > 1 else np.nan
            )
        report["spearman"] = np.array(report["spearman"])
        report["r2"] = np.array(report["r2"])
        return report

    def score(self, tasks, experiments):
        """Mean Spearman rank correlation of predicted and actual accuracies.

        Higher is better, so ``GridSearchCV(ArchitectureInferrer(), grid,
        cv=LeaveOneOut()).fit(tasks, experiments)`` runs the paper's
        leave-one-task-out protocol. Tasks whose scores are all equal (no
        ranking to recover) are left out of the mean.

        Parameters
        ----------
        tasks : list of Task
            Held-out tasks.
        experiments : list of (encodings, scores)
            Aligned with ``tasks``, as for :meth:`fit`.

        Returns
        -------
        score : float
            NaN where no task has a ranking to recover (or none is predicted).
        """
        rho = self.evaluate(tasks, experiments)["spearman"]
        rho = rho[np.isfinite(rho)]
        return float(rho.mean()) if len(rho) else float("nan")

    def task_embedding(self, X, y):
        """The learned meta-features of a task's samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            The task's samples.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        z : ndarray of shape (phi_units[-1],)
        """
        check_is_fitted(self)
        if not self._learned:
            raise ValueError(
                f"meta_features={self.meta_features!r} learns no task embedding"
            )
        features, y_idx, n_classes = self._samples(X, y, self.search_space_, True)
        return self._numpy_network().task_embedding(features, y_idx, n_classes)

    def suggest(self, X, y, *, n_suggestions=1, discretize=False, return_values=False):
        """Suggest architectures for a new task (Algorithm 2).

        Gradient ascent on v from ``n_starting_points`` starts (the uniform
        encoding and random logits), all at once, in NumPy. No child is
        trained on the task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            The new task's samples.
        y : array-like of shape (n_samples,)
            Its labels.
        n_suggestions : int, default=1
            How many distinct encodings to return, best first. More starting
            points are drawn while fewer distinct solutions were found.
        discretize : bool, default=False
            Return discrete (one-hot) architectures: the argmax of each group
            of each solution, scored again; distinct after discretization.
        return_values : bool, default=False
            Also return the predicted normalized accuracies.

        Returns
        -------
        encodings : ArchitectureEncoding or list of ArchitectureEncoding
            One encoding when ``n_suggestions=1``, else a list, best first;
            :class:`~skfti.RelaxedFFNNClassifier` takes each as ``encoding``.
            Deterministic given ``random_state``.
        values : float or ndarray of shape (n_suggestions,)
            Only with ``return_values=True``: the value network's predictions.

        Warns
        -----
        UserWarning
            If the ascent finds fewer than ``n_suggestions`` distinct
            encodings; the list is then shorter.
        """
        check_is_fitted(self)
        space = self.search_space_
        k = self._check_n_suggestions(n_suggestions, discretize)
        U, values = search_maxima(
            self._numpy_network(),
            self._z((X, y)),
            encoding_groups(space),
            k=k,
            n_starts=max(self.n_starting_points, k),
            max_iter=self.max_iter,
            step_size=self.step_size,
            init_scale=self.init_scale,
            discretize=discretize,
            random_state=self.random_state,
            key=_network_key(space) if discretize else None,
        )
        if len(U) < k:
            warnings.warn(
                f"suggest found only {len(U)} distinct encodings of the {k} asked "
                f"for; returning {len(U)}",
                UserWarning,
                stacklevel=2,
            )
        encodings = [ArchitectureEncoding.from_vector(space, u) for u in U]
        if n_suggestions == 1:
            encodings, values = encodings[0], float(values[0])
        return (encodings, values) if return_values else encodings

    def _check_n_suggestions(self, n_suggestions, discretize):
        if (
            not isinstance(n_suggestions, Integral)
            or isinstance(n_suggestions, bool)
            or n_suggestions < 1
        ):
            raise ValueError(
                f"n_suggestions must be an int >= 1, got {n_suggestions!r}"
            )
        s = self.search_space_
        n_discrete = (2 * s.n_base) ** s.n_layers * s.n_views
        if discretize and n_suggestions > n_discrete:
            raise ValueError(
                f"n_suggestions={n_suggestions} distinct discrete architectures "
                f"asked for, but the search space holds only {n_discrete}"
            )
        return int(n_suggestions)

    # -- persistence -----------------------------------------------------------------
    def __getstate__(self):
        state = copy.copy(super().__getstate__())
        state.pop("_net", None)  # rebuilt from weights_
        state.pop("_np_net", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags
