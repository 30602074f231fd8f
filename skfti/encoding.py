"""Architecture encodings u = {alpha, beta, gamma} of a search space."""

import json
from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from skfti.search_space import SearchSpace

__all__ = ["ArchitectureEncoding", "check_encoding_matrix", "encoding_groups"]

_SIMPLEX_ATOL = 1e-4


def _check_group_weights(name, values, shape):
    values = np.asarray(values, dtype=np.float64)
    if values.shape != shape:
        raise ValueError(
            f"{name} has shape {values.shape}, but the search space needs {shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(values < -_SIMPLEX_ATOL):
        raise ValueError(
            f"{name} must hold mixture weights (>= 0); got a minimum of "
            f"{values.min():.4g}. Use ArchitectureEncoding.from_logits for logits."
        )
    sums = values.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=_SIMPLEX_ATOL * values.shape[-1]):
        raise ValueError(
            f"each row of {name} must sum to 1 (softmax weights); got sums "
            f"{np.round(np.atleast_1d(sums), 4).tolist()}. "
            "Use ArchitectureEncoding.from_logits for logits."
        )
    values = np.clip(values, 0.0, None)
    sums = values.sum(axis=-1, keepdims=True)
    if np.any(np.abs(sums - 1.0) > 1e-9):  # only renormalise what needs it, so
        values = values / sums  # that vector and JSON round trips are exact
    return values


