"""A classifier whose architecture is suggested for its own training data."""

import os
import warnings
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from skfti._inferrer_search import suggestion_list
from skfti._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from skfti._tf import single_thread_worker
from skfti.child_recipe import RECIPE_SETTINGS
from skfti.relaxed_ffnn import RelaxedFFNNClassifier
from skfti.task import is_text
from skfti.task_views import (
    check_not_a_column_of_texts,
    check_text_views,
    embed_ahead,
    embedding_modules,
)

__all__ = ["InferredArchitectureClassifier"]

from skfti._seeds import SEED_MAX as _SEED_MAX


def _fit_candidate(child, X, y, parent_pid):
    """Fit one candidate child (one TF thread in a worker of ``parent_pid``)."""
    single_thread_worker(parent_pid)
    return child.fit(X, y)


_FEATURE_NAMES = "X (has|does not have valid) feature names"
"""sklearn's warnings on feature names (validate_data), by their message."""


class InferredArchitectureClassifier(ClassifierMixin, BaseEstimator):
    """Suggest architectures for ``(X, y)``, then train them.

    ``fit`` asks a fitted :class:`ArchitectureInferrer` for the
    ``n_candidates`` architectures that its value network expects to do best
    on this data (no child is trained to find them), trains each as a
    :class:`RelaxedFFNNClassifier` with the default child recipe, and
    averages their probabilities (``combine="ensemble"``, the default) or
    keeps the best on the held-out part of the training data
    (``combine="best"``). It is the drop-in last step of a
    :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    inferrer : "auto", str or ArchitectureInferrer, default="auto"
        Where the suggestions come from. ``"auto"``: the shipped model for the
        kind of ``X`` (:data:`skfti.pretrained.DEFAULT_MODELS`: ``"text-v2"``
        for texts, ``"tabular-v1"`` for numbers). A str names a model of
        :func:`skfti.pretrained.available` or the path of one saved by
        :func:`skfti.pretrained.save`, loaded at ``fit``; being a str, it
        survives ``clone`` (``GridSearchCV``, ``cross_val_score``). Or a fitted
        inferrer, never refitted: wrap it in
        :class:`sklearn.frozen.FrozenEstimator` where this classifier gets
        cloned, since ``clone`` returns an unfitted copy of anything else.
    n_candidates : int, default=5
        Number of suggested architectures to train (the value network's
        favourites, distinct, best first). ``1`` trains the first suggestion
        only (a fifth of the training time).
    combine : {"ensemble", "best"}, default="ensemble"
        Average the class probabilities of all candidates, or keep the
        candidate with the best accuracy on the held-out fraction of the
        training data (ties broken by its log-loss).
    discretize : bool, default=True
        Train the nearest discrete architectures (plain feed-forward networks,
        like the children the value network learned from, and 10-50 times
        faster to train; the inferrer's ``discrete_search`` finds them)
        instead of the relaxed encodings found by the gradient ascent.
    epochs : int, default=200
        Maximum number of epochs of each child.
    batch_size : int, default=32
        Mini-batch size of each child.
    learning_rate : float, default=1e-3
        Adam's step size.
    weight_decay : float, default=1e-4
        Decoupled weight decay of the kernels.
    dropout : float or "auto", default="auto"
        Dropout rate of every dense layer's input, at training time.
        ``"auto"``: 0.2 for texts, 0 for numeric ``X`` (dropout cost numeric
        data 1.5-1.7 points; :data:`skfti.child_recipe.AUTO_DROPOUT`).
    n_iter_no_change : int or None, default=10
        Early-stopping patience of each child on the held-out data.
    tol : float, default=1e-4
        An epoch counts as an improvement for ``n_iter_no_change`` only if
        the held-out loss falls more than ``tol`` below its best.
    validation_fraction : float or None, default=0.1
        Fraction of the training data held out for early stopping and for
        ``combine="best"``: the same rows for every candidate with
        ``combine="best"``, other rows for each member of an ensemble.
    refit : {"average", True, False}, default="average"
        Retrain each candidate on all the training data (hold-out included)
        for as long as its early stopping chose; ``"average"`` predicts with
        the mean of the early-stopped and the refitted networks'
        probabilities, ``True`` with the refitted one
        (:class:`RelaxedFFNNClassifier`). ``combine="best"`` still chooses by
        the hold-out scores of the first training.
    n_jobs : int, default=None
        Number of candidates trained in parallel (processes, one TensorFlow
        thread each). ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all processors.
        Choose the backend with ``joblib.parallel_config``. Texts are
        embedded once before the candidates train, with every core this
        process may use (:func:`skfti.task_views.embedding_threads`), and
        each candidate reads them from the embedding cache.
    random_state : int, RandomState instance or None, default=None
        Seeds the hold-out split and the children's training: one seed for
        every candidate with ``combine="best"`` (they share their hold-out,
        so their scores compare), one seed per member with
        ``combine="ensemble"`` (each its own hold-out and initialization, as
        in bagging; the first member is ``combine="best"``'s first
        candidate). Pass an int for reproducible results.
    verbose : int, default=0
        Passed to the children.

    Attributes
    ----------
    encodings_ : list of ArchitectureEncoding
        The suggested architectures, best predicted first.
    predicted_values_ : ndarray of shape (n_candidates,)
        The value network's prediction for each (normalized accuracy).
    validation_scores_ : ndarray of shape (n_candidates,)
        Each trained candidate's accuracy on the held-out data (NaN without
        a hold-out).
    estimators_ : list of RelaxedFFNNClassifier
        The trained candidates, in the order of ``encodings_``.
    best_index_ : int
        Index of the kept candidate (``combine="best"``); 0 for an ensemble.
    estimator_ : RelaxedFFNNClassifier
        The kept candidate (``combine="best"``), else the first.
    encoding_ : ArchitectureEncoding
        The encoding of ``estimator_``.
    predicted_value_ : float
        The value network's prediction for ``encoding_``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen in ``fit`` (numeric ``X``).

    Raises
    ------
    ValueError
        If ``X`` does not live in the feature space the inferrer was fitted
        on, or has NaN, infinity or a single class.
    NotFittedError
        If the inferrer is not fitted.

    See Also
    --------
    ArchitectureInferrer.suggest : The suggestions.
    RelaxedFFNNClassifier : One child network.

    Notes
    -----
    Why an ensemble of five by default: on 35 text tasks of held-out
    families (docs/results.md), with the model and recipe of 2026-11-28,
    the mean accuracy of the first suggestion alone was 0.845 on the tasks'
    validation splits, the ensemble of the first three 0.854 (best-of-3
    0.848). With the shipped ``text-v1`` (2026-12-02: 10,842 children,
    candidate search) the first suggestion scored 0.852 on validation, the
    ensemble of three 0.856 and of five 0.861 (the previous text model:
    0.857 and 0.861; ``tabular-v1`` rebuilt on 2026-12-03: 0.857 and 0.861);
    five members chose by validation. On the test splits one child scored
    0.845, three 0.859, five 0.861. With ``text-v2``, the default for texts
    since 2026-12-04 (four views, 10,500 children), one child 0.865 on
    validation, three 0.875, five 0.878 (test 0.866, 0.877, 0.878).
    ``n_candidates=3`` trains 3/5 of the networks (the default until
    2026-12-02).

    One relaxed suggestion trained once (``n_candidates=1,
    discretize=False``) is the paper's setting (Algorithm 2 of "Fast
    Task-Aware Architecture Inference"); the paper trained children with Adam
    1e-4 for 20 epochs (:data:`skfti.child_recipe.PAPER_SETTINGS`). With
    ``combine="best"`` the held-out rows both stop each child early and
    choose among them: a small optimism shared by every candidate.
    """

    _parameter_constraints = {
        "inferrer": [HasMethods(["suggest"]), str],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "combine": [StrOptions({"best", "ensemble"})],
        "discretize": ["boolean"],
        **{
            k: RelaxedFFNNClassifier._parameter_constraints[k]
            for k in (
                "epochs",
                "batch_size",
                "learning_rate",
                "weight_decay",
                "dropout",
                "n_iter_no_change",
                "tol",
                "validation_fraction",
                "refit",
            )
        },
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        inferrer="auto",
        *,
        n_candidates=5,
        combine="ensemble",
        discretize=True,
        epochs=RECIPE_SETTINGS["epochs"],
        batch_size=RECIPE_SETTINGS["batch_size"],
        learning_rate=RECIPE_SETTINGS["learning_rate"],
        weight_decay=RECIPE_SETTINGS["weight_decay"],
        dropout=RECIPE_SETTINGS["dropout"],
        n_iter_no_change=RECIPE_SETTINGS["n_iter_no_change"],
        tol=RECIPE_SETTINGS["tol"],
        validation_fraction=RECIPE_SETTINGS["validation_fraction"],
        refit=RECIPE_SETTINGS["refit"],
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.inferrer = inferrer
        self.n_candidates = n_candidates
        self.combine = combine
        self.discretize = discretize
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.validation_fraction = validation_fraction
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Suggest architectures for ``(X, y)`` and train them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            Training samples, in the feature space of the inferrer's tasks.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : InferredArchitectureClassifier
            The fitted classifier.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None"
            )
        rng = check_random_state(self.random_state)
        seed = rng.randint(_SEED_MAX)
        text = is_text(X)
        if not text:
            check_not_a_column_of_texts(X)
        inferrer = self._inferrer(text)
        self._check_kind(inferrer, text)
        child = self._child(inferrer, text, seed)
        # Validate the data (NaN, one class, shapes) before the search:
        # texts as the children do, numbers with their checks in this name.
        if text:
            X_checked, y_checked = child._validate_X(X, reset=True, y=y)
        else:
            X_checked, y_checked = validate_data(
                self, X, y, reset=True, dtype=np.float32
            )
        check_classification_targets(y_checked)
        # The inferrer sees numeric X as given (float64), not the child's
        # float32 copy, so the candidates are exactly inferrer.suggest(X, y)'s.
        X_suggest = X_checked if text else np.asarray(X, dtype=np.float64)
        encodings, values = suggestion_list(
            inferrer,
            X_suggest,
            y_checked,
            self.n_candidates,
            discretize=self.discretize,
        )
        self.encodings_ = encodings
        self.predicted_values_ = np.asarray(values, dtype=np.float64)
        candidates = [clone(child).set_params(encoding=e) for e in encodings]
        if self.combine == "ensemble":
            # Members of an ensemble train on their own hold-out and
            # initialization (as bagging does): more diverse, better averaged.
            # The first keeps the shared seed, so it is combine="best"'s first.
            for candidate in candidates[1:]:
                candidate.set_params(random_state=rng.randint(_SEED_MAX))
        if text:  # once, on every core, for every candidate to read
            used = np.any([np.asarray(e.gamma) > 0 for e in encodings], axis=0)
            embed_ahead(list(X_checked), child.embedding_modules, list(used))
        # n_jobs=None is joblib's: 1 unless joblib.parallel_config says more.
        n_jobs = min(effective_n_jobs(self.n_jobs), len(candidates))
        parent_pid = os.getpid() if n_jobs > 1 else None
        self.estimators_ = Parallel(n_jobs=n_jobs)(
            delayed(_fit_candidate)(c, X, y, parent_pid) for c in candidates
        )
        self.validation_scores_ = np.array(
            [self._held_out_accuracy(e) for e in self.estimators_]
        )
        self.best_index_ = self._best_index()
        self.estimator_ = self.estimators_[self.best_index_]
        self.encoding_ = self.encodings_[self.best_index_]
        self.predicted_value_ = float(self.predicted_values_[self.best_index_])
        self.classes_ = self.estimator_.classes_
        for name in ("n_features_in_", "feature_names_in_"):  # numeric X only
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
            else:
                self.__dict__.pop(name, None)
        return self

    def _inferrer(self, text):
        """The fitted inferrer: loaded for a name, checked for an object."""
        inferrer = self.inferrer
        if isinstance(inferrer, str):
            from skfti import pretrained

            kind = "text" if text else "numeric"
            return pretrained.load(
                pretrained.DEFAULT_MODELS[kind] if inferrer == "auto" else inferrer
            )
        try:
            check_is_fitted(inferrer)
        except NotFittedError as exc:
            raise NotFittedError(
                "The inferrer is not fitted. Fit it first, or pass a model name "
                "(inferrer='text-v2'); where this classifier is cloned "
                "(GridSearchCV, cross_val_score), wrap a fitted inferrer in "
                "sklearn.frozen.FrozenEstimator."
            ) from exc
        return inferrer

    @staticmethod
    def _check_kind(inferrer, text):
        """Texts for a text inferrer, numbers for a numeric one."""
        space = inferrer.search_space_
        if text:
            check_text_views(space, "the inferrer's search space")
        elif not space.is_numeric:
            raise ValueError(
                "X is not a list of texts, but the inferrer's search space has "
                f"the text views {space.views}: pass the texts themselves, or "
                "use an inferrer of numeric data, e.g. "
                "skfti.pretrained.load('tabular-v1')"
            )

    def _child(self, inferrer, text, seed):
        """The unfitted child shared by every candidate (same seed)."""
        space, modules = inferrer.search_space_, inferrer.embedding_modules
        return RelaxedFFNNClassifier(
            embedding_modules=embedding_modules(space, modules) if text else None,
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            dropout=self.dropout,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            validation_fraction=self.validation_fraction,
            refit=self.refit,
            random_state=seed,
            verbose=self.verbose,
        )

    @staticmethod
    def _held_out_accuracy(estimator):
        history = estimator.history_
        if "val_accuracy" not in history:
            return np.nan
        return history["val_accuracy"][history["best_epoch"]]

    def _best_index(self):
        if self.combine == "ensemble" or len(self.estimators_) == 1:
            return 0
        scores = self.validation_scores_
        if not np.any(np.isfinite(scores)):
            return 0  # no hold-out: the value network's favourite
        losses = [
            e.history_["val_loss"][e.history_["best_epoch"]] for e in self.estimators_
        ]
        # Highest accuracy, then lowest loss, then the predicted order.
        return min(range(len(scores)), key=lambda i: (-scores[i], losses[i], i))

    def predict_proba(self, X):
        """Class probabilities of the kept child, or the candidates' mean.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        members = self.estimators_ if self.combine == "ensemble" else [self.estimator_]
        if not hasattr(self, "n_features_in_"):  # texts: the children check them
            return np.mean([e.predict_proba(X) for e in members], axis=0)
        # Numbers are checked here, in this class's name; the children's
        # repeats of its feature-name warning are not shown again.
        validate_data(self, X, reset=False, dtype=np.float32)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", _FEATURE_NAMES, UserWarning)
            return np.mean([e.predict_proba(X) for e in members], axis=0)

    def predict(self, X):
        """Predicted class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]
