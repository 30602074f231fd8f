"""Fixed-width feature maps for numeric tasks: the tabular embedding modules."""

from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from skfti._sklearn_compat import Interval, StrOptions, _fit_context


class TabularFeatureMap(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Map numeric features of any width to ``output_dim`` features.

    Numeric tasks have different numbers of features; the value network and
    the child models need one feature space (paper, Section 3.1: "a common
    feature space"). This transformer is the tabular analogue of a text
    embedding module: it standardizes the features, then either projects them
    on their principal components, zero-padded to ``output_dim`` columns, or
    maps them through random Fourier features.

    Parameters
    ----------
    output_dim : int, default=64
        Number of output features.
    method : {"pca", "fourier"}, default="pca"
        ``"pca"``: principal components (at most ``min(n_samples, n_features)``
        of them), whitened to unit variance and zero-padded. Components of no
        variance (from constant or collinear columns, e.g. one-hot encoded
        categories) are zero too: whitened, they would be rounding noise
        blown up to unit variance, different for every order of the rows.
        ``"fourier"``: ``sqrt(2 / output_dim) * cos(X W + b)`` with Gaussian
        ``W`` of variance ``1 / n_features`` and uniform ``b`` (an RBF kernel
        approximation).
    random_state : int, RandomState instance or None, default=None
        Seed of the randomized PCA solver and of the Fourier weights. Pass an
        int for reproducible output across calls.

    Attributes
    ----------
    scaler_ : StandardScaler
        The fitted standardization.
    pca_ : PCA or None
        The fitted PCA (``method="pca"``).
    weights_ : ndarray of shape (`n_features_in_`, output_dim) or None
        Fourier weights (``method="fourier"``).
    offsets_ : ndarray of shape (output_dim,) or None
        Fourier phases (``method="fourier"``).
    n_components_ : int
        Number of informative (non-padding) output columns: for ``"pca"``
        the numerical rank of the standardized features (as
        :func:`numpy.linalg.matrix_rank` tolerates), at most ``output_dim``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from skfti.embeddings import TabularFeatureMap
    >>> X = np.random.RandomState(0).normal(size=(20, 5))
    >>> TabularFeatureMap(output_dim=8, random_state=0).fit_transform(X).shape
    (20, 8)
    """

    _parameter_constraints = {
        "output_dim": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions({"pca", "fourier"})],
        "random_state": ["random_state"],
    }

    def __init__(self, output_dim=64, method="pca", random_state=None):
        self.output_dim = output_dim
        self.method = method
        self.random_state = random_state

    @property
    def name(self):
        """Short name of the map, e.g. ``"tabular-pca64"``."""
        return f"tabular-{self.method}{self.output_dim}"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the standardization and the projection.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        y : None
            Ignored.

        Returns
        -------
        self : TabularFeatureMap
            The fitted map.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        rng = check_random_state(self.random_state)
        self.scaler_ = StandardScaler().fit(X)
        # float64 whatever the input: the rank tolerance is float64's, so
        # float32 data keeps every component that float64 data keeps.
        Z = self.scaler_.transform(X).astype(np.float64)
        self.pca_ = self.weights_ = self.offsets_ = None
        if self.method == "pca":
            n_components = min(self.output_dim, X.shape[0], X.shape[1])
            # Imported here: sklearn.decomposition is a tenth of a second that
            # loading a text model (whose views import this module) never uses.
            from sklearn.decomposition import PCA

            # Constant data (every column's variance 0) divides 0 by 0 in the
            # explained-variance ratio: harmless, transform maps it to zeros.
            with np.errstate(divide="ignore", invalid="ignore"):
                self.pca_ = PCA(
                    n_components=n_components, whiten=True, random_state=rng
                ).fit(Z)
            self.n_components_ = _numerical_rank(self.pca_.singular_values_, Z.shape)
        else:
            self.weights_ = rng.normal(
                scale=1.0 / np.sqrt(X.shape[1]), size=(X.shape[1], self.output_dim)
            )
            self.offsets_ = rng.uniform(0, 2 * np.pi, size=self.output_dim)
            self.n_components_ = self.output_dim
        self._n_features_out = self.output_dim
        return self

    def transform(self, X):
        """Map features to ``output_dim`` columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, `n_features_in_`)
            Features.

        Returns
        -------
        X_new : ndarray of shape (n_samples, output_dim)
            The mapped features.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        Z = self.scaler_.transform(X)
        if self.pca_ is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                projected = self.pca_.transform(Z.astype(np.float64))
            projected = projected[:, : self.n_components_]
            out = np.zeros((X.shape[0], self.output_dim), dtype=X.dtype)
            out[:, : self.n_components_] = projected
            return out
        return np.sqrt(2.0 / self.output_dim) * np.cos(
            Z @ self.weights_ + self.offsets_
        )


def _numerical_rank(singular_values, shape):
    """How many singular values exceed NumPy's ``matrix_rank`` tolerance."""
    if singular_values.size == 0:
        return 0
    tolerance = singular_values.max() * max(shape) * np.finfo(np.float64).eps
    return int(np.count_nonzero(singular_values > tolerance))
