"""TensorFlow graphs of a child network: forward pass, training epoch, prediction.

The forward pass follows Eq. 4 of the paper with the base layers of a
parametrized layer fused into one matmul. Weights, Adam's moments and the
mixing weights (alpha, beta, gamma) are arguments of the graphs, not
captured, so one traced graph serves every network of a structure
(:meth:`ChildArchitecture.structure_key`): all relaxed children of a search
space share one, whatever their encodings. A whole epoch runs as one
in-graph loop; XLA never compiles the loop itself (its CPU loops are slow),
only, when asked, the step inside it. A small LRU cache keeps recent graphs,
so a long population run does not grow without bound. Used by
:mod:`skfti.child_training`.
"""

import functools
from collections import OrderedDict
from typing import NamedTuple

from skfti._adam import apply_adam
from skfti._tf import import_tensorflow

tf = import_tensorflow()

_ACTIVATIONS = {
    "relu": tf.nn.relu,
    "tanh": tf.tanh,
    "sigmoid": tf.sigmoid,
    "elu": tf.nn.elu,
    "selu": tf.nn.selu,
    "gelu": tf.nn.gelu,
    "linear": tf.identity,
}
_CACHE_SIZE = 16
_GRAPHS = OrderedDict()


class StepOptions(NamedTuple):
    """What a training step's graph is built with (hashable, a cache key)."""

    dropout: object  # a rate, or (first layer's input rate, other layers' rate)
    ema: float
    label_smoothing: float
    mixup_alpha: float


def cached(key, build):
    """LRU cache of compiled graphs, keyed by structure."""
    if key in _GRAPHS:
        _GRAPHS.move_to_end(key)
        return _GRAPHS[key]
    fn = _GRAPHS[key] = build()
    while len(_GRAPHS) > _CACHE_SIZE:
        _GRAPHS.popitem(last=False)
    return fn


def _forward(structure, params, mix, views, dropout=None):
    """Logits of the network ``structure`` (see ``structure_key``).

    With ``dropout=(rate, seed)`` (training only), the input of every dense
    layer, the classifier's included, is dropped out at ``rate``
    (stateless: ``seed`` is a ``[2]`` int32 tensor, one per mini-batch);
    ``rate`` may be a pair, the first layer's input rate and the others'.
    """
    view_spec, mixed_views, in_width, layers, _ = structure

    def drop(x, k):
        if dropout is None:
            return x
        rate, seed = dropout
        if isinstance(rate, tuple):
            rate = rate[0] if k == 0 else rate[1]
        if not rate:
            return x
        return tf.nn.experimental.stateless_dropout(x, rate, seed + [0, k])

    if not mixed_views:
        x = views[view_spec[0][0]]
    else:
        x = tf.add_n(
            [
                mix[0][k] * _pad(views[v], in_width - dim)
                for k, (v, dim) in enumerate(view_spec)
            ]
        )
    for j, (bases, layer_in, layer_out, pass_through, mixed) in enumerate(layers):
        z = tf.matmul(drop(x, j), params[2 * j]) + params[2 * j + 1]
        blocks, start = [], 0
        for width, act in bases:  # contiguous blocks of one activation
            if blocks and blocks[-1][0] == act:
                blocks[-1][2] += width
            else:
                blocks.append([act, start, start + width])
            start += width
        if len(blocks) == 1:
            a = _ACTIVATIONS[blocks[0][0]](z)
        else:
            a = tf.concat([_ACTIVATIONS[f](z[:, s:e]) for f, s, e in blocks], 1)
        if not mixed:
            x = a
            continue
        a = a * mix[1 + 2 * j]
        terms, start = [], 0
        for width, _ in bases:
            terms.append(_pad(a[:, start : start + width], layer_out - width))
            start += width
        if pass_through:
            terms.append(mix[2 + 2 * j] * _pad(x, layer_out - layer_in))
        x = tf.add_n(terms) if len(terms) > 1 else terms[0]
    return tf.matmul(drop(x, len(layers)), params[-2]) + params[-1]


def _pad(x, n):
    """Zero-pad the feature axis of ``x`` by ``n`` columns on the right."""
    if n == 0:
        return x
    return tf.pad(x, [[0, 0], [0, n]])


