"""Train and run a child network: weights, early stopping, the refit.

Imported lazily (it imports TensorFlow). :class:`ChildNetwork` holds a
network's weights and runs the graphs of :mod:`skfti._child_graphs` (one
traced graph per structure, shared by every network of it);
:func:`train_network` is the child recipe around it (standardized views, a
hold-out for early stopping, the refit). An XLA-compiled step runs a relaxed
network's epoch in 0.36-0.45 s against 0.59 s for the plain graph (2,000 x
256 inputs, batch 32), after a compilation of about 6 s that later children
of the same structure reuse; small discrete networks, for which compiling
costs more than training, run the plain graph.
"""

import time

import numpy as np

from skfti._child_graphs import (
    StepOptions,
    any_rate,
    cached,
    graph_epoch,
    predict_graph,
)
from skfti._seeds import SEED_MAX as _SEED_MAX
from skfti._tf import import_tensorflow
from skfti.child_architecture import init_weights
from skfti.child_recipe import fit_input_scaling, mean_log_loss, refit_epochs

tf = import_tensorflow()

__all__ = ["AveragedNetwork", "ChildNetwork", "fitted_network", "train_network"]

JIT_MIN_ROWS = 2048
"""Relaxed networks train with an XLA-compiled step from this many rows on."""


class ChildNetwork:
    """A child network with its weights, ready to train or predict.

    Parameters
    ----------
    arch : ChildArchitecture
        The layers to build.
    weights : list of ndarray
        Initial or trained weights (see :func:`~skfti.child_architecture.init_weights`).
    input_scaling : list of (mean, scale) or None, default=None
        Per view, the standardization applied to its inputs (``None`` for
        views given as they are), see
        :func:`~skfti.child_recipe.fit_input_scaling`.
    """

    def __init__(self, arch, weights, input_scaling=None):
        self.arch = arch
        self.structure = arch.structure_key()
        self.params = [tf.constant(w, dtype=tf.float32) for w in weights]
        self.mix = [tf.constant(m) for m in arch.mixing_values()]
        self.input_scaling = input_scaling

    def _views(self, views, start=None, stop=None):
        used = {v for v, _ in self.arch.views}
        out = []
        for k, v in enumerate(views):
            if k not in used:
                out.append(None)
                continue
            v = np.asarray(v[start:stop], dtype=np.float32)
            if self.input_scaling is not None and self.input_scaling[k] is not None:
                mean, scale = self.input_scaling[k]
                v = (v - mean) / scale
            out.append(tf.constant(v))
        return out

    def predict_proba(self, views, batch_size=8192, params=None):
        """Class probabilities for a list of view arrays, as float64 NumPy.

        In float64 (weights trained in float32), so a sample's probabilities
        do not depend on its batch (float32 kernels differed by up to 6e-8).
        ``params`` replaces the weights (the moving averages in training).
        """
        fn = cached(("predict", self.structure), lambda: predict_graph(self.structure))
        params = [tf.cast(p, tf.float64) for p in params or self.params]
        mix = [tf.cast(m, tf.float64) for m in self.mix]
        n = len(next(v for v in views if v is not None))
        out = []
        for s in range(0, n, batch_size):
            batch = [
                None if v is None else tf.cast(v, tf.float64)
                for v in self._views(views, s, s + batch_size)
            ]
            out.append(fn(params, mix, batch).numpy())
        return np.concatenate(out)

    def get_weights(self):
        return [p.numpy() for p in self.params]

    def _start(self, views, y, batch_size, jit_compile, options):
        """The epoch graph, the training tensors and fresh Adam state."""
        train = self._views(views)
        y = tf.constant(np.asarray(y, dtype=np.int32))
        batch_size = min(int(batch_size), int(y.shape[0]))
        run_epoch = cached(
            ("epoch", batch_size, jit_compile, options, self.structure),
            lambda: graph_epoch(self.structure, batch_size, jit_compile, options),
        )
        params = self.params = [tf.Variable(p) for p in self.params]
        state = (
            params,
            [tf.Variable(tf.zeros_like(p)) for p in params],
            [tf.Variable(tf.zeros_like(p)) for p in params],
            tf.Variable(0.0),
            [tf.Variable(p) for p in params] if options.ema else [],
        )
        return run_epoch, train, y, state

    def fit(
        self,
        views,
        y,
        *,
        epochs,
        batch_size,
        learning_rate,
        rng,
        weight_decay=0.0,
        dropout=0.0,
        validation=None,
        n_iter_no_change=None,
        tol=0.0,
        callback=None,
        jit_compile=None,
        ema_momentum=None,
        input_dropout=None,
        label_smoothing=0.0,
        mixup_alpha=0.0,
        early_stopping_score="loss",
    ):
        """Train with AdamW on mini-batches; return the history dict.

        ``views`` is a list of arrays (one per view of the search space;
        views of zero weight may be ``None``), ``y`` integer class indices,
        ``rng`` a ``RandomState`` that draws each epoch's shuffle. With
        ``validation=(views, y)``, the validation loss and accuracy are
        recorded after each epoch; with ``n_iter_no_change`` as well,
        training stops once the validation loss has not fallen by more than
        ``tol`` below its best for that many epochs (scikit-learn's rule),
        and the weights of the epoch of lowest loss are restored.

        The history holds ``loss`` (mean training loss per epoch), ``val_loss``
        and ``val_accuracy`` (when validating), ``time`` (seconds per epoch)
        and ``best_epoch`` (0-based, the epoch whose weights are kept).

        ``jit_compile=None`` compiles the step with XLA for relaxed networks
        trained on at least :data:`JIT_MIN_ROWS` rows, where the faster epochs
        repay the compilation (``benchmarks/bench_relaxed_fit.py``). Both
        train the same function; with dropout, XLA draws other masks.

        With ``ema_momentum`` (Keras' ``use_ema``), an exponential moving
        average of the weights is kept after every step; it is what the
        validation scores, early stopping and the returned network use.
        ``input_dropout`` (a rate for the first layer's input, ``dropout``
        then for the other layers'), ``label_smoothing`` and ``mixup_alpha``
        (mixup's Beta parameter; 0 is none) are further levers for recipe
        studies, and so is ``early_stopping_score="accuracy"``: the epoch
        kept, and progress, are then by held-out accuracy (ties by loss),
        as ``MLPClassifier(early_stopping=True)`` scores its hold-out.
        """
        if early_stopping_score not in ("loss", "accuracy"):
            raise ValueError(
                "early_stopping_score must be 'loss' or 'accuracy'; got "
                f"{early_stopping_score!r}."
            )
        dropout = float(dropout)
        if input_dropout is not None:
            dropout = (float(input_dropout), dropout)
        options = StepOptions(
            dropout,
            float(ema_momentum) if ema_momentum else 0.0,
            float(label_smoothing),
            float(mixup_alpha),
        )
        if jit_compile is None:
            jit_compile = not self.arch.is_plain and len(y) >= JIT_MIN_ROWS
        run_epoch, train, y_t, state = self._start(
            views, y, batch_size, bool(jit_compile), options
        )
        averages = state[4] or None
        n = int(y_t.shape[0])
        lr = tf.constant(float(learning_rate))
        decay = tf.constant(float(weight_decay))
        history = {"loss": [], "time": []}
        if validation is not None:
            history.update(val_loss=[], val_accuracy=[])
            val_y = np.asarray(validation[1])
        # scores are tuples compared lexicographically: (loss,) or, by
        # accuracy, (-accuracy, loss); progress is beating the best by margin
        by_accuracy = early_stopping_score == "accuracy"
        margin = (0.0, tol) if by_accuracy else (tol,)
        best, stall = ((np.inf,) * len(margin), -1, None), 0  # (score, epoch, weights)
        # Dropout masks (and mixup) draw their seed only when there is some,
        # so training without keeps the shuffles of earlier versions.
        draws = any_rate(dropout) or options.mixup_alpha
        for epoch in range(epochs):
            start = time.perf_counter()
            perm = tf.constant(rng.permutation(n).astype(np.int32))
            seed = tf.constant(rng.randint(_SEED_MAX) if draws else 0, tf.int32)
            loss = float(run_epoch(state, self.mix, train, y_t, perm, lr, decay, seed))
            history["loss"].append(loss)
            history["time"].append(time.perf_counter() - start)
            if not np.isfinite(loss):
                raise FloatingPointError(
                    f"Child training diverged: the loss is {loss} at epoch "
                    f"{epoch + 1}. Lower learning_rate or check the inputs."
                )
            if validation is not None:
                proba = self.predict_proba(validation[0], params=averages)
                val_loss = mean_log_loss(proba, val_y)
                val_accuracy = float(np.mean(proba.argmax(1) == val_y))
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
                if n_iter_no_change is not None:  # MLPClassifier's rule with tol
                    score = (-val_accuracy, val_loss) if by_accuracy else (val_loss,)
                    better = tuple(b - m for b, m in zip(best[0], margin, strict=True))
                    stall = stall + 1 if score >= better else 0
                    if score < best[0]:
                        kept = averages or self.params
                        best = (score, epoch, [p.numpy() for p in kept])
            if callback is not None:
                callback(epoch, history)
            if best[2] is not None and stall >= n_iter_no_change:
                break
        history["best_epoch"] = len(history["loss"]) - 1
        if best[2] is None and averages:
            best = (None, history["best_epoch"], [a.numpy() for a in averages])
        if best[2] is not None:
            for p, w in zip(self.params, best[2], strict=True):
                p.assign(w)
            history["best_epoch"] = best[1]
        return history


