"""A scikit-learn classifier that trains the child network of an encoding."""

import copy
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from skfti._sklearn_compat import (
    Interval,
    StrOptions,
    _check_y,
    _fit_context,
)
from skfti.child_architecture import ChildArchitecture
from skfti.child_recipe import (
    RECIPE_SETTINGS,
    check_validation_pair,
    holdout_split,
    resolve_dropout,
)
from skfti.child_views import check_text_samples, fit_view_maps, text_views
from skfti.encoding import ArchitectureEncoding
from skfti.search_space import SearchSpace

__all__ = ["RelaxedFFNNClassifier"]


class RelaxedFFNNClassifier(ClassifierMixin, BaseEstimator):
    """Feed-forward child network of an architecture encoding (Eq. 4).

    Each of the search space's parametrized layers computes
    ``beta_on * sum_i alpha_i * pad(o_i(x)) + beta_off * pad(x)`` where the
    base layers ``o_i`` are dense layers of several widths and activations,
    fused into one matmul; ``gamma`` mixes the input views; a softmax
    classifier sits on top. Training (the recipe of :mod:`skfti.child_recipe`)
    standardizes each input view, minimizes the cross-entropy with Adam,
    decoupled weight decay and dropout, stops early on a held-out fraction of
    the training data, then retrains on all of it for as long and averages
    the two networks' probabilities (``refit``).

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
    epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int, default=32
        Mini-batch size (capped at the number of training samples).
    learning_rate : float, default=1e-3
        Adam's step size.
    weight_decay : float, default=1e-4
        Decoupled weight decay of the kernels (AdamW; biases are not decayed).
    dropout : float or "auto", default="auto"
        Fraction of the input units of every dense layer (the classifier's
        included) dropped at each training step. 0 disables dropout.
        ``"auto"`` is 0.2 for texts (``embedding_modules``) and 0 for numeric
        ``X`` (:data:`skfti.child_recipe.AUTO_DROPOUT`): on numeric data
        dropout cost 1.5-1.7 points of accuracy (docs/results.md).
    n_iter_no_change : int or None, default=10
        Stop when the validation loss has not improved for this many epochs
        and restore the weights of the best epoch. ``None`` trains ``epochs``
        epochs (as does having no validation data).
    tol : float, default=1e-4
        An epoch counts as an improvement for ``n_iter_no_change`` only if
        the validation loss falls more than ``tol`` below its best (as
        ``MLPClassifier``'s ``tol``). With 0, a network that fits its data
        perfectly keeps "improving" as its loss creeps towards zero and
        trains every epoch.
    validation_fraction : float or None, default=0.1
        Fraction of the training data held out (stratified when possible) for
        early stopping and ``history_["val_loss"]`` / ``["val_accuracy"]``.
        ``None`` or 0 trains on everything. Ignored when ``fit`` gets
        ``validation_data``.
    refit : {"average", True, False}, default="average"
        Once early stopping on the ``validation_fraction`` hold-out has chosen
        the number of epochs, train a fresh network on all the training data
        (hold-out included) for that long, scaled by the rows added
        (:func:`skfti.child_recipe.refit_epochs`). ``"average"`` predicts
        with the mean of the two networks' probabilities (the early-stopped
        one and the refitted one: no further training); ``True`` keeps the
        refitted network alone. Never applied
        with ``fit``'s ``validation_data``, nor without early stopping
        (``n_iter_no_change=None``): then the hold-out only fills
        ``history_``, and the network trained on the other rows is kept (set
        ``validation_fraction=None`` to train on every row).
    standardize : bool, default=True
        Standardize each input view with the mean and standard deviation of
        the training data (kept with the fitted network).
    fast_path : bool, default=True
        Compute only the choices of non-zero weight. A one-hot (discrete)
        encoding then trains as the plain network it describes, at a fraction
        of the cost; the function computed is the same (with ``dropout``, the
        masks of the smaller tensors differ, so training draws other masks).
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
        ``loss`` (mean training loss per epoch), ``val_loss`` and
        ``val_accuracy`` (when validating), ``time`` (seconds per epoch) and
        ``best_epoch`` (0-based index of the epoch whose weights are kept),
        of the early-stopped training; with ``refit``, ``refit_epochs`` too.
    n_iter_ : int
        Number of epochs run before the refit.
    input_scaling_ : list of (mean, scale) or None
        Per input view, the standardization of the training data (``None``
        without ``standardize``)
    weights_ : list of ndarray
        Trained kernels and biases, layer by layer (of the refitted network
        when there is one).
    early_stopped_weights_ : list of ndarray or None
        With ``refit="average"``, the early-stopped network's weights, whose
        probabilities are averaged with those of ``weights_``; else None.
    early_stopped_input_scaling_ : list of (mean, scale) or None
        That network's input standardization (of the rows it trained on).

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
    The paper trains children with Adam 1e-4 for 20 epochs, batch 32, no
    stopping rule, no dropout and raw inputs: ``RelaxedFFNNClassifier(
    epochs=20, learning_rate=1e-4, weight_decay=0, dropout=0,
    n_iter_no_change=None, tol=0, validation_fraction=None, refit=False,
    standardize=False)`` (:data:`skfti.child_recipe.PAPER_SETTINGS`). Those
    settings undertrain here; the defaults are the recipe measured in
    docs/results.md ("Child recipe").
    Runs on a GPU when TensorFlow sees one, else on the CPU.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skfti import ArchitectureEncoding, RelaxedFFNNClassifier, SearchSpace
    >>> X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    >>> space = SearchSpace(n_layers=2)
    >>> u = ArchitectureEncoding.random_one_hot(space, random_state=0)
    >>> clf = RelaxedFFNNClassifier(u, random_state=0)
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
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left"), None],
        "refit": ["boolean", StrOptions({"average"})],
        "standardize": ["boolean"],
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
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.validation_fraction = validation_fraction
        self.refit = refit
        self.standardize = standardize
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
        if not modules and not space.is_numeric:
            raise ValueError(
                f"The search space's views {space.views} name embedding modules, "
                "but embedding_modules is None: numeric X is the single view "
                "'input'. Pass embedding_modules with those names (and texts as "
                "X), or use a search space with views=('input',)."
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
        if reset:  # texts have no feature count: drop a numeric fit's
            for name in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(name, None)
        return check_text_samples(X, y)

    def _views(self, X, fit, used=None, fit_rows=None):
        """The input views of validated X: float32 arrays, None where unused.

        ``used`` flags the views to compute (default: those of non-zero weight
        in the trained architecture); an unused embedding is never computed.
        With ``fit``, view transformers are fitted on ``X[fit_rows]`` (default
        all of ``X``).
        """
        if not self.embedding_modules:
            return [np.asarray(X, dtype=np.float32)]
        modules = self.embedding_modules
        if used is None:
            kept = {v for v, _ in self._arch.views}
            used = [k in kept for k in range(len(modules))]
        if fit:
            rows = X if fit_rows is None else X[fit_rows]
            self._view_maps_ = fit_view_maps(modules, rows, used)
        return text_views(modules, self._view_maps_, X, used)

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
        if validation_data is not None:
            check_validation_pair(validation_data)
        self._label_encoder = LabelEncoder().fit(y)
        self.classes_ = self._label_encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                "RelaxedFFNNClassifier needs samples of at least 2 classes in the "
                f"data, but the data contain only one class: {self.classes_[0]!r}"
            )
        y_idx = self._label_encoder.transform(y)
        rng = check_random_state(self.random_state)
        arch = ChildArchitecture(
            encoding, self._view_dims(X), len(self.classes_), fast_path=self.fast_path
        )
        views, y_idx, val = self._training_views(X, y_idx, arch, rng, validation_data)

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
            weight_decay=self.weight_decay,
            dropout=resolve_dropout(self.dropout, text=bool(self.embedding_modules)),
            standardize=self.standardize,
            n_iter_no_change=self.n_iter_no_change if val is not None else None,
            tol=self.tol,
            # Refit on the held-out rows too, never on the user's validation_data.
            refit=self.refit if validation_data is None else False,
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
        *first, last = getattr(network, "networks", [network])  # refit="average"
        self.weights_ = last.get_weights()
        self.input_scaling_ = last.input_scaling
        self.early_stopped_weights_ = first[0].get_weights() if first else None
        self.early_stopped_input_scaling_ = first[0].input_scaling if first else None
        self._arch = arch
        self._network = network
        return self

    def _print_epoch(self, epoch, history):
        line = (
            f"Epoch {epoch + 1}/{self.epochs} - loss {history['loss'][-1]:.4f} - "
            f"{history['time'][-1]:.2f}s"
        )
        if "val_accuracy" in history:
            line += (
                f" - val_loss {history['val_loss'][-1]:.4f}"
                f" - val_accuracy {history['val_accuracy'][-1]:.4f}"
            )
        print(line)

    def _encode_known_labels(self, y):
        y = _check_y(y)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if len(unknown):
            raise ValueError(
                f"validation_data has labels not seen in y: {unknown.tolist()}"
            )
        return self._label_encoder.transform(y)

    def _view_dims(self, X):
        if self.embedding_modules:
            return [int(m.output_dim) for m in self.embedding_modules]
        return [X.shape[1]]

    def _training_views(self, X, y_idx, arch, rng, validation_data):
        """Training views and labels, and the validation pair (or None).

        Without ``validation_data``, ``validation_fraction`` of the samples
        are held out. Texts are embedded as a whole (one cache entry shared
        with any other model that embeds the same ``X``), then split; view
        transformers are fitted on the training rows only.
        """
        used = [k in {v for v, _ in arch.views} for k in range(len(arch.view_dims))]
        if validation_data is not None:
            X_val, y_val = validation_data
            X_val, _ = self._validate_X(X_val, reset=False)
            views = self._views(X, fit=True, used=used)
            val_views = self._views(X_val, fit=False, used=used)
            return views, y_idx, (val_views, self._encode_known_labels(y_val))
        split = holdout_split(y_idx, self.validation_fraction, rng)
        if split is None:
            return self._views(X, fit=True, used=used), y_idx, None
        train, held = split
        views = self._views(X, fit=True, used=used, fit_rows=train)
        return (
            [None if v is None else v[train] for v in views],
            y_idx[train],
            ([None if v is None else v[held] for v in views], y_idx[held]),
        )

    def _get_network(self):
        network = getattr(self, "_network", None)
        if network is None:
            from skfti.child_training import fitted_network

            first = getattr(self, "early_stopped_weights_", None)  # older pickles
            first_scaling = getattr(self, "early_stopped_input_scaling_", None)
            self._network = network = fitted_network(
                self._arch, [first, self.weights_], [first_scaling, self.input_scaling_]
            )
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
