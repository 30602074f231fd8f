"""The deep value network v(u, z) of section 3 and its two algorithms (TensorFlow).

Imported lazily (it imports TensorFlow). The network has two towers
(Fig. 2 of the paper):

- the task tower: a permutation-invariant encoder ``rho(mean_i phi(x_i, y_i))``
  of the task's samples. ``phi`` is two dense layers: the first sees a
  sample's features, the second the first layer's output next to its
  deviation from the mean of the sample's class. The embedding therefore
  uses labels, does not depend on the order of the samples or on the names
  of the classes, and accepts any number of classes;
- the prediction tower ``rho``: dense layers over the encoding ``u`` and the
  meta-features ``z`` (learned, precomputed, both, or none), down to one
  linear output, the predicted normalized accuracy.

:func:`fit_value_network` is Algorithm 1 (offline training, SGD with
momentum by default) and :func:`gradient_ascent` Algorithm 2 (online
inference: gradient ascent on the encoding from several starting points,
batched into one XLA-compiled loop).
"""

import numpy as np

from skfti._adam import apply_adam
from skfti._tf import import_tensorflow

tf = import_tensorflow()

__all__ = ["ValueNetwork", "draw_plan", "fit_value_network", "gradient_ascent"]


def _glorot(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)


class ValueNetwork:
    """Weights and forward pass of v(u, z).

    Parameters
    ----------
    n_dims : int
        Length of a flat encoding.
    n_features : int or None
        Width of the task samples seen by ``phi`` (None without learned
        meta-features).
    n_meta : int
        Number of precomputed meta-features (0 without them).
    learned : bool
        Whether the task tower is used.
    phi_units, rho_units : tuple of int
        Widths of the dense layers of ``phi`` (two) and ``rho``.
    random_state : RandomState
        Draws the initial weights.
    weights : list of ndarray, default=None
        Trained weights to load instead.
    """

    def __init__(
        self,
        n_dims,
        n_features,
        n_meta,
        learned,
        phi_units,
        rho_units,
        random_state,
        weights=None,
    ):
        self.learned = bool(learned)
        self.n_meta = int(n_meta)
        shapes = []
        if self.learned:
            p1, p2 = phi_units
            shapes += [(n_features, p1), (p1,), (2 * p1, p2), (p2,)]
        z_dim = (phi_units[-1] if self.learned else 0) + self.n_meta
        width = n_dims + z_dim
        for units in rho_units:
            shapes += [(width, units), (units,)]
            width = units
        shapes += [(width, 1), (1,)]
        if weights is None:
            rng = random_state
            weights = [
                _glorot(rng, *s) if len(s) == 2 else np.zeros(s, np.float32)
                for s in shapes
            ]
        if [tuple(w.shape) for w in weights] != shapes:
            raise ValueError("The value network's weights do not match its shape")
        self.vars = [tf.Variable(w) for w in weights]
        self.n_rho = len(rho_units)

    def get_weights(self):
        return [v.numpy() for v in self.vars]

    @property
    def _phi(self):
        return self.vars[:4] if self.learned else []

    @property
    def _rho(self):
        return self.vars[4:] if self.learned else self.vars

    def task_embedding(self, x, y, n_classes):
        """Learned meta-features of samples ``x`` with class indices ``y``."""
        w1, b1, w2, b2 = self._phi
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        sums = tf.math.unsorted_segment_sum(h, y, n_classes)
        counts = tf.math.unsorted_segment_sum(tf.ones_like(h[:, :1]), y, n_classes)
        centers = tf.gather(sums / tf.maximum(counts, 1.0), y)
        g = tf.nn.relu(tf.matmul(tf.concat([h, h - centers], 1), w2) + b2)
        return tf.reduce_mean(g, axis=0)

    def value(self, u, z):
        """Predicted normalized accuracy of encodings ``u`` (B, n_dims) given ``z``."""
        h = u
        if z is not None:
            h = tf.concat([u, tf.tile(z[None, :], [tf.shape(u)[0], 1])], axis=1)
        rho = self._rho
        for i in range(self.n_rho):
            h = tf.nn.relu(tf.matmul(h, rho[2 * i]) + rho[2 * i + 1])
        return tf.matmul(h, rho[-2])[:, 0] + rho[-1][0]

    def meta(self, x, y, n_classes, meta):
        """The z of a task: learned and/or precomputed parts, or None."""
        parts = []
        if self.learned:
            parts.append(self.task_embedding(x, y, n_classes))
        if self.n_meta:
            parts.append(meta)
        if not parts:
            return None
        return tf.concat(parts, 0) if len(parts) > 1 else parts[0]


def draw_plan(
    rng,
    n_experiments,
    n_samples,
    *,
    n_steps,
    k_outer_iters,
    k_inner_iters,
    experiment_batch_size,
    sample_batch_size,
):
    """Algorithm 1's batches, drawn up front in NumPy.

    A task is drawn, then ``k_outer_iters`` mini-batches of its experiments,
    each used for ``k_inner_iters`` steps with a fresh batch of its samples.
    ``n_experiments`` and ``n_samples`` count each task's rows in the stacked
    ``u``/``v`` and ``x``/``y`` arrays. Returns, per step, the task, the
    experiment indices and the sample indices (int32 arrays).
    """
    ks, exp_idx, samp_idx = [], [], []
    exp_offsets = np.concatenate([[0], np.cumsum(n_experiments)])
    samp_offsets = np.concatenate([[0], np.cumsum(n_samples)])
    while len(ks) < n_steps:
        k = rng.randint(len(n_experiments))
        for _ in range(k_outer_iters):
            batch = exp_offsets[k] + rng.randint(
                n_experiments[k], size=experiment_batch_size
            )
            for _ in range(k_inner_iters):
                ks.append(k)
                exp_idx.append(batch)
                samp_idx.append(
                    samp_offsets[k] + rng.randint(n_samples[k], size=sample_batch_size)
                )
    return (
        np.array(ks[:n_steps], np.int32),
        np.array(exp_idx[:n_steps], np.int32),
        np.array(samp_idx[:n_steps], np.int32),
    )


