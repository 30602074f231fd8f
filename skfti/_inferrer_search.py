"""What :meth:`~skfti.ArchitectureInferrer.suggest` asks of the search space.

How many distinct suggestions a search space can give; when two discrete
encodings are the same network (a switched-off layer's activation does not
count, nor where the switched-off layers sit, since a switched-off layer is
the identity), so that suggestions are distinct networks; the canonical
encoding of each network; and the candidate networks that a discrete search
scores. Nothing here imports TensorFlow.
"""

import itertools
import warnings
from numbers import Integral

import numpy as np

__all__ = [
    "canonical_rows",
    "check_n_suggestions",
    "compact_networks",
    "network_key",
    "suggestion_list",
]


def check_n_suggestions(n_suggestions, discretize, space, canonical=False):
    """``n_suggestions`` as an int, checked against the size of ``space``.

    Discrete suggestions are distinct networks: with ``canonical``, one per
    sequence of switched-on layers; otherwise one per choice of each
    position (a switched-off layer's activation does not count).
    """
    if (
        not isinstance(n_suggestions, Integral)
        or isinstance(n_suggestions, bool)
        or n_suggestions < 1
    ):
        raise ValueError(f"n_suggestions must be an int >= 1, got {n_suggestions!r}")
    if canonical:
        depths = range(space.n_layers + 1)
        n_discrete = space.n_views * sum(space.n_base**d for d in depths)
    else:
        n_discrete = space.n_views * (space.n_base + 1) ** space.n_layers
    if discretize and n_suggestions > n_discrete:
        raise ValueError(
            f"n_suggestions={n_suggestions} distinct discrete architectures "
            f"asked for, but the search space holds only {n_discrete}"
        )
    return int(n_suggestions)


def network_key(space):
    """Discrete encodings as networks: a switched-off layer's alpha dropped."""
    n_alpha = space.n_layers * space.n_base

    def key(U):
        U = U.copy()
        off = U[:, n_alpha + 1 : n_alpha + 2 * space.n_layers : 2] > 0.5
        alpha = U[:, :n_alpha].reshape(len(U), space.n_layers, space.n_base)
        alpha[off] = 0.0
        return U

    return key


def _layout(space):
    n_alpha = space.n_layers * space.n_base
    return n_alpha, n_alpha + 2 * space.n_layers


def _is_discrete(U, space):
    """Rows of ``U`` that are one-hot in every group."""
    from skfti.encoding import encoding_groups

    discrete = np.ones(len(U), dtype=bool)
    for a, b in encoding_groups(space):
        block = U[:, a:b]
        discrete &= np.all((block == 0.0) | (block == 1.0), axis=1)
        discrete &= block.sum(axis=1) == 1.0
    return discrete


def canonical_rows(U, space):
    """Each discrete row of ``U`` as its network's canonical encoding.

    A switched-off layer is the identity, so the networks of two discrete
    encodings are the same function when their switched-on layers are the
    same in the same order, wherever the switched-off ones sit. The
    canonical encoding puts the switched-on layers first and gives the
    switched-off ones the first base layer. Relaxed rows are returned as
    they are.

    Parameters
    ----------
    U : ndarray of shape (n, n_dims)
        Flat encodings of ``space``.
    space : SearchSpace
        Their search space.

    Returns
    -------
    canonical : ndarray of shape (n, n_dims)
        A new array.
    """
    U = np.array(U, dtype=np.float64)
    rows = np.flatnonzero(_is_discrete(U, space))
    n_alpha, n_gates = _layout(space)
    n_layers, n_base = space.n_layers, space.n_base
    on = U[rows, n_alpha:n_gates:2] == 1.0
    first = np.argsort(~on, axis=1, kind="stable")  # switched-on layers first
    alpha = U[rows, :n_alpha].reshape(len(rows), n_layers, n_base)
    alpha = np.take_along_axis(alpha, first[:, :, None], axis=1)
    on = np.take_along_axis(on, first, axis=1)
    alpha[~on] = np.eye(n_base)[0]
    U[rows, :n_alpha] = alpha.reshape(len(rows), n_alpha)
    U[rows, n_alpha:n_gates:2] = on
    U[rows, n_alpha + 1 : n_gates : 2] = ~on
    return U


def compact_networks(space, n_candidates, at_least=1):
    """Canonical encodings of every network of ``space`` up to a depth, shallow first.

    Every network with up to ``d`` switched-on layers (every view, every
    sequence of base layers), for the largest ``d`` whose networks number at
    most ``n_candidates``, or the smallest whose networks number at least
    ``at_least`` (the networks without a hidden layer, one per view, at
    least).

    Returns
    -------
    U : ndarray of shape (m, n_dims)
    """
    blocks, count = [], 0
    for depth in range(space.n_layers + 1):
        n_new = space.n_views * space.n_base**depth
        if count >= at_least and count + n_new > n_candidates:
            break
        blocks.append(_networks_of_depth(space, depth))
        count += n_new
    return np.concatenate(blocks)


