"""ArchitectureInferrer: learn v(u, z) offline, suggest architectures online."""

import copy
from numbers import Integral, Real

from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skfti._inferrer_calibration import scaled_values, set_value_scale
from skfti._inferrer_data import check_aligned, check_experiments, check_units
from skfti._inferrer_scoring import mean_spearman, per_task_scores
from skfti._inferrer_search import (
    canonical_rows,
    check_n_suggestions,
    search_encodings,
)
from skfti._inferrer_tasks import TaskViewMixin
from skfti._inferrer_training import build_value_network, train_value_network
from skfti._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from skfti.encoding import ArchitectureEncoding, check_encoding_matrix
from skfti.search_space import SearchSpace
from skfti.value_network_numpy import NumpyValueNetwork

__all__ = ["ArchitectureInferrer"]


class ArchitectureInferrer(TaskViewMixin, BaseEstimator):
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
    meta_features : {"learned", "precomputed", "both", "none"}, default="both"
        The task's z: a permutation-invariant embedding of its samples learned
        jointly (features and labels), the statistics of
        :func:`~skfti.compute_meta_features`, both, or none (the ablation).
    loss : {"mse", "ranking"}, default="ranking"
        A pairwise logistic ranking loss over the experiments of a batch
        (after Dubatovka et al., 2019, "Ranking architectures using
        meta-learning"), or the paper's L2 regression loss.
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
    discrete_search : {"candidates", "ascent"}, default="candidates"
        How ``suggest(..., discretize=True)`` searches: score every network
        up to a depth and keep the best, or Algorithm 2's gradient ascent
        followed by the argmax of each group.
    n_discrete_candidates : int, default=10000
        The most networks ``discrete_search="candidates"`` scores: every
        network of up to ``d`` layers for the largest ``d`` that fits (3
        layers, 7,540 networks, in the text models' space).
    canonical_encodings : bool, default=True
        Give the value network every discrete encoding in its network's
        canonical form (switched-on layers first, in order; a switched-off
        layer is the identity, so where it sits changes nothing), in ``fit``
        and after it; discrete suggestions are canonical and distinct as
        networks. ``False`` reads encodings as given (the paper).
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
    value_scale_ : float or None
        With ``loss="ranking"``: the slope that maps the network's scores to
        normalized accuracy (within-task least squares on the training
        experiments); None with ``loss="mse"``, whose network predicts
        normalized accuracy itself.
    reference_encodings_ : ndarray of shape (n_reference, n_dims) or None
        With ``loss="ranking"``: up to 1,000 training encodings (random
        architectures) whose mean score on a task is that task's zero.

    See Also
    --------
    InferredArchitectureClassifier : Trains the suggested architecture.
    skfti.store.ExperimentStore.experiments : Builds the ``experiments``.

    Notes
    -----
    Sections 3.1-3.3 and 5.1 of "Fast Task-Aware Architecture Inference".
    Scores are normalized per task, ``(v - mu_k) / sigma_k``, as in the
    paper, and ``predict`` and ``suggest`` return values in that unit: the
    ranking loss fixes only the order of a task's scores, so with it the
    scores are mapped back by ``value_scale_`` and the task's mean score of
    ``reference_encodings_`` (an increasing map: rankings are unchanged).
    The network sees encodings as softmax weights (a one-hot row is a
    discrete architecture); gradient ascent runs on logits through the
    softmax so that every iterate is a valid encoding.

    ``loss="ranking"`` ranked the children of held-out tasks better than
    ``"mse"`` for every kind of meta-features (leave-one-family-out Spearman
    on 10,842 text children: +0.007 to +0.012; docs/results.md). Which
    meta-features rank best depends on the population: within 0.003 of
    each other on the text tasks (none 0.770, learned 0.768, both 0.767),
    learned ahead on 39 KEEL data sets (0.246, both 0.228); the default
    ``"both"`` gives the network every description of the task. The
    paper's setting is ``meta_features="learned", loss="mse"``.

    Discrete suggestions score candidate networks by default: the ascent
    climbs to encodings the population never sampled (e.g. one layer placed
    last), predicted far above any stored child; the candidates return
    networks of densely sampled depths, in milliseconds.
    ``discrete_search="ascent", canonical_encodings=False`` is the paper's.

    The paper's learning rate, 1e-4 (SGD, momentum 0.5), undertrains in the
    default ``n_steps=5000``: the default is 1e-2.

    The network's view of a task does not depend on units: the features
    (numeric ``X``, or the views of texts) are standardized within each task
    (mean 0, std 1 per feature, constant features 0) before ``phi`` and the
    precomputed meta-features, so a ``StandardScaler`` or any per-feature
    shift and rescaling by a positive factor (other units) in front of the
    inferrer changes nothing; neither does the order of the rows. (A
    feature multiplied by a negative number is another feature to the
    learned meta-features.)

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
        "discrete_search": [StrOptions({"candidates", "ascent"})],
        "n_discrete_candidates": [Interval(Integral, 1, None, closed="left")],
        "canonical_encodings": ["boolean"],
        "embedding_modules": [list, tuple, None],
        "feature_map": [None, HasMethods(["fit", "transform"])],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        search_space=None,
        meta_features="both",
        loss="ranking",
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
        discrete_search="candidates",
        n_discrete_candidates=10000,
        canonical_encodings=True,
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
        self.discrete_search = discrete_search
        self.n_discrete_candidates = n_discrete_candidates
        self.canonical_encodings = canonical_encodings
        self.embedding_modules = embedding_modules
        self.feature_map = feature_map
        self.random_state = random_state
        self.verbose = verbose

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
        check_units("phi_units", self.phi_units, exactly=2)
        check_units("rho_units", self.rho_units)
        tasks, experiments = check_aligned(tasks, experiments)
        space = self.search_space or SearchSpace()
        U, V = check_experiments(tasks, experiments, space)
        if self.canonical_encodings:
            U = [canonical_rows(u, space) for u in U]
        samples, meta = self._prepare_tasks(tasks, space)
        rng = check_random_state(self.random_state)
        net, self.loss_curve_ = train_value_network(
            self, space, U, V, samples, meta, rng
        )
        self.search_space_ = space
        self.weights_ = net.get_weights()
        self.n_train_tasks_ = len(tasks)
        self._net = net
        self._np_net = None  # a refit must not keep the previous copy
        self._candidates = None
        self.value_scale_ = self.reference_encodings_ = None
        if self.loss == "ranking":  # z from the samples fit has prepared
            meta_of = self._numpy_network().meta
            Z = [meta_of(*task, row) for task, row in zip(samples, meta, strict=True)]
            set_value_scale(self, Z, U, V, rng)
        return self

    # -- the fitted network -----------------------------------------------------
    @property
    def _n_meta(self):
        return len(self.meta_mean_) if self._precomputed else 0

    def _network(self):
        """The fitted network on TensorFlow (for training and tests only)."""
        net = getattr(self, "_net", None)
        if net is None:
            net = build_value_network(
                self, self.search_space_.n_dims, self._n_meta, weights=self.weights_
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

    def predict(self, task_or_Xy, encodings):
        """Predicted normalized accuracy of encodings on one task.

        Parameters
        ----------
        task_or_Xy : Task or (X, y)
            The task (its training split is used) or its samples.
        encodings : array-like of shape (n_encodings, n_dims)
            Flat encodings of ``search_space_`` (or a list of
            :class:`ArchitectureEncoding`, or one, as :meth:`suggest`
            returns it: then ``values`` has one entry).

        Returns
        -------
        values : ndarray of shape (n_encodings,)
            Predicted ``(accuracy - mu) / sigma`` for the task.
        """
        check_is_fitted(self)
        U = check_encoding_matrix(self.search_space_, encodings, "predict")
        if self.canonical_encodings:
            U = canonical_rows(U, self.search_space_)
        z = self._z(task_or_Xy)
        return scaled_values(self, self._numpy_network().value(U, z), z)

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
        tasks, experiments = check_aligned(tasks, experiments)
        return per_task_scores(self.predict, tasks, experiments, self.search_space_)

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
        return mean_spearman(self.evaluate(tasks, experiments)["spearman"])

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
        features, y_idx, n_classes = self._task_samples((X, y), self.search_space_)
        return self._numpy_network().task_embedding(features, y_idx, n_classes)

    def suggest(self, X, y, *, n_suggestions=1, discretize=True, return_values=False):
        """Suggest architectures for a new task (Algorithm 2).

        Discrete encodings (the default): the best of
        ``n_discrete_candidates`` networks scored by v (or the ascent's
        argmax; ``discrete_search``), what
        :class:`~skfti.InferredArchitectureClassifier` and ``skfti suggest``
        train. Relaxed encodings (``discretize=False``, the paper's Algorithm
        2): gradient ascent on v from ``n_starting_points`` starts (the
        uniform encoding and random logits), all at once, in NumPy. No child
        is trained on the task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            The new task's samples.
        y : array-like of shape (n_samples,)
            Its labels.
        n_suggestions : int, default=1
            How many distinct encodings to return, best first.
        discretize : bool, default=True
            Return discrete (one-hot) architectures, distinct as networks.
            ``False`` returns the relaxed encodings of the gradient ascent
            (the paper's output; a relaxed child trains 5-20x slower).
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
        space, canonical = self.search_space_, self.canonical_encodings
        k = check_n_suggestions(n_suggestions, discretize, space, canonical)
        z = self._z((X, y))
        U, values = search_encodings(self, z, k, discretize)
        values = scaled_values(self, values, z)
        encodings = [ArchitectureEncoding.from_vector(space, u) for u in U]
        if n_suggestions == 1:
            encodings, values = encodings[0], float(values[0])
        return (encodings, values) if return_values else encodings

    # -- persistence -----------------------------------------------------------------
    def __getstate__(self):
        state = copy.copy(super().__getstate__())
        state.pop("_net", None)  # rebuilt from weights_
        state.pop("_np_net", None)
        state.pop("_candidates", None)  # recomputed on demand
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags
