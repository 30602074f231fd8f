"""ArchitectureInferrer: learn v(u, z) offline, suggest architectures online."""

import copy
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy.stats import spearmanr
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.metrics import r2_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skfti.encoding import ArchitectureEncoding
from skfti.meta_features import compute_meta_features
from skfti.search_space import SearchSpace
from skfti.task import Task, check_task_collection, is_text

__all__ = ["ArchitectureInferrer", "Suggestion"]


class Suggestion(NamedTuple):
    """A suggested architecture and the value network's prediction for it."""

    encoding: ArchitectureEncoding
    predicted_value: float


def _groups(space):
    """Column ranges of the softmax groups of a flat encoding."""
    groups, start = [], 0
    for _ in range(space.n_layers):
        groups.append((start, start + space.n_base))
        start += space.n_base
    for _ in range(space.n_layers):
        groups.append((start, start + 2))
        start += 2
    groups.append((start, start + space.n_views))
    return groups


def _check_encodings(space, encodings, where):
    """Validate a block of flat encodings of ``space`` (vectorized)."""
    if len(encodings) and isinstance(encodings[0], ArchitectureEncoding):
        for e in encodings:
            if e.search_space != space:
                raise ValueError(
                    f"{where}: an encoding belongs to another search space "
                    f"(fingerprint {e.search_space.fingerprint()}, expected "
                    f"{space.fingerprint()})"
                )
        encodings = [e.to_vector() for e in encodings]
    U = np.asarray(encodings, dtype=np.float64)
    if U.ndim != 2 or U.shape[1] != space.n_dims:
        raise ValueError(
            f"{where}: encodings of this search space are vectors of {space.n_dims} "
            f"entries, got an array of shape {U.shape}: they belong to another "
            "search space"
        )
    if not np.all(np.isfinite(U)):
        raise ValueError(f"{where}: encodings contain NaN or infinity")
    for a, b in _groups(space):
        block = U[:, a:b]
        if np.any(block < -1e-4) or not np.allclose(block.sum(1), 1.0, atol=1e-3):
            raise ValueError(
                f"{where}: encodings are not mixture weights of this search space "
                "(a group does not sum to 1): they belong to another search space"
            )
    return U


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
    learning_rate : float, default=1e-4
        Step size of the optimizer.
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
        learning_rate=1e-4,
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
        if is_text(X):
            X = list(X)
            if not X or not all(isinstance(t, str) for t in X):
                raise ValueError("X must be a 2-D numeric array or a list of str")
            from skfti.embeddings import embed_cached, get_embedding_module

            modules = self.embedding_modules or [
                get_embedding_module(v) for v in space.views
            ]
            features = np.hstack([embed_cached(m, X) for m in modules])
        else:
            features = np.asarray(X, dtype=np.float64)
            if features.ndim != 2:
                raise ValueError(
                    f"X must be 2-D (n_samples, n_features), got shape {features.shape}"
                )
            if not np.all(np.isfinite(features)):
                raise ValueError("X contains NaN or infinity")
            if self.feature_map is not None:
                features = clone(self.feature_map).fit_transform(features)
        features = np.asarray(features, dtype=np.float32)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(features):
            raise ValueError(
                f"y must be 1-D with one label per sample: X has {len(features)} "
                f"samples, y has shape {y.shape}"
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

    def _meta_vector(self, features, y_idx):
        if not self._precomputed:
            return None
        raw = _signed_log(compute_meta_features(features, y_idx))
        return ((raw - self.meta_mean_) / self.meta_scale_).astype(np.float32)

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
        U, V = [], []
        for task, pair in zip(tasks, experiments, strict=True):
            try:
                encodings, scores = pair
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"experiments of task {task.name!r} must be a pair "
                    "(encodings, scores)"
                ) from exc
            scores = np.asarray(scores, dtype=np.float64)
            if len(scores) == 0:
                raise ValueError(f"task {task.name!r} has no experiments")
            u = _check_encodings(space, encodings, f"task {task.name!r}")
            if len(u) != len(scores) or scores.ndim != 1:
                raise ValueError(
                    f"task {task.name!r}: {len(u)} encodings but {scores.shape} scores"
                )
            if not np.all(np.isfinite(scores)):
                raise ValueError(f"task {task.name!r}: scores contain NaN or infinity")
            sigma = scores.std()
            U.append(u)
            V.append((scores - scores.mean()) / (sigma if sigma > 0 else 1.0))

        samples = [self._task_samples(t, space, check_width=False) for t in tasks]
        widths = {s[0].shape[1] for s in samples}
        if len(widths) > 1:
            raise ValueError(
                "The tasks live in different feature spaces (widths "
                f"{sorted(widths)}); pass feature_map (e.g. TabularFeatureMap) to "
                "map them to one"
            )
        self.n_features_in_ = widths.pop()
        if self._precomputed:
            raw = np.array(
                [_signed_log(compute_meta_features(f, y)) for f, y, _ in samples]
            )
            self.meta_mean_ = raw.mean(0)
            scale = raw.std(0)
            self.meta_scale_ = np.where(scale > 0, scale, 1.0)
            meta = (raw - self.meta_mean_) / self.meta_scale_
        else:
            meta = np.zeros((len(tasks), 0))

        rng = check_random_state(self.random_state)
        plan = self._draw_plan(rng, [len(u) for u in U], [len(s[1]) for s in samples])
        data = {
            "x": np.concatenate([s[0] for s in samples]),
            "y": np.concatenate([s[1] for s in samples]),
            "u": np.concatenate(U).astype(np.float32),
            "v": np.concatenate(V).astype(np.float32),
            "meta": meta.astype(np.float32),
            "n_classes": max(s[2] for s in samples),
        }
        from skfti import value_network as vn

        tf = vn.tf
        net = vn.ValueNetwork(
            space.n_dims,
            self.n_features_in_,
            meta.shape[1],
            self._learned,
            self.phi_units,
            self.rho_units,
            rng,
        )
        tensors = {
            k: (tf.constant(v) if k != "n_classes" else v) for k, v in data.items()
        }
        with _loss_bar(self.n_steps, self.verbose) as callback:
            self.loss_curve_ = vn.fit_value_network(
                net,
                tensors,
                plan,
                loss=self.loss,
                optimizer=self.optimizer,
                learning_rate=self.learning_rate,
                momentum=self.momentum,
                callback=callback,
            )
        self.search_space_ = space
        self.weights_ = net.get_weights()
        self.n_train_tasks_ = len(tasks)
        self._net = net
        return self

    def _draw_plan(self, rng, n_experiments, n_samples):
        """Algorithm 1's batches, drawn up front: task, experiments, samples."""
        ks, exp_idx, samp_idx = [], [], []
        exp_offsets = np.concatenate([[0], np.cumsum(n_experiments)])
        samp_offsets = np.concatenate([[0], np.cumsum(n_samples)])
        while len(ks) < self.n_steps:
            k = rng.randint(len(n_experiments))
            for _ in range(self.k_outer_iters):
                batch = exp_offsets[k] + rng.randint(
                    n_experiments[k], size=self.experiment_batch_size
                )
                for _ in range(self.k_inner_iters):
                    ks.append(k)
                    exp_idx.append(batch)
                    samp_idx.append(
                        samp_offsets[k]
                        + rng.randint(n_samples[k], size=self.sample_batch_size)
                    )
        n = self.n_steps
        return (
            np.array(ks[:n], np.int32),
            np.array(exp_idx[:n], np.int32),
            np.array(samp_idx[:n], np.int32),
        )

    # -- the fitted network -----------------------------------------------------
    def _network(self):
        net = getattr(self, "_net", None)
        if net is None:
            from skfti.value_network import ValueNetwork

            net = ValueNetwork(
                self.search_space_.n_dims,
                self.n_features_in_,
                len(self.meta_mean_) if self._precomputed else 0,
                self._learned,
                self.phi_units,
                self.rho_units,
                None,
                weights=self.weights_,
            )
            self._net = net
        return net

    def _z(self, task_or_Xy):
        features, y_idx, n_classes = self._task_samples(task_or_Xy, self.search_space_)
        return features, y_idx, n_classes, self._meta_vector(features, y_idx)

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
        U = _check_encodings(self.search_space_, encodings, "predict")
        features, y_idx, n_classes, meta = self._z(task_or_Xy)
        from skfti.value_network import predict_values

        return predict_values(
            self._network(),
            U,
            features if self._learned else None,
            y_idx if self._learned else None,
            n_classes,
            meta,
        )

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
            ``task`` (names), ``spearman`` and ``r2`` (arrays, one per task).
        """
        check_is_fitted(self)
        tasks, experiments = _check_aligned(tasks, experiments)
        report = {"task": [], "spearman": [], "r2": []}
        for task, (encodings, scores) in zip(tasks, experiments, strict=True):
            scores = np.asarray(scores, dtype=np.float64)
            if len(scores) == 0:
                raise ValueError(f"task {task.name!r} has no experiments")
            pred = self.predict(task, encodings)
            sigma = scores.std()
            normalized = (scores - scores.mean()) / (sigma if sigma > 0 else 1.0)
            # No ranking to recover (or none predicted): left out of score().
            constant = np.ptp(scores) == 0 or np.ptp(pred) == 0
            rho = np.nan if constant else spearmanr(pred, scores).statistic
            report["task"].append(task.name)
            report["spearman"].append(float(rho))
            report["r2"].append(
                float(r2_score(normalized, pred)) if len(scores) > 1 else np.nan
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
        """
        rho = self.evaluate(tasks, experiments)["spearman"]
        rho = rho[np.isfinite(rho)]
        return float(rho.mean()) if len(rho) else 0.0

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
        from skfti.value_network import task_embedding

        return task_embedding(self._network(), features, y_idx, n_classes)

    def suggest(self, X, y, *, discretize=False, return_all=False):
        """Suggest an architecture for a new task (Algorithm 2).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            The new task's samples (no child is trained on them).
        y : array-like of shape (n_samples,)
            Its labels.
        discretize : bool, default=False
            Return the nearest one-hot (discrete) architecture of each
            solution, scored again by the value network.
        return_all : bool, default=False
            Return every starting point's solution, best first.

        Returns
        -------
        suggestion : Suggestion or list of Suggestion
            ``(encoding, predicted_value)``, deterministic given
            ``random_state``.
        """
        check_is_fitted(self)
        space = self.search_space_
        features, y_idx, n_classes, meta = self._z((X, y))
        from skfti.value_network import gradient_ascent, predict_values

        net = self._network()
        z = meta
        if self._learned:
            from skfti.value_network import task_embedding

            learned = task_embedding(net, features, y_idx, n_classes)
            z = learned if meta is None else np.concatenate([learned, meta])
        rng = check_random_state(self.random_state)
        logits = rng.normal(
            0.0, self.init_scale, (self.n_starting_points, space.n_dims)
        )
        logits[0] = 0.0  # the uniform encoding is always one start
        U, values = gradient_ascent(
            net,
            z,
            logits,
            _groups(space),
            max_iter=self.max_iter,
            step_size=self.step_size,
        )
        encodings = [ArchitectureEncoding.from_vector(space, u) for u in U]
        if discretize:
            encodings = [e.discretize() for e in encodings]
            values = predict_values(
                net,
                np.array([e.to_vector() for e in encodings]),
                features if self._learned else None,
                y_idx if self._learned else None,
                n_classes,
                meta,
            )
        order = np.argsort(-values, kind="stable")
        ranked = [Suggestion(encodings[i], float(values[i])) for i in order]
        return ranked if return_all else ranked[0]

    # -- persistence -----------------------------------------------------------------
    def __getstate__(self):
        state = copy.copy(super().__getstate__())
        state.pop("_net", None)  # rebuilt from weights_
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags


class _loss_bar:
    """Progress bar of the training loss at ``verbose >= 1``."""

    def __init__(self, total, verbose):
        self.total, self.verbose, self.bar = total, verbose, None

    def __enter__(self):
        if self.verbose < 1:
            return None
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.total, desc="value network", unit="step")
        return self._update

    def _update(self, step, loss):
        self.bar.update(min(step, self.total) - self.bar.n)
        self.bar.set_postfix(loss=f"{loss:.4f}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