def _networks_of_depth(space, depth):
    """Canonical encodings of every view and sequence of ``depth`` base layers.

    The switched-on layers first, the switched-off ones with the first base
    layer as their (unused) choice, as :func:`canonical_rows` writes them.
    """
    n_alpha, n_gates = _layout(space)
    sequences = np.array(
        list(itertools.product(range(space.n_base), repeat=depth)), dtype=np.intp
    ).reshape(space.n_base**depth, depth)
    n_seq = len(sequences)
    U = np.zeros((space.n_views * n_seq, space.n_dims))
    rows = np.arange(len(U))
    for j in range(space.n_layers):
        choice = sequences[:, j] if j < depth else np.zeros(n_seq, dtype=np.intp)
        U[rows, j * space.n_base + np.tile(choice, space.n_views)] = 1.0
        U[:, n_alpha + 2 * j + (0 if j < depth else 1)] = 1.0
    U[rows, n_gates + np.repeat(np.arange(space.n_views), n_seq)] = 1.0
    return U


def search_encodings(inferrer, z, k, discretize):
    """The inferrer's ``k`` best encodings for a task with meta-features ``z``.

    Discrete suggestions with ``discrete_search="candidates"`` score the
    networks of :func:`compact_networks` and keep the ``k`` best; otherwise
    Algorithm 2 (gradient ascent on the logits, then, with ``discretize``,
    the argmax of each group, scored again). With ``canonical_encodings``,
    discrete results are canonical and distinct as networks. Warns (as
    :meth:`~skfti.ArchitectureInferrer.suggest`) when fewer than ``k``
    distinct encodings were found.

    Returns
    -------
    U : ndarray of shape (m, n_dims), m <= k
    values : ndarray of shape (m,)
    """
    from skfti.encoding import encoding_groups
    from skfti.value_network_numpy import search_maxima

    space = inferrer.search_space_
    net = inferrer._numpy_network()
    canonical = inferrer.canonical_encodings
    if discretize and inferrer.discrete_search == "candidates":
        U = _candidates(inferrer, k)
        values = net.value(U, z)
        top = np.argsort(-values, kind="stable")[:k]
        return _warn_if_short(U[top], values[top], k)

    def key(U):
        return canonical_rows(U, space)

    U, values = search_maxima(
        net,
        z,
        encoding_groups(space),
        k=k,
        n_starts=max(inferrer.n_starting_points, k),
        max_iter=inferrer.max_iter,
        step_size=inferrer.step_size,
        init_scale=inferrer.init_scale,
        discretize=discretize,
        random_state=inferrer.random_state,
        key=(key if canonical else network_key(space)) if discretize else None,
    )
    if discretize and canonical:
        U = canonical_rows(U, space)
        values = net.value(U, z)
        order = np.argsort(-values, kind="stable")
        U, values = U[order], values[order]
    return _warn_if_short(U, values, k)


def _candidates(inferrer, at_least):
    """:func:`compact_networks` of the inferrer, kept while they stay the same."""
    key = (inferrer.n_discrete_candidates, at_least)
    kept = getattr(inferrer, "_candidates", None)
    if kept is None or kept[0] != key:
        kept = (key, compact_networks(inferrer.search_space_, *key))
        inferrer._candidates = kept
    return kept[1]


def _warn_if_short(U, values, k):
    if len(U) < k:
        warnings.warn(
            f"suggest found only {len(U)} distinct encodings of the {k} asked "
            f"for; returning {len(U)}",
            UserWarning,
            stacklevel=4,
        )
    return U, values


def suggestion_list(inferrer, X, y, n_suggestions, *, discretize=True):
    """``inferrer.suggest``'s favourites as a list, and their values as floats.

    ``suggest`` returns one encoding for ``n_suggestions=1``, a list
    otherwise; the classifier and the command line want a list either way.

    Returns
    -------
    encodings : list of ArchitectureEncoding
        Best first.
    values : ndarray of shape (n_suggestions,), dtype float64
    """
    encodings, values = inferrer.suggest(
        X, y, n_suggestions=n_suggestions, discretize=discretize, return_values=True
    )
    if not isinstance(encodings, list):
        encodings, values = [encodings], [values]
    return encodings, np.atleast_1d(np.asarray(values, dtype=np.float64))
