"""The fitted value network v(u, z) in NumPy: inference without TensorFlow.

Training (Algorithm 1) runs on TensorFlow in :mod:`skfti.value_network`; a
fitted network is a list of arrays, and everything a fitted
:class:`~skfti.ArchitectureInferrer` does afterwards runs here, in float64:

- the task tower ``phi`` (the learned meta-features of a task's samples);
- the prediction tower ``rho`` (the forward pass of v);
- Algorithm 2, gradient ascent on the encoding's logits through the grouped
  softmax, with the backward pass through ``rho`` and the softmax written
  out by hand. All starting points move together as one matrix.

So loading a fitted inferrer and calling ``suggest`` never imports
TensorFlow. The weights' layout is the one of
:class:`skfti.value_network.ValueNetwork`.
"""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["NumpyValueNetwork", "grouped_softmax", "search_maxima"]

_DISTINCT_ATOL = 1e-3  # relaxed encodings closer than this are one suggestion


def _group_index(groups, n_dims):
    """Start column of each group and group id of each column."""
    starts = np.array([a for a, _ in groups], dtype=np.intp)
    sizes = np.array([b - a for a, b in groups], dtype=np.intp)
    if starts[0] != 0 or np.any(sizes < 1) or starts[-1] + sizes[-1] != n_dims:
        raise ValueError("groups must cover the encoding's columns contiguously")
    if np.any(starts[1:] != starts[:-1] + sizes[:-1]):
        raise ValueError("groups must cover the encoding's columns contiguously")
    return starts, np.repeat(np.arange(len(groups)), sizes)


def grouped_softmax(logits, groups):
    """Softmax of each ``(start, stop)`` column group of ``logits`` (rows apart).

    Parameters
    ----------
    logits : ndarray of shape (n, n_dims)
    groups : list of (int, int)
        Contiguous column ranges covering every column, e.g.
        :func:`skfti.encoding.encoding_groups`.

    Returns
    -------
    weights : ndarray of shape (n, n_dims)
    """
    logits = np.atleast_2d(np.asarray(logits, dtype=np.float64))
    starts, gid = _group_index(groups, logits.shape[1])
    e = np.exp(logits - np.maximum.reduceat(logits, starts, axis=1)[:, gid])
    return e / np.add.reduceat(e, starts, axis=1)[:, gid]


def _check_dense_chain(arrays, tower, *, n_in=None, n_out=None):
    """``W, b`` pairs of dense layers: finite, of shapes that chain."""
    problem = None
    for k in range(0, len(arrays), 2):
        w, b = arrays[k], arrays[k + 1]
        if w.ndim != 2 or b.ndim != 1 or len(b) != w.shape[1]:
            problem = f"layer {k // 2} has weights {w.shape} and bias {b.shape}"
        elif k == 0 and n_in is not None and w.shape[0] != n_in:
            problem = f"its input is {w.shape[0]} wide, not {n_in}"
        elif k > 0 and tower == "rho" and w.shape[0] != arrays[k - 2].shape[1]:
            problem = f"layer {k // 2} does not take layer {k // 2 - 1}'s output"
        elif not (np.isfinite(w).all() and np.isfinite(b).all()):
            problem = f"layer {k // 2} holds NaN or infinity"
        if problem:
            break
    if problem is None and n_out is not None and arrays[-2].shape[1] != n_out:
        problem = f"its output is {arrays[-2].shape[1]} wide, not {n_out}"
    if problem:
        raise ValueError(
            f"The value network's weights do not match its shape: {tower} {problem}"
        )


