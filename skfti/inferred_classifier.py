"""A classifier whose architecture is suggested for its own training data."""

from numbers import Integral, Real

from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted

from skfti.relaxed_ffnn import RelaxedFFNNClassifier
from skfti.task import is_text

__all__ = ["InferredArchitectureClassifier"]


class InferredArchitectureClassifier(ClassifierMixin, BaseEstimator):
    """Suggest an architecture for ``(X, y)``, then train it.

    ``fit`` asks a fitted :class:`ArchitectureInferrer` for the architecture
    that its value network expects to do best on this data (no child is
    trained to find it), then trains that :class:`RelaxedFFNNClassifier`. It
    is the drop-in last step of a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    inferrer : ArchitectureInferrer
        A fitted inferrer; it is never refitted. Wrap it in
        :class:`sklearn.frozen.FrozenEstimator` to use this classifier where it
        gets cloned (``GridSearchCV``, ``cross_val_score``): ``clone`` keeps a
        frozen estimator fitted, and it returns a fresh, unfitted copy of
        anything else.
    discretize : bool, default=False
        Train the nearest discrete architecture instead of the relaxed one.
    epochs, batch_size, learning_rate : int, int, float
        Training settings of the child (the paper's: 20, 32, 1e-4).
    random_state : int, RandomState instance or None, default=None
        Seeds the child's training.
    verbose : int, default=0
        Passed to the child.

    Attributes
    ----------
    encoding_ : ArchitectureEncoding
        The suggested architecture.
    predicted_value_ : float
        The value network's prediction for it (normalized accuracy).
    estimator_ : RelaxedFFNNClassifier
        The trained child.
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

    Notes
    -----
    The inferrer judges a task by its samples, so ``X`` must look like the
    samples of its training tasks: steps placed before this one in a
    ``Pipeline`` (a ``StandardScaler``, say) change what the value network
    sees, and a suggestion made on rescaled features can be much worse (on a
    synthetic task, test accuracy 0.31 against 0.69 without the scaler). Put
    such steps inside the tasks the inferrer was fitted on, or leave them out.
    """

    _parameter_constraints = {
        "inferrer": [HasMethods(["suggest"])],
        "discretize": ["boolean"],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        inferrer,
        *,
        discretize=False,
        epochs=20,
        batch_size=32,
        learning_rate=1e-4,
        random_state=None,
        verbose=0,
    ):
        self.inferrer = inferrer
        self.discretize = discretize
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Suggest an architecture for ``(X, y)`` and train it.

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
        try:
            check_is_fitted(self.inferrer)
        except NotFittedError as exc:
            raise NotFittedError(
                "The inferrer is not fitted. Fit it first; where this classifier "
                "is cloned (GridSearchCV, cross_val_score), wrap the fitted "
                "inferrer in sklearn.frozen.FrozenEstimator."
            ) from exc
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None"
            )
        text = is_text(X)
        child = RelaxedFFNNClassifier(
            embedding_modules=self._modules() if text else None,
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            random_state=self.random_state,
            verbose=self.verbose,
        )
        # Validate the data (NaN, one class, shapes) before the search.
        X_checked, y_checked = child._validate_X(X, reset=True, y=y)
        suggestion = self.inferrer.suggest(
            X_checked, y_checked, discretize=self.discretize
        )
        self.encoding_ = suggestion.encoding
        self.predicted_value_ = suggestion.predicted_value
        child.set_params(encoding=self.encoding_)
        self.estimator_ = child.fit(X, y)
        self.classes_ = self.estimator_.classes_
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def _modules(self):
        from skfti.embeddings import get_embedding_module

        inferrer = self.inferrer
        return inferrer.embedding_modules or [
            get_embedding_module(v) for v in inferrer.search_space_.views
        ]

    def predict_proba(self, X):
        """Class probabilities of the trained child.

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
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        """Predicted class of the trained child.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)
