"""Algorithm 1 on TensorFlow: the value network of an inferrer, built and trained.

The one part of :class:`~skfti.ArchitectureInferrer` that needs TensorFlow:
it stacks the training tasks' samples and experiments, draws the batches of
every step, and trains :class:`~skfti.value_network.ValueNetwork` on them.
:mod:`skfti.value_network` (and so TensorFlow) is imported when a function
here runs, never when this module is imported.
"""

import numpy as np

from skfti._progress import loss_bar

__all__ = ["build_value_network", "train_value_network", "training_data"]


def training_data(samples, U, V, meta):
    """The arrays of Algorithm 1: all tasks' samples and experiments, stacked."""
    return {
        "x": np.concatenate([s[0] for s in samples]).astype(np.float32),
        "y": np.concatenate([s[1] for s in samples]),
        "u": np.concatenate(U).astype(np.float32),
        "v": np.concatenate(V).astype(np.float32),
        "meta": meta.astype(np.float32),
        "n_classes": max(s[2] for s in samples),
    }


def build_value_network(inferrer, n_dims, n_meta, *, rng=None, weights=None):
    """The inferrer's TensorFlow value network (new from ``rng``, or ``weights``)."""
    from skfti.value_network import ValueNetwork

    return ValueNetwork(
        n_dims,
        inferrer.n_features_in_,
        n_meta,
        inferrer._learned,
        inferrer.phi_units,
        inferrer.rho_units,
        rng,
        weights=weights,
    )


def train_value_network(inferrer, space, U, V, samples, meta, rng):
    """Algorithm 1 with the inferrer's parameters: ``(network, loss curve)``.

    ``U`` and ``V`` are the tasks' encodings and normalized scores,
    ``samples`` their ``(features, class indices, n_classes)`` and ``meta``
    their standardized precomputed meta-features (one row per task).
    """
    from skfti import value_network as vn

    plan = vn.draw_plan(
        rng,
        [len(u) for u in U],
        [len(s[1]) for s in samples],
        n_steps=inferrer.n_steps,
        k_outer_iters=inferrer.k_outer_iters,
        k_inner_iters=inferrer.k_inner_iters,
        experiment_batch_size=inferrer.experiment_batch_size,
        sample_batch_size=inferrer.sample_batch_size,
    )
    data = training_data(samples, U, V, meta)
    net = build_value_network(inferrer, space.n_dims, meta.shape[1], rng=rng)
    tensors = {
        k: (vn.tf.constant(v) if k != "n_classes" else v) for k, v in data.items()
    }
    with loss_bar(inferrer.n_steps, inferrer.verbose) as callback:
        curve = vn.fit_value_network(
            net,
            tensors,
            plan,
            loss=inferrer.loss,
            optimizer=inferrer.optimizer,
            learning_rate=inferrer.learning_rate,
            momentum=inferrer.momentum,
            callback=callback,
        )
    return net, curve