class NumpyValueNetwork:
    """Forward pass, task embedding and Algorithm 2 of a fitted value network.

    Parameters
    ----------
    weights : list of ndarray
        The weights of :class:`skfti.value_network.ValueNetwork`: with learned
        meta-features, ``phi``'s ``W1, b1, W2, b2`` first; then ``rho``'s
        dense layers, each ``W, b``, the last one linear with one output.
    n_dims : int
        Length of a flat encoding.
    learned : bool
        Whether the first four arrays are the task tower ``phi``.
    n_meta : int
        Number of precomputed meta-features.
    """

    def __init__(self, weights, n_dims, learned, n_meta):
        weights = [np.asarray(w, dtype=np.float64) for w in weights]
        self.n_dims = int(n_dims)
        self.learned = bool(learned)
        self.n_meta = int(n_meta)
        self.phi = weights[:4] if self.learned else []
        rho = weights[4:] if self.learned else weights
        if len(rho) < 2 or len(rho) % 2 or (self.learned and len(self.phi) < 4):
            raise ValueError("The value network's weights do not match its shape")
        z_dim = self.n_meta
        if self.learned:
            _check_dense_chain(self.phi, "phi")
            if self.phi[2].shape[0] != 2 * self.phi[0].shape[1]:
                raise ValueError("The value network's weights do not match its shape")
            z_dim += self.phi[2].shape[1]
        _check_dense_chain(rho, "rho", n_in=self.n_dims + z_dim, n_out=1)
        self.layers = [(rho[i], rho[i + 1]) for i in range(0, len(rho) - 2, 2)]
        self.w_out, self.b_out = rho[-2][:, 0], float(rho[-1][0])

    # -- the task tower --------------------------------------------------------
    def task_embedding(self, x, y, n_classes):
        """Learned meta-features of samples ``x`` with class indices ``y``."""
        w1, b1, w2, b2 = self.phi
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.intp)
        h = np.maximum(x @ w1 + b1, 0.0)
        one_hot = np.zeros((len(y), int(n_classes)))
        one_hot[np.arange(len(y)), y] = 1.0
        counts = np.maximum(one_hot.sum(0), 1.0)
        centers = (one_hot.T @ h / counts[:, None])[y]
        g = np.maximum(np.hstack([h, h - centers]) @ w2 + b2, 0.0)
        return g.mean(axis=0)

    def meta(self, x, y, n_classes, meta):
        """The z of a task: learned and/or precomputed parts, or None."""
        parts = []
        if self.learned:
            parts.append(self.task_embedding(x, y, n_classes))
        if self.n_meta:
            parts.append(np.asarray(meta, dtype=np.float64))
        return np.concatenate(parts) if parts else None

    # -- the prediction tower ------------------------------------------------
    def _first_layer(self, z):
        """The first dense layer split into its ``u`` part and a z-dependent bias."""
        w, b = self.layers[0] if self.layers else (self.w_out[:, None], self.b_out)
        bias = (
            b if z is None else b + np.asarray(z, dtype=np.float64) @ w[self.n_dims :]
        )
        return w[: self.n_dims], bias

    def value(self, u, z):
        """Predicted normalized accuracy of encodings ``u`` (n, n_dims) given ``z``."""
        u = np.atleast_2d(np.asarray(u, dtype=np.float64))
        if not self.layers:
            w, bias = self._first_layer(z)
            return (u @ w + bias)[:, 0]
        w, bias = self._first_layer(z)
        h = np.maximum(u @ w + bias, 0.0)
        for w, b in self.layers[1:]:
            h = np.maximum(h @ w + b, 0.0)
        return h @ self.w_out + self.b_out

    def value_and_gradient(self, logits, z, groups):
        """v of ``grouped_softmax(logits)`` and its gradient w.r.t. the logits.

        Returns ``(values, gradient, u)`` with shapes ``(n,)``, ``(n, n_dims)``
        and ``(n, n_dims)``.
        """
        step = _AscentStep(self, z, groups, np.shape(logits)[1])
        return step(np.atleast_2d(np.asarray(logits, dtype=np.float64)))

    # -- Algorithm 2 -------------------------------------------------------------
    def gradient_ascent(self, z, logits, groups, *, max_iter, step_size):
        """Gradient ascent on encoding logits, every starting point at once.

        Parameters
        ----------
        z : ndarray or None
            The task's meta-features.
        logits : ndarray of shape (n_starting_points, n_dims)
            Starting logits.
        groups : list of (int, int)
            The softmax groups of the encoding.
        max_iter : int
            Steps.
        step_size : float
            Step on the logits.

        Returns
        -------
        u : ndarray of shape (n_starting_points, n_dims)
            Final encodings (softmax weights).
        values : ndarray of shape (n_starting_points,)
            Their predicted values.
        """
        lg = np.array(logits, dtype=np.float64)
        step = _AscentStep(self, z, groups, lg.shape[1])
        for _ in range(int(max_iter)):
            lg += step_size * step.gradient(lg)
        u = grouped_softmax(lg, groups)
        return u, self.value(u, z)