def _softmax(logits):
    logits = np.asarray(logits, dtype=np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def _one_hot(indices, n):
    out = np.zeros((len(indices), n))
    out[np.arange(len(indices)), indices] = 1.0
    return out


class ArchitectureEncoding:
    """The encoding u of one child architecture in a :class:`SearchSpace`.

    The encoding holds the softmax weights of Eq. 4 of the paper, one group
    per choice, each group non-negative and summing to one:

    - ``alpha``, shape ``(n_layers, n_base)``: the mix of base layers of each
      parametrized layer;
    - ``beta``, shape ``(n_layers, 2)``: the gate of each layer, column 0 for
      "on" and column 1 for "off" (the input passed through);
    - ``gamma``, shape ``(n_views,)``: the mix of input views.

    A one-hot encoding (every group a unit vector) is a discrete
    architecture; anything in between is a relaxed one. Search runs on
    unconstrained logits (:meth:`from_logits`) mapped through the softmax.

    Parameters
    ----------
    search_space : SearchSpace
        The space the encoding belongs to.
    alpha, beta, gamma : array-like
        Mixture weights with the shapes above.

    See Also
    --------
    SearchSpace : The family of child networks.
    RelaxedFFNNClassifier : Trains the child network an encoding describes.

    Examples
    --------
    >>> from skfti import ArchitectureEncoding, SearchSpace
    >>> space = SearchSpace(n_layers=3, widths=(8, 64))
    >>> u = ArchitectureEncoding.random_one_hot(space, random_state=0)
    >>> u.is_discrete
    True
    >>> ArchitectureEncoding.from_vector(space, u.to_vector()) == u
    True
    """

    def __init__(self, search_space, alpha, beta, gamma):
        if not isinstance(search_space, SearchSpace):
            raise TypeError(
                f"search_space must be a SearchSpace, got {type(search_space).__name__}"
            )
        s = search_space
        self.search_space = s
        self.alpha = _check_group_weights("alpha", alpha, (s.n_layers, s.n_base))
        self.beta = _check_group_weights("beta", beta, (s.n_layers, 2))
        self.gamma = _check_group_weights("gamma", gamma, (s.n_views,))

    # -- constructors -----------------------------------------------------
    @classmethod
    def from_logits(cls, search_space, alpha, beta, gamma):
        """Encoding whose weights are the softmax of the given logits."""
        return cls(search_space, _softmax(alpha), _softmax(beta), _softmax(gamma))

    @classmethod
    def uniform(cls, search_space):
        """The encoding that weighs every choice equally."""
        s = search_space
        return cls(
            s,
            np.full((s.n_layers, s.n_base), 1.0 / s.n_base),
            np.full((s.n_layers, 2), 0.5),
            np.full(s.n_views, 1.0 / s.n_views),
        )

    @classmethod
    def random_one_hot(cls, search_space, random_state=None, *, n_active=None):
        """A random discrete architecture, as the paper's population.

        Each base layer and view is drawn uniformly at random. With
        ``n_active=None`` each gate is on or off with probability 1/2 (the
        paper's sampling: the depth is binomial, 3 or 4 of 7 layers in 55%
        of draws); with an int, exactly that many layers, at positions drawn
        at random, are on.
        """
        rng = check_random_state(random_state)
        s = search_space
        alpha = _one_hot(rng.randint(s.n_base, size=s.n_layers), s.n_base)
        if n_active is None:
            gates = rng.randint(2, size=s.n_layers)  # column 0 is "on"
        else:
            if not 0 <= n_active <= s.n_layers:
                raise ValueError(
                    f"n_active must be in [0, {s.n_layers}], got {n_active!r}"
                )
            gates = np.ones(s.n_layers, dtype=int)
            gates[rng.choice(s.n_layers, size=n_active, replace=False)] = 0
        beta = _one_hot(gates, 2)
        gamma = _one_hot(rng.randint(s.n_views, size=1), s.n_views)[0]
        return cls(s, alpha, beta, gamma)

    @classmethod
    def random_relaxed(cls, search_space, random_state=None, concentration=1.0):
        """A random relaxed encoding, each group drawn from a Dirichlet.

        A small ``concentration`` gives nearly one-hot groups; where NumPy's
        draw underflows to 0/0 (about 5% of groups at 0.005), the group is
        one-hot at a uniformly drawn place, the limit of the Dirichlet.
        """
        if (
            isinstance(concentration, bool)
            or not isinstance(concentration, Real)
            or not 0 < concentration < np.inf
        ):
            raise ValueError(
                f"concentration must be a number > 0, got {concentration!r}"
            )
        rng = check_random_state(random_state)
        s = search_space

        def draw(*shape):
            weights = rng.dirichlet(
                np.full(shape[-1], concentration), size=shape[:-1] or None
            )
            flat = np.atleast_2d(weights)
            for row in np.flatnonzero(~np.isfinite(flat).all(axis=1)):
                flat[row] = 0.0
                flat[row, rng.randint(shape[-1])] = 1.0
            return flat.reshape(weights.shape)

        alpha = draw(s.n_layers, s.n_base)
        beta = draw(s.n_layers, 2)
        gamma = draw(s.n_views)
        return cls(s, alpha, beta, gamma)

    # -- flat vectors and JSON ------------------------------------------------
    def to_vector(self):
        """Flat ``float64`` vector ``[alpha.ravel(), beta.ravel(), gamma]``."""
        return np.concatenate([self.alpha.ravel(), self.beta.ravel(), self.gamma])

    @classmethod
    def from_vector(cls, search_space, vector):
        """Inverse of :meth:`to_vector`.

        Raises
        ------
        ValueError
            If the vector's length is not ``search_space.n_dims`` (it belongs
            to another search space) or a group is not a set of mixture weights.
        """
        s = search_space
        vector = np.asarray(vector, dtype=np.float64)
        if vector.ndim != 1 or vector.shape[0] != s.n_dims:
            raise ValueError(
                f"An encoding vector of this search space has {s.n_dims} entries "
                f"({s.n_layers} layers x {s.n_base} base layers, {s.n_layers} gates "
                f"x 2, {s.n_views} views); got shape {vector.shape}. The vector "
                "belongs to another search space."
            )
        n_alpha = s.n_layers * s.n_base
        alpha = vector[:n_alpha].reshape(s.n_layers, s.n_base)
        beta = vector[n_alpha : n_alpha + 2 * s.n_layers].reshape(s.n_layers, 2)
        gamma = vector[n_alpha + 2 * s.n_layers :]
        return cls(s, alpha, beta, gamma)

    def to_json(self):
        """JSON text holding the search space and the weights."""
        return json.dumps(
            {
                "search_space": self.search_space.to_dict(),
                "alpha": self.alpha.tolist(),
                "beta": self.beta.tolist(),
                "gamma": self.gamma.tolist(),
            }
        )

    @classmethod
    def from_json(cls, text, search_space=None):
        """Inverse of :meth:`to_json`.

        Parameters
        ----------
        text : str
            Output of :meth:`to_json`.
        search_space : SearchSpace, default=None
            If given, the JSON must describe this space, else ``ValueError``.
        """
        try:
            data = json.loads(text)
            stored = SearchSpace.from_dict(data["search_space"])
            weights = data["alpha"], data["beta"], data["gamma"]
        except (TypeError, KeyError, json.JSONDecodeError) as exc:
            raise ValueError(
                f"Not an ArchitectureEncoding JSON document: {exc}"
            ) from exc
        if search_space is not None and stored != search_space:
            raise ValueError(
                f"The encoding belongs to another search space: {stored} "
                f"(fingerprint {stored.fingerprint()}), expected {search_space} "
                f"(fingerprint {search_space.fingerprint()})"
            )
        return cls(stored, *weights)

    # -- views of the architecture ------------------------------------------
    @property
    def is_discrete(self):
        """Whether every group is one-hot (a single discrete architecture)."""
        return all(
            np.all((g == 0.0) | (g == 1.0)) for g in (self.alpha, self.beta, self.gamma)
        )

    def discretize(self):
        """The nearest discrete architecture: the argmax of each group."""
        s = self.search_space
        alpha = _one_hot(self.alpha.argmax(axis=1), s.n_base)
        beta = _one_hot(self.beta.argmax(axis=1), 2)
        gamma = _one_hot([self.gamma.argmax()], s.n_views)[0]
        return ArchitectureEncoding(s, alpha, beta, gamma)

    def describe(self):
        """Readable summary of the most likely architecture.

        Layers are written ``activation-width``, a switched-off layer ``off``;
        relaxed encodings add the weight of each choice in brackets.

        Examples
        --------
        >>> from skfti import ArchitectureEncoding, SearchSpace
        >>> space = SearchSpace(n_layers=2, widths=(8, 64), views=("glove50", "use"))
        >>> u = ArchitectureEncoding.random_one_hot(space, random_state=1)
        >>> u.describe()
        'use | tanh-8 | tanh-64'
        """
        s = self.search_space
        exact = self.is_discrete

        def tag(name, weight):
            return name if exact else f"{name} ({weight:.2f})"

        v = int(self.gamma.argmax())
        parts = [tag(s.views[v], self.gamma[v])]
        for j in range(s.n_layers):
            if self.beta[j, 1] > self.beta[j, 0]:
                parts.append(tag("off", self.beta[j, 1]))
            else:
                i = int(self.alpha[j].argmax())
                parts.append(
                    tag(s.base_layer_name(i), self.alpha[j, i] * self.beta[j, 0])
                )
        return " | ".join(parts)

    def __eq__(self, other):
        if not isinstance(other, ArchitectureEncoding):
            return NotImplemented
        return self.search_space == other.search_space and np.array_equal(
            self.to_vector(), other.to_vector()
        )

    __hash__ = None

    def __repr__(self):
        return f"ArchitectureEncoding({self.describe()!r})"


def encoding_groups(space):
    """Column ranges of the softmax groups of a flat encoding of ``space``.

    Parameters
    ----------
    space : SearchSpace
        The search space.

    Returns
    -------
    groups : list of (int, int)
        ``(start, stop)`` of each group, in the order of
        :meth:`ArchitectureEncoding.to_vector`: one ``alpha`` group per layer,
        one ``beta`` gate per layer, then ``gamma``.

    Examples
    --------
    >>> from skfti import SearchSpace
    >>> from skfti.encoding import encoding_groups
    >>> encoding_groups(SearchSpace(n_layers=2, widths=(8,), activations=("relu",)))
    [(0, 1), (1, 2), (2, 4), (4, 6), (6, 7)]
    """
    groups, start = [], 0
    for width in [space.n_base] * space.n_layers + [2] * space.n_layers:
        groups.append((start, start + width))
        start += width
    groups.append((start, start + space.n_views))
    return groups


def check_encoding_matrix(space, encodings, where):
    """Validate a block of encodings of ``space`` as one float64 matrix.

    Parameters
    ----------
    space : SearchSpace
        The space the encodings must belong to.
    encodings : array-like of shape (n_encodings, n_dims) or list of \
            ArchitectureEncoding
        Flat encoding vectors or encoding objects; one
        ``ArchitectureEncoding`` is a block of one.
    where : str
        Prefix of the error messages (e.g. ``"predict"``).

    Returns
    -------
    U : ndarray of shape (n_encodings, n_dims)

    Raises
    ------
    ValueError
        One message per failure: an encoding of another search space (its
        fingerprint or its length differs), NaN or infinity, negative
        weights, or a group whose weights do not sum to 1.
    """
    if isinstance(encodings, ArchitectureEncoding):
        encodings = [encodings]  # one encoding, as suggest() returns it
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
    if U.ndim == 1 and U.shape[0] == space.n_dims:
        raise ValueError(
            f"{where}: expected a 2-D array of encodings (n_encodings, "
            f"{space.n_dims}), got one vector of shape {U.shape}; pass "
            "vector.reshape(1, -1) for a single encoding"
        )
    if U.ndim != 2 or U.shape[1] != space.n_dims:
        raise ValueError(
            f"{where}: encodings of this search space are vectors of {space.n_dims} "
            f"entries, got an array of shape {U.shape}: they belong to another "
            "search space"
        )
    if not np.all(np.isfinite(U)):
        raise ValueError(f"{where}: encodings contain NaN or infinity")
    if np.any(U < -_SIMPLEX_ATOL):
        row, col = np.unravel_index(np.argmin(U), U.shape)
        raise ValueError(
            f"{where}: encodings hold mixture weights (>= 0), but encoding {row} "
            f"has the negative weight {U[row, col]:.4g} at entry {col}; pass "
            "softmax weights, not logits (ArchitectureEncoding.from_logits)"
        )
    for a, b in encoding_groups(space):
        sums = U[:, a:b].sum(1)
        bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-3)
        if len(bad):
            raise ValueError(
                f"{where}: the weights of entries {a}..{b - 1} of encoding {bad[0]} "
                f"sum to {sums[bad[0]]:.4g}, not 1: not mixture weights of this "
                "search space (an encoding of another space with as many entries?)"
            )
    return U
