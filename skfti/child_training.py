"""TensorFlow graphs that train and run a child network.

Imported lazily (it imports TensorFlow). The forward pass follows Eq. 4 of
the paper with the base layers of a parametrized layer fused into one matmul;
the optimizer is Adam written out on plain ``tf.Variable`` objects so that
nothing but TensorFlow's core is on the hot path.

Relaxed networks are compute-bound: their training step is compiled with XLA
(``jit_compile=True``) and called from a Python loop. Plain (discrete)
networks are small, and compiling each one would cost more than training it,
so a whole epoch runs as one in-graph loop without XLA.
"""

import time

import numpy as np

from skfti._tf import import_tensorflow

tf = import_tensorflow()

__all__ = ["ChildNetwork"]

_ACTIVATIONS = {
    "relu": tf.nn.relu,
    "tanh": tf.tanh,
    "sigmoid": tf.sigmoid,
    "elu": tf.nn.elu,
    "selu": tf.nn.selu,
    "gelu": tf.nn.gelu,
    "linear": tf.identity,
}


class ChildNetwork(tf.Module):
    """A child network with its weights, ready to train or predict.

    Parameters
    ----------
    arch : ChildArchitecture
        The layers to build.
    weights : list of ndarray
        Initial or trained weights (see :func:`init_weights`).
    """

    def __init__(self, arch, weights):
        super().__init__(name="child_network")
        self.arch = arch
        self.vars = [tf.Variable(w, dtype=tf.float32) for w in weights]
        self._layers = []
        for layer in arch.layers:
            blocks = arch.activation_blocks(layer)
            if len(layer.bases) == 1 and layer.bases[0][1] == 1.0:
                col_weights = None
            else:
                col_weights = tf.constant(arch.column_weights(layer))
            self._layers.append((layer, blocks, col_weights))
        self._gamma = [(v, g) for v, g in arch.views]
        self._compiled = {}

    # -- forward ----------------------------------------------------------
    def logits(self, views):
        arch = self.arch
        if len(self._gamma) == 1 and self._gamma[0][1] == 1.0:
            x = views[self._gamma[0][0]]
        else:
            x = tf.add_n(
                [
                    g * _pad(views[v], arch.in_width - arch.view_dims[v])
                    for v, g in self._gamma
                ]
            )
        for k, (layer, blocks, col_weights) in enumerate(self._layers):
            z = tf.matmul(x, self.vars[2 * k]) + self.vars[2 * k + 1]
            if len(blocks) == 1:
                a = _ACTIVATIONS[blocks[0][0]](z)
            else:
                a = tf.concat([_ACTIVATIONS[f](z[:, s:e]) for f, s, e in blocks], 1)
            if col_weights is None:
                x = a
                continue
            a = a * col_weights
            terms, start = [], 0
            for i, _ in layer.bases:
                width = arch.space.base_layers[i][0]
                terms.append(_pad(a[:, start : start + width], layer.out_width - width))
                start += width
            if layer.off_weight > 0.0 or not arch.fast_path:
                pad = layer.out_width - layer.in_width
                terms.append(layer.off_weight * _pad(x, pad))
            x = tf.add_n(terms) if len(terms) > 1 else terms[0]
        return tf.matmul(x, self.vars[-2]) + self.vars[-1]

    def predict_proba(self, views, batch_size=8192):
        """Class probabilities for a list of view arrays, as float64 NumPy."""
        fn = self._compiled.get("proba")
        if fn is None:
            fn = tf.function(lambda *v: tf.nn.softmax(self.logits(v)), autograph=False)
            self._compiled["proba"] = fn
        n = views[0].shape[0]
        out = [
            fn(*[tf.constant(v[s : s + batch_size]) for v in views]).numpy()
            for s in range(0, n, batch_size)
        ]
        return np.concatenate(out).astype(np.float64)

    def get_weights(self):
        return [v.numpy() for v in self.vars]

    # -- training ---------------------------------------------------------
    def fit(
        self,
        views,
        y,
        *,
        epochs,
        batch_size,
        learning_rate,
        rng,
        validation=None,
        jit_compile=None,
        callback=None,
    ):
        """Train with Adam on mini-batches; return the history dict.

        ``views`` is a list of float32 arrays (one per view of the search
        space, unused views may be ``None``), ``y`` integer class indices,
        ``rng`` a ``RandomState`` that draws each epoch's shuffle. The history
        holds ``loss`` (mean training loss per epoch), ``val_accuracy`` when
        ``validation=(views, y)`` is given, and ``time`` (seconds per epoch).
        """
        if jit_compile is None:
            jit_compile = not self.arch.is_plain
        used = [v for v, _ in self.arch.views]
        train = [tf.constant(views[v]) if v in used else None for v in range(len(views))]
        y = tf.constant(np.asarray(y, dtype=np.int32))
        n = int(y.shape[0])
        batch_size = min(int(batch_size), n)
        adam = _Adam(self.vars, learning_rate)
        step = _make_step(self, adam)
        history = {"loss": [], "time": []}
        if validation is not None:
            history["val_accuracy"] = []
            val_views = [v if v is None else np.asarray(v) for v in validation[0]]
            val_y = np.asarray(validation[1])
        if jit_compile:
            run_epoch = _python_epoch(tf.function(step, jit_compile=True), batch_size)
        else:
            run_epoch = _graph_epoch(step, batch_size)
        for epoch in range(epochs):
            start = time.perf_counter()
            perm = rng.permutation(n).astype(np.int32)
            loss = float(run_epoch(train, y, perm))
            history["loss"].append(loss)
            history["time"].append(time.perf_counter() - start)
            if not np.isfinite(loss):
                raise FloatingPointError(
                    f"Child training diverged: the loss is {loss} at epoch "
                    f"{epoch + 1}. Lower learning_rate or check the inputs."
                )
            if validation is not None:
                proba = self.predict_proba(val_views)
                history["val_accuracy"].append(float(np.mean(proba.argmax(1) == val_y)))
            if callback is not None:
                callback(epoch, history)
        return history