def _loss(pred, target, kind):
    if kind == "mse":
        return tf.reduce_mean(tf.square(pred - target))
    # pairwise logistic ranking loss (RankNet) over the pairs of the batch
    diff_pred = pred[:, None] - pred[None, :]
    better = tf.cast(target[:, None] > target[None, :], tf.float32)
    n_pairs = tf.maximum(tf.reduce_sum(better), 1.0)
    return tf.reduce_sum(better * tf.nn.softplus(-diff_pred)) / n_pairs


def fit_value_network(
    net,
    data,
    plan,
    *,
    loss,
    optimizer,
    learning_rate,
    momentum,
    chunk=200,
    callback=None,
):
    """Algorithm 1: SGD steps on the value network along a drawn plan.

    ``data`` holds the training set as tensors: ``x`` (all tasks' samples,
    stacked), ``y`` (class index within its task), ``u`` and ``v``
    (encodings and normalized scores, stacked), ``meta`` (per task,
    precomputed meta-features) and ``n_classes`` (the largest class count).
    ``plan`` holds, per step, the task, the experiment indices and the sample
    indices (drawn in NumPy from the estimator's seed). Steps run ``chunk`` at
    a time in one in-graph loop. Returns the mean loss of each chunk.
    """
    variables = net.vars
    slots = [tf.Variable(tf.zeros_like(v)) for v in variables]
    slots2 = [tf.Variable(tf.zeros_like(v)) for v in variables]
    t = tf.Variable(0.0)
    lr = tf.constant(float(learning_rate))
    n_classes = int(data["n_classes"])

    def step(k, exp_idx, samp_idx):
        u = tf.gather(data["u"], exp_idx)
        target = tf.gather(data["v"], exp_idx)
        with tf.GradientTape() as tape:
            z = None
            if net.learned or net.n_meta:
                z = net.meta(
                    tf.gather(data["x"], samp_idx),
                    tf.gather(data["y"], samp_idx),
                    n_classes,
                    data["meta"][k] if net.n_meta else None,
                )
            value = _loss(net.value(u, z), target, loss)
        grads = tape.gradient(value, variables)
        if optimizer == "adam":
            apply_adam(variables, slots, slots2, grads, t, lr)
        else:
            for var, accum, g in zip(variables, slots, grads, strict=True):
                tf.raw_ops.ResourceApplyKerasMomentum(
                    var=var.handle,
                    accum=accum.handle,
                    lr=lr,
                    grad=g,
                    momentum=float(momentum),
                )
        return value

    @tf.function
    def run(ks, exp_idx, samp_idx):
        total = tf.constant(0.0)
        for i in tf.range(tf.shape(ks)[0]):
            total += step(ks[i], exp_idx[i], samp_idx[i])
        return total / tf.cast(tf.shape(ks)[0], tf.float32)

    losses = []
    ks, exp_idx, samp_idx = plan
    for start in range(0, len(ks), chunk):
        stop = start + chunk
        value = run(
            tf.constant(ks[start:stop]),
            tf.constant(exp_idx[start:stop]),
            tf.constant(samp_idx[start:stop]),
        )
        losses.append(float(value))
        if not np.isfinite(losses[-1]):
            raise FloatingPointError(
                f"Value-network training diverged (loss {losses[-1]}); lower "
                "learning_rate"
            )
        if callback is not None:
            callback(stop, losses[-1])
    return losses


def gradient_ascent(net, z, logits, groups, *, max_iter, step_size):
    """Algorithm 2: gradient ascent on encoding logits, all starts at once.

    ``logits`` is ``(n_starting_points, n_dims)``; ``groups`` lists the
    ``(start, stop)`` column ranges whose softmax makes a group of the
    encoding. The whole loop is one XLA-compiled graph. Returns the final
    encodings (softmax weights) and their predicted values, as NumPy.
    """
    key = (tuple(groups), logits.shape[1])

    def softmax_groups(lg):
        return tf.concat([tf.nn.softmax(lg[:, a:b], axis=1) for a, b in groups], 1)

    def ascend(lg, z, n_iter, eta):
        def body(i, lg):
            with tf.GradientTape() as tape:
                tape.watch(lg)
                total = tf.reduce_sum(net.value(softmax_groups(lg), z))
            return i + 1, lg + eta * tape.gradient(total, lg)

        _, lg = tf.while_loop(lambda i, _: i < n_iter, body, (tf.constant(0), lg))
        u = softmax_groups(lg)
        return u, net.value(u, z)

    compiled = net.__dict__.setdefault("_ascent", {})  # one compiled loop per net
    fn = compiled.get(key)
    if fn is None:
        fn = compiled[key] = tf.function(ascend, jit_compile=True)
    z = tf.zeros([0]) if z is None else tf.constant(z, tf.float32)
    if not (net.learned or net.n_meta):
        z = None
    u, values = fn(
        tf.constant(logits, tf.float32),
        z,
        tf.constant(int(max_iter)),
        tf.constant(float(step_size)),
    )
    return u.numpy().astype(np.float64), values.numpy().astype(np.float64)