class AveragedNetwork:
    """Networks of one architecture whose class probabilities are averaged.

    What :func:`train_network` returns with ``refit="average"``: the
    early-stopped network and the refitted one, one child.

    Parameters
    ----------
    networks : list of ChildNetwork
        The networks, each with its own weights and input scaling.
    """

    def __init__(self, networks):
        self.networks = list(networks)

    def predict_proba(self, views, batch_size=8192):
        """The mean of the networks' :meth:`ChildNetwork.predict_proba`."""
        return np.mean([n.predict_proba(views, batch_size) for n in self.networks], 0)


def fitted_network(arch, weights, input_scaling):
    """A trained child from its fitted arrays: a :class:`ChildNetwork`, or an
    :class:`AveragedNetwork` of several (``None`` weights are skipped)."""
    networks = [
        ChildNetwork(arch, w, input_scaling=s)
        for w, s in zip(weights, input_scaling, strict=True)
        if w is not None
    ]
    return networks[0] if len(networks) == 1 else AveragedNetwork(networks)


def train_network(
    arch,
    views,
    y,
    *,
    epochs,
    batch_size,
    learning_rate,
    rng,
    weight_decay=0.0,
    dropout=0.0,
    standardize=False,
    validation=None,
    n_iter_no_change=None,
    tol=0.0,
    refit=False,
    callback=None,
    jit_compile=None,
    **levers,
):
    """Draw initial weights for ``arch`` from ``rng`` and train; the one recipe.

    Every child trains through it (the classifiers and the population
    workers, :mod:`skfti.child_recipe`), so a child of the population is the
    classifier with the same encoding, settings and seed. With
    ``standardize``, every view is standardized with the training data's
    mean and standard deviation (kept by the network).

    With ``refit`` and a ``validation`` pair held out of the training data,
    once early stopping has chosen its epoch a fresh network (new initial
    weights from ``rng``) trains on the training and held-out rows together
    for :func:`~skfti.child_recipe.refit_epochs` epochs, and replaces the
    first (``refit=True``) or joins it in an :class:`AveragedNetwork`
    (``refit="average"``); the history stays the first training's (its ``val_*`` curves
    chose the length), with ``refit_epochs`` added. ``jit_compile`` is
    :meth:`ChildNetwork.fit`'s (``None``: by network and size), and so are
    the study ``levers`` (``ema_momentum``, ``input_dropout``, ...).
    Returns the trained :class:`ChildNetwork` (or :class:`AveragedNetwork`)
    and its history.
    """

    def train(views, y, epochs, validation, callback):
        scaling = fit_input_scaling(views) if standardize else None
        network = ChildNetwork(arch, init_weights(arch, rng), input_scaling=scaling)
        history = network.fit(
            views,
            y,
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            rng=rng,
            weight_decay=weight_decay,
            dropout=dropout,
            validation=validation,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            callback=callback,
            jit_compile=jit_compile,
            **levers,
        )
        return network, history

    network, history = train(views, y, epochs, validation, callback)
    if refit and validation is not None and n_iter_no_change is not None:
        n_fit, n_held = len(y), len(validation[1])
        n_epochs = refit_epochs(history["best_epoch"], n_fit, n_held, epochs)
        all_views = [
            None if v is None else np.concatenate([v, h])
            for v, h in zip(views, validation[0], strict=True)
        ]
        all_y = np.concatenate([np.asarray(y), np.asarray(validation[1])])
        refitted, _ = train(all_views, all_y, n_epochs, None, None)
        if refit == "average":
            network = AveragedNetwork([network, refitted])
        else:
            network = refitted
        history["refit_epochs"] = n_epochs
    return network, history