def _pad(x, n):
    """Zero-pad the feature axis of ``x`` by ``n`` columns on the right."""
    if n == 0:
        return x
    return tf.pad(x, [[0, 0], [0, n]])


class _Adam:
    """Adam (Kingma and Ba) with Keras' defaults, on plain variables."""

    def __init__(self, variables, learning_rate, beta_1=0.9, beta_2=0.999, eps=1e-7):
        self.variables = variables
        self.lr = float(learning_rate)
        self.beta_1, self.beta_2, self.eps = beta_1, beta_2, eps
        self.m = [tf.Variable(tf.zeros_like(v)) for v in variables]
        self.v = [tf.Variable(tf.zeros_like(v)) for v in variables]
        self.t = tf.Variable(0.0)

    def apply(self, grads):
        t = self.t.assign_add(1.0)
        lr = self.lr * tf.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        for var, g, m, v in zip(self.variables, grads, self.m, self.v, strict=True):
            m.assign(self.beta_1 * m + (1.0 - self.beta_1) * g)
            v.assign(self.beta_2 * v + (1.0 - self.beta_2) * tf.square(g))
            var.assign_sub(lr * m / (tf.sqrt(v) + self.eps))


def _make_step(net, adam):
    def step(views, y):
        with tf.GradientTape() as tape:
            logits = net.logits(views)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        adam.apply(tape.gradient(loss, net.vars))
        return loss

    return step


def _python_epoch(step, batch_size):
    """An epoch as a Python loop over a compiled step (static batch shapes)."""

    def run(train, y, perm):
        perm = tf.constant(perm)
        n = int(y.shape[0])
        losses, sizes = [], []
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            batch = [None if v is None else tf.gather(v, idx) for v in train]
            losses.append(step(batch, tf.gather(y, idx)))
            sizes.append(int(idx.shape[0]))
        return float(np.dot([float(v) for v in losses], sizes)) / n

    return run


def _graph_epoch(step, batch_size):
    """A whole epoch as one in-graph loop (no XLA: its CPU loops are slow)."""

    @tf.function
    def run_graph(train, y, perm):
        n = tf.shape(y)[0]
        n_batches = (n + batch_size - 1) // batch_size
        total = tf.constant(0.0)
        for b in tf.range(n_batches):
            idx = perm[b * batch_size : (b + 1) * batch_size]
            batch = [None if v is None else tf.gather(v, idx) for v in train]
            loss = step(batch, tf.gather(y, idx))
            total += loss * tf.cast(tf.shape(idx)[0], tf.float32)
        return total / tf.cast(n, tf.float32)

    def run(train, y, perm):
        return run_graph(train, y, tf.constant(perm))

    return run