class _AscentStep:
    """One forward and backward pass, with what does not depend on u hoisted."""

    def __init__(self, net, z, groups, n_dims):
        self.net = net
        self.starts, self.gid = _group_index(groups, n_dims)
        self.w1, self.bias1 = net._first_layer(z)
        self.w1_t = np.ascontiguousarray(self.w1.T)
        self.rest = [(w, b, np.ascontiguousarray(w.T)) for w, b in net.layers[1:]]
        self.linear = not net.layers

    def _softmax(self, lg):
        starts, gid = self.starts, self.gid
        e = np.exp(lg - np.maximum.reduceat(lg, starts, axis=1)[:, gid])
        return e / np.add.reduceat(e, starts, axis=1)[:, gid]

    def _backward(self, u):
        """``(values, dv/du)`` of encodings ``u`` by hand-written backprop."""
        if self.linear:
            values = (u @ self.w1 + self.bias1)[:, 0]
            return values, np.broadcast_to(self.w1[:, 0], u.shape)
        pre = [u @ self.w1 + self.bias1]
        h = np.maximum(pre[0], 0.0)
        for w, b, _ in self.rest:
            pre.append(h @ w + b)
            h = np.maximum(pre[-1], 0.0)
        values = h @ self.net.w_out + self.net.b_out
        grad = np.where(pre[-1] > 0.0, self.net.w_out, 0.0)
        for (_, _, w_t), a in zip(self.rest[::-1], pre[-2::-1], strict=True):
            grad = np.where(a > 0.0, grad @ w_t, 0.0)
        return values, grad @ self.w1_t

    def __call__(self, lg):
        """``(values, dv/dlogits, u)``: backprop through the grouped softmax."""
        u = self._softmax(lg)
        values, grad_u = self._backward(u)
        ug = u * grad_u
        grad = ug - u * np.add.reduceat(ug, self.starts, axis=1)[:, self.gid]
        return values, grad, u

    def gradient(self, lg):
        return self(lg)[1]


def _discretize_rows(U, groups):
    """The argmax one-hot of each group of each row."""
    out = np.zeros_like(U)
    rows = np.arange(len(U))
    for a, b in groups:
        out[rows, a + U[:, a:b].argmax(1)] = 1.0
    return out


def _one_choice_away(U, groups):
    """Every discrete encoding one group's choice away from a row of ``U``."""
    out = []
    for a, b in groups:
        for j in range(a, b):
            moved = U.copy()
            moved[:, a:b] = 0.0
            moved[:, j] = 1.0
            out.append(moved[U[:, j] == 0.0])
    return np.concatenate(out)


def _distinct(U, values, k, key=None):
    """Indices of up to ``k`` distinct rows of ``U``, highest value first."""
    kept = []
    U = U if key is None else key(U)
    for i in np.argsort(-values, kind="stable"):
        if all(np.max(np.abs(U[i] - U[j])) > _DISTINCT_ATOL for j in kept):
            kept.append(i)
            if len(kept) == k:
                break
    return np.array(kept, dtype=np.intp)


def search_maxima(
    net,
    z,
    groups,
    *,
    k,
    n_starts,
    max_iter,
    step_size,
    init_scale,
    discretize,
    random_state,
    key=None,
    max_rounds=4,
):
    """Up to ``k`` distinct maxima of v found by Algorithm 2, best first.

    The first round starts from the uniform encoding and ``n_starts - 1``
    random logits (standard deviation ``init_scale``). While fewer than ``k``
    distinct encodings (differing by more than 1e-3 in a weight, or as
    discrete architectures when ``discretize``) are found, a new round draws
    ``n_starts`` starts twice as spread, up to ``max_rounds`` rounds; then,
    with ``discretize``, the discrete architectures one choice away from
    those found are scored too. ``key`` maps encodings to the rows compared
    for distinctness (e.g. one row per network, whatever the weights of a
    switched-off layer).

    Returns
    -------
    U : ndarray of shape (m, n_dims), m <= k
        The encodings, highest predicted value first.
    values : ndarray of shape (m,)
        Their predicted values.
    """
    rng = check_random_state(random_state)
    n_dims = groups[-1][1]
    found, found_values = np.zeros((0, n_dims)), np.zeros(0)
    scale = init_scale
    for round_ in range(max_rounds):
        logits = rng.normal(0.0, scale, (n_starts, n_dims))
        if round_ == 0:
            logits[0] = 0.0  # the uniform encoding is always one start
        U, values = net.gradient_ascent(
            z, logits, groups, max_iter=max_iter, step_size=step_size
        )
        if discretize:
            U = _discretize_rows(U, groups)
            values = net.value(U, z)
        found = np.concatenate([found, U])
        found_values = np.concatenate([found_values, values])
        keep = _distinct(found, found_values, k, key)
        if len(keep) == k:
            return found[keep], found_values[keep]
        scale = 2.0 * scale if scale > 0 else 1.0  # more diverse starts
    if discretize:
        near = _one_choice_away(found[keep], groups)
        found = np.concatenate([found, near])
        found_values = np.concatenate([found_values, net.value(near, z)])
        keep = _distinct(found, found_values, k, key)
    return found[keep], found_values[keep]