def _train_step(structure, options, state, mix, views, y, lr, decay, seed, lam):
    """One AdamW step on one mini-batch; returns the loss.

    ``state`` is ``(params, m, v, t, averages)``, all ``tf.Variable``: the
    update is TensorFlow's fused ``ResourceApplyAdam`` kernel, in place (an
    unfused Adam doubled the step time here), then decoupled weight decay
    (Loshchilov and Hutter) of the kernels, ``w -= lr * decay * w``. The
    ``options`` (:class:`StepOptions`) are part of the graph; ``seed`` seeds
    the dropout masks, ``lam`` is mixup's weight. With ``options.ema`` the
    ``averages`` follow the weights as Keras' ``use_ema``: ``a = ema * a +
    (1 - ema) * w`` after each step, ``a = w`` after the first.
    """
    params, m, v, t, averages = state
    dropout, ema, smoothing, mixup = options
    with tf.GradientTape() as tape:
        if mixup:
            views, partner = _mixup(views, lam)
        masks = (dropout, seed) if any_rate(dropout) else None
        logits = _forward(structure, params, mix, views, masks)
        if not (smoothing or mixup):
            loss = tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits)
        else:
            k = logits.shape[-1]  # static: the classifier's width
            target = tf.one_hot(y, k) * (1 - smoothing) + smoothing / k
            if mixup:
                target = lam * target + (1.0 - lam) * tf.gather(target, partner)
            loss = tf.nn.softmax_cross_entropy_with_logits(target, logits)
        loss = tf.reduce_mean(loss)
    grads = tape.gradient(loss, params)
    apply_adam(params, m, v, grads, t, lr)
    for p in params:
        if len(p.shape) == 2:
            p.assign_sub(lr * decay * p)
    if ema:
        momentum = tf.where(t > 1.0, ema, 0.0)
        for a, p in zip(averages, params, strict=True):
            a.assign(momentum * a + (1.0 - momentum) * p)
    return loss


def any_rate(dropout):
    """Whether a rate (or a pair: first layer's input, others') drops."""
    return any(dropout) if isinstance(dropout, tuple) else bool(dropout)


def _mixup(views, lam):
    """Mixup (Zhang et al. 2018) of a mini-batch with itself reversed.

    Rows come shuffled, so reversing pairs each with a random other.
    """
    v = next(v for v in views if v is not None)
    partner = tf.reverse(tf.range(tf.shape(v)[0]), [0])
    mixed = [
        None if v is None else lam * v + (1.0 - lam) * tf.gather(v, partner)
        for v in views
    ]
    return mixed, partner


def _mixup_weight(alpha, seed):
    """``lam ~ Beta(alpha, alpha)`` per mini-batch (outside XLA: no CPU kernel)."""
    g = tf.random.stateless_gamma([2], seed + [1, 0], alpha=alpha)
    return g[0] / (g[0] + g[1])


def graph_epoch(structure, batch_size, jit_compile, options):
    """A whole epoch as one in-graph loop (never XLA-compiled as a whole).

    Variables are arguments, so the traced graph serves any network of the
    same structure without retracing. With ``jit_compile`` the step inside
    the loop is an XLA cluster. ``seed`` (an int32 per epoch) seeds the
    mini-batches' dropout masks and mixup draws.
    """
    step = functools.partial(_train_step, structure, options)
    alpha = options.mixup_alpha
    if jit_compile:
        step = tf.function(step, jit_compile=True)

    @tf.function(reduce_retracing=True)
    def run(state, mix, train, y, perm, lr, decay, seed):
        n = tf.shape(y)[0]
        n_batches = (n + batch_size - 1) // batch_size
        total = tf.constant(0.0)
        for b in tf.range(n_batches):
            idx = perm[b * batch_size : (b + 1) * batch_size]
            batch = [None if v is None else tf.gather(v, idx) for v in train]
            bs = tf.stack([seed, b])
            lam = _mixup_weight(alpha, bs) if alpha else tf.constant(1.0)
            loss = step(state, mix, batch, tf.gather(y, idx), lr, decay, bs, lam)
            total += loss * tf.cast(tf.shape(idx)[0], tf.float32)
        return total / tf.cast(n, tf.float32)

    return run


def predict_graph(structure):
    return tf.function(
        lambda params, mix, views: tf.nn.softmax(
            _forward(structure, params, mix, views)
        ),
        autograph=False,
    )
