"""A scikit-learn classifier that trains the child network of an encoding."""

import copy
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_y,
    _num_samples,
    check_is_fitted,
    validate_data,
)

from skfti.child_architecture import ChildArchitecture
from skfti.encoding import ArchitectureEncoding
from skfti.search_space import SearchSpace

__all__ = ["RelaxedFFNNClassifier"]


class RelaxedFFNNClassifier(ClassifierMixin, BaseEstimator):
    """Feed-forward child network of an architecture encoding (Eq. 4).

    Each of the search space's parametrized layers computes
    ``beta_on * sum_i alpha_i * pad(o_i(x)) + beta_off * pad(x)`` where the
    base layers ``o_i`` are dense layers of several widths and activations,
    fused into one matmul; ``gamma`` mixes the input views; a softmax
    classifier sits on top. Training uses Adam on the cross-entropy with the
    paper's defaults (learning rate 1e-4, 20 epochs, batch 32).

    Parameters
    ----------
    encoding : ArchitectureEncoding, default=None
        The architecture. ``None`` means the uniform encoding of
        ``search_space`` (every choice weighted equally).
    search_space : SearchSpace, default=None
        The search space. ``None`` means the encoding's space if an encoding
        is given, else ``SearchSpace()`` with one view per embedding module
        (or the single view ``"input"``).
    embedding_modules : list of embedding modules, default=None
        Input views for raw-text ``X``: objects with ``name``, ``output_dim``
        and ``embed(texts)`` (see :mod:`skfti.embeddings`), or transformers
        with ``fit`` / ``transform`` (fitted on the training data). Their names
        must be the search space's ``views``. ``None`` means ``X`` is numeric
        and is the single input view.
    epochs : int, default=20
        Number of passes over the training data.
    batch_size : int, default=32
        Mini-batch size (capped at the number of training samples).
    learning_rate : float, default=1e-4
        Adam's step size.
    validation_fraction : float or None, default=0.1
        Fraction of the training data held out (stratified when possible) to
        record ``history_["val_accuracy"]`` after each epoch. ``None`` or 0
        trains on everything. Ignored when ``fit`` gets ``validation_data``.
    fast_path : bool, default=True
        Compute only the choices of non-zero weight. A one-hot (discrete)
        encoding then trains as the plain network it describes, at a fraction
        of the cost; the function computed is the same.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffling of
        every epoch. Pass an int for reproducible results across calls.
    verbose : int, default=0
        0 is silent; >= 1 prints one line per epoch; >= 2 adds the network's
        size and timings; >= 3 also lets TensorFlow's own log through.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen in ``fit`` (numeric ``X`` only).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in ``fit``, when ``X`` has string column names.
    encoding_ : ArchitectureEncoding
        The encoding that was trained.
    history_ : dict
        ``loss`` (mean training loss per epoch), ``val_accuracy`` (when
        validating) and ``time`` (seconds per epoch).
    n_iter_ : int
        Number of epochs run.
    weights_ : list of ndarray
        Trained kernels and biases, layer by layer.

    Raises
    ------
    ValueError
        Before any training, when ``X`` holds NaN or infinity, ``y`` has a
        single class, ``X`` at predict time has another number of features
        than in ``fit``, the encoding belongs to another search space than
        ``search_space`` or the embedding modules, or a parameter is out of
        range (for example ``epochs <= 0``).
    FloatingPointError
        When training diverges (the loss becomes NaN or infinite).

    See Also
    --------
    ArchitectureEncoding : What ``encoding`` holds.
    sklearn.neural_network.MLPClassifier : A fixed-architecture network.

    Notes
    -----
    "Fast Task-Aware Architecture Inference", section 3.4 (Eq. 4) and 5.1.
    Runs on a GPU when TensorFlow sees one, else on the CPU.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skfti import ArchitectureEncoding, RelaxedFFNNClassifier, SearchSpace
    >>> X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    >>> space = SearchSpace(n_layers=2)
    >>> u = ArchitectureEncoding.random_one_hot(space, random_state=0)
    >>> clf = RelaxedFFNNClassifier(u, epochs=5, learning_rate=1e-2, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.8
    True
    """

    _parameter_constraints = {
        "encoding": [ArchitectureEncoding, None],
        "search_space": [SearchSpace, None],
        "embedding_modules": [list, tuple, None],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left"), None],
        "fast_path": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        encoding=None,
        *,
        search_space=None,
        embedding_modules=None,
        epochs=20,
        batch_size=32,
        learning_rate=1e-4,
        validation_fraction=0.1,
        fast_path=True,
        random_state=None,
        verbose=0,
    ):
        self.encoding = encoding
        self.search_space = search_space
        self.embedding_modules = embedding_modules
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.fast_path = fast_path
        self.random_state = random_state
        self.verbose = verbose

    # -- input handling ---------------------------------------------------
    def _resolve_encoding(self):
        """The encoding to train, checked against the space and the views."""
        modules = self.embedding_modules
        view_names = ("input",) if not modules else tuple(str(m.name) for m in modules)
        if modules and len(set(view_names)) != len(view_names):
            raise ValueError(f"embedding_modules have repeated names: {view_names}")
        space = self.search_space
        if self.encoding is not None:
            if space is not None and self.encoding.search_space != space:
                raise ValueError(
                    "The encoding belongs to another search space: its space is "
                    f"{self.encoding.search_space} (fingerprint "
                    f"{self.encoding.search_space.fingerprint()}), but "
                    f"search_space is {space} (fingerprint {space.fingerprint()})"
                )
            space = self.encoding.search_space
        elif space is None:
            space = SearchSpace(views=view_names)
        if modules and space.views != view_names:
            raise ValueError(
                f"The search space's views {space.views} do not match the embedding "
                f"modules {view_names}: the encoding belongs to another search space"
            )
        if not modules and space.n_views != 1:
            raise ValueError(
                f"The search space has {space.n_views} views {space.views}; numeric X "
                "is a single view. Pass embedding_modules with those names."
            )
        encoding = self.encoding
        if encoding is None:
            encoding = ArchitectureEncoding.uniform(space)
        return encoding

    def _validate_X(self, X, reset, y=None):
        """Validate X (and y); return ``(X, y)`` with X numeric or a text array."""
        if not self.embedding_modules:
            if y is None:
                return validate_data(self, X, reset=reset, dtype=np.float32), None
            return validate_data(self, X, y, reset=reset, dtype=np.float32)
        if isinstance(X, str) or not hasattr(X, "__len__"):
            raise ValueError(
                "With embedding_modules, X must be a sequence of texts, got "
                f"{type(X).__name__}"
            )
        texts = np.asarray(X, dtype=object)
        if texts.ndim != 1 or not all(isinstance(t, str) for t in texts):
            raise ValueError(
                "With embedding_modules, X must be a 1-D sequence of str; got an "
                f"array of shape {texts.shape} or non-string entries"
            )
        if len(texts) == 0:
            raise ValueError(
                "Found array with 0 sample(s) while a minimum of 1 is required."
            )
        if y is not None:
            y = _check_y(y)
            if _num_samples(y) != len(texts):
                raise ValueError(
                    f"X has {len(texts)} samples but y has {_num_samples(y)}"
                )
        return texts, y

    def _views(self, X, fit, used=None):
        """The input views of validated X: float32 arrays, None where unused.

        ``used`` flags the views to compute (default: those of non-zero weight
        in the trained architecture); an unused embedding is never computed.
        """
        if not self.embedding_modules:
            return [np.asarray(X, dtype=np.float32)]
        from skfti.embeddings import embed_cached

        if used is None:
            kept = {v for v, _ in self._arch.views}
            used = [k in kept for k in range(len(self.embedding_modules))]
        if fit:
            self._view_maps_ = [
                clone(m).fit(X) if hasattr(m, "transform") and use else None
                for m, use in zip(self.embedding_modules, used, strict=True)
            ]
        views = []
        for k, module in enumerate(self.embedding_modules):
            if not used[k]:
                views.append(None)
                continue
            if self._view_maps_[k] is not None:
                out = self._view_maps_[k].transform(X)
            else:
                out = embed_cached(module, list(X))
            out = np.asarray(out, dtype=np.float32)
            if out.shape != (len(X), module.output_dim):
                raise ValueError(
                    f"Embedding module {module.name!r} returned shape {out.shape}, "
                    f"expected ({len(X)}, {module.output_dim})"
                )
            if not np.all(np.isfinite(out)):
                raise ValueError(f"Embedding module {module.name!r} returned NaN/inf")
            views.append(out)
        return views

    # -- fit / predict ------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, validation_data=None):
        """Train the child network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            Numeric features, or texts when ``embedding_modules`` is set.
        y : array-like of shape (n_samples,)
            Class labels (strings or integers), at least two classes.
        validation_data : tuple (X_val, y_val), default=None
            Data to measure ``history_["val_accuracy"]`` on after each epoch
            (replaces ``validation_fraction``).

        Returns
        -------
        self : RelaxedFFNNClassifier
            The fitted classifier.
        """
        encoding = self._resolve_encoding()
        X, y = self._validate_X(X, reset=True, y=y)
        check_classification_targets(y)
        self._label_encoder = LabelEncoder().fit(y)
        self.classes_ = self._label_encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                "RelaxedFFNNClassifier needs samples of at least 2 classes in the "
                f"data, but the data contain only one class: {self.classes_[0]!r}"
            )
        y_idx = self._label_encoder.transform(y)
        rng = check_random_state(self.random_state)

        val = None
        if validation_data is not None:
            X_val, y_val = validation_data
            X_val, _ = self._validate_X(X_val, reset=False)
            val = (X_val, self._encode_known_labels(y_val))
        elif self.validation_fraction:
            X, y_idx, val = self._split_validation(X, y_idx, rng)

        if self.embedding_modules:
            view_dims = [int(m.output_dim) for m in self.embedding_modules]
        else:
            view_dims = [X.shape[1]]
        arch = ChildArchitecture(
            encoding, view_dims, len(self.classes_), fast_path=self.fast_path
        )
        used = [k in {v for v, _ in arch.views} for k in range(len(view_dims))]
        views = self._views(X, fit=True, used=used)
        if val is not None:
            val = (self._views(val[0], fit=False, used=used), val[1])

        from skfti.child_training import train_network

        if self.verbose >= 2:
            print(
                f"[RelaxedFFNNClassifier] {encoding.describe()}: "
                f"{arch.n_parameters():,} parameters, "
                f"{arch.flops_per_sample():,} multiply-adds per sample"
            )
        start = time.perf_counter()
        network, self.history_ = train_network(
            arch,
            views,
            y_idx,
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            rng=rng,
            validation=val,
            callback=self._print_epoch if self.verbose >= 1 else None,
        )
        if self.verbose >= 2:
            print(
                f"[RelaxedFFNNClassifier] trained in {time.perf_counter() - start:.2f}s"
            )
        self.encoding_ = encoding
        self.n_iter_ = len(self.history_["loss"])
        self.weights_ = network.get_weights()
        self._arch = arch
        self._network = network
        return self

    def _print_epoch(self, epoch, history):
        line = (
            f"Epoch {epoch + 1}/{self.epochs} - loss {history['loss'][-1]:.4f} - "
            f"{history['time'][-1]:.2f}s"
        )
        if "val_accuracy" in history:
            line += f" - val_accuracy {history['val_accuracy'][-1]:.4f}"
        print(line)

    def _encode_known_labels(self, y):
        y = _check_y(y)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if len(unknown):
            raise ValueError(
                f"validation_data has labels not seen in y: {unknown.tolist()}"
            )
        return self._label_encoder.transform(y)

    def _split_validation(self, X, y_idx, rng):
        n = len(y_idx)
        n_val = int(np.floor(self.validation_fraction * n))
        if n_val < 1 or n - n_val < 1:
            return X, y_idx, None
        counts = np.bincount(y_idx)
        stratify = y_idx if counts.min() >= 2 and n_val >= len(counts) else None
        idx_train, idx_val = train_test_split(
            np.arange(n),
            test_size=n_val,
            stratify=stratify,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )
        return X[idx_train], y_idx[idx_train], (X[idx_val], y_idx[idx_val])

    def _get_network(self):
        network = getattr(self, "_network", None)
        if network is None:
            from skfti.child_training import ChildNetwork

            network = ChildNetwork(self._arch, self.weights_)
            self._network = network
        return network

    def predict_proba(self, X):
        """Class probabilities.

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
        X, _ = self._validate_X(X, reset=False)
        return self._get_network().predict_proba(self._views(X, fit=False))

    def predict(self, X):
        """Most likely class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of str
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    # -- persistence and tags -------------------------------------------------
    def __getstate__(self):
        state = copy.copy(super().__getstate__())
        state.pop("_network", None)  # TensorFlow objects are rebuilt from weights_
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.embedding_modules:
            tags.input_tags.two_d_array = False
            tags.input_tags.string = True
        return tags
