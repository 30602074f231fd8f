"""From an encoding to the concrete layers of a child network (NumPy only).

A :class:`ChildArchitecture` lists which choices of an encoding carry weight
and the widths that follow from them. With ``fast_path=True`` the choices of
zero weight are dropped: a one-hot (discrete) encoding then becomes the plain
feed-forward network it describes, with one dense layer per switched-on
parametrized layer and no padding, while a relaxed encoding keeps every base
layer of Eq. 4. Both compute the same function (zero-weight terms add
nothing and zero-padded inputs meet kernel rows that are dropped), so the
fast path only saves work.

Initial weights are drawn for the *full* network of the search space and
sliced, so the same ``random_state`` gives the same starting point with and
without the fast path.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["ChildArchitecture", "LayerPlan", "init_weights"]


@dataclass(frozen=True)
class LayerPlan:
    """One parametrized layer of a child network.

    ``bases`` holds ``(base_index, weight)`` for the base layers that are
    computed, sorted by activation then width so that each activation acts on
    one contiguous block of columns. ``weight`` already includes the "on" gate.
    """

    index: int
    bases: tuple
    off_weight: float
    in_width: int
    out_width: int


class ChildArchitecture:
    """The concrete network of an :class:`~skfti.ArchitectureEncoding`.

    Parameters
    ----------
    encoding : ArchitectureEncoding
        The architecture.
    view_dims : sequence of int
        Width of each input view, in the order of ``search_space.views``.
    n_classes : int
        Number of outputs of the softmax classifier.
    fast_path : bool, default=True
        Drop choices of zero weight (see module docstring).
    """

    def __init__(self, encoding, view_dims, n_classes, fast_path=True):
        space = encoding.search_space
        view_dims = [int(d) for d in view_dims]
        if len(view_dims) != space.n_views:
            raise ValueError(
                f"The search space has {space.n_views} input views, got widths "
                f"for {len(view_dims)}"
            )
        self.space = space
        self.view_dims = view_dims
        self.n_classes = int(n_classes)
        self.fast_path = bool(fast_path)

        def keep(weight):
            return weight > 0.0 or not fast_path

        self.views = tuple(
            (v, float(g)) for v, g in enumerate(encoding.gamma) if keep(g)
        )
        self.full_in_width = max(view_dims)
        self.full_width = max(space.max_width, self.full_in_width)
        width = max(view_dims[v] for v, _ in self.views)
        self.in_width = width
        layers = []
        for j in range(space.n_layers):
            on, off = (float(b) for b in encoding.beta[j])
            if fast_path and on == 0.0:
                continue  # the identity: nothing to compute
            bases = [
                (i, float(a) * on)
                for i, a in enumerate(encoding.alpha[j])
                if keep(float(a) * on)
            ]
            bases.sort(key=lambda b: (self._activation(b[0]), self._width(b[0])))
            out = max(self._width(i) for i, _ in bases)
            if off > 0.0 or not fast_path:
                out = max(out, width)
            if not fast_path:
                out = self.full_width
            layers.append(LayerPlan(j, tuple(bases), off, width, out))
            width = out
        self.layers = tuple(layers)
        self.out_in_width = width

    def _width(self, base_index):
        return self.space.base_layers[base_index][0]

    def _activation(self, base_index):
        return self.space.base_layers[base_index][1]

    @property
    def is_plain(self):
        """Whether the network has no mixing at all (a discrete child)."""
        return len(self.views) == 1 and all(
            len(layer.bases) == 1 and layer.off_weight == 0.0 for layer in self.layers
        )

    def has_pass_through(self, layer):
        """Whether the layer adds its (padded) input, the "off" term."""
        return layer.off_weight > 0.0 or not self.fast_path

    def is_mixed(self, layer):
        """Whether the layer weighs and pads its base layers (Eq. 4)."""
        return not (
            len(layer.bases) == 1
            and layer.bases[0][1] == 1.0
            and not self.has_pass_through(layer)
        )

    def structure_key(self):
        """Hashable description of the graph, without the mixing weights.

        Networks with the same key run the same TensorFlow graph (the weights
        of alpha, beta and gamma are inputs to it), so a compiled graph is
        shared by every relaxed child of one search space.
        """
        layers = tuple(
            (
                tuple(self.space.base_layers[i] for i, _ in layer.bases),
                layer.in_width,
                layer.out_width,
                self.has_pass_through(layer),
                self.is_mixed(layer),
            )
            for layer in self.layers
        )
        views = tuple((v, self.view_dims[v]) for v, _ in self.views)
        mixed_views = len(self.views) > 1 or self.views[0][1] != 1.0
        return (views, mixed_views, self.in_width, layers, self.n_classes)

    def mixing_values(self):
        """The weights of the mix as float32 arrays, the graph's extra inputs.

        ``[gamma of the used views, then for each layer its per-column weights
        and its pass-through weight]``.
        """
        values = [np.array([g for _, g in self.views], dtype=np.float32)]
        for layer in self.layers:
            values.append(self.column_weights(layer))
            values.append(np.float32(layer.off_weight))
        return values

    def column_weights(self, layer):
        """Per-column weight of a layer's fused kernel (alpha times the gate)."""
        return np.concatenate(
            [np.full(self._width(i), w, dtype=np.float32) for i, w in layer.bases]
        )

    def n_parameters(self):
        """Number of trainable parameters."""
        total = 0
        for layer in self.layers:
            cols = sum(self._width(i) for i, _ in layer.bases)
            total += (layer.in_width + 1) * cols
        return total + (self.out_in_width + 1) * self.n_classes

    def flops_per_sample(self):
        """Multiply-adds of one forward pass for one sample (matmuls only)."""
        total = 0
        for layer in self.layers:
            total += layer.in_width * sum(self._width(i) for i, _ in layer.bases)
        return total + self.out_in_width * self.n_classes


def init_weights(arch, random_state):
    """Glorot-uniform kernels and zero biases for ``arch``, as float32 arrays.

    The kernels of the full search space are drawn (each base layer with the
    fan-in of the zero-padded input, as a Keras ``Dense`` on that input would
    be) and then sliced down to the layers ``arch`` computes.

    Returns
    -------
    weights : list of ndarray
        ``[kernel_0, bias_0, ..., kernel_out, bias_out]`` in layer order.
    """
    rng = random_state
    space = arch.space
    offsets = np.cumsum([0] + [w for w, _ in space.base_layers])
    n_cols = offsets[-1]
    full = []
    for j in range(space.n_layers):
        fan_in = arch.full_in_width if j == 0 else arch.full_width
        fan_out = np.array([w for w, _ in space.base_layers])
        limits = np.repeat(np.sqrt(6.0 / (fan_in + fan_out)), fan_out)
        full.append(rng.uniform(-1.0, 1.0, size=(fan_in, n_cols)) * limits)
    out_limit = np.sqrt(6.0 / (arch.full_width + arch.n_classes))
    out_kernel = rng.uniform(-out_limit, out_limit, (arch.full_width, arch.n_classes))

    weights = []
    for layer in arch.layers:
        cols = np.concatenate(
            [np.arange(offsets[i], offsets[i + 1]) for i, _ in layer.bases]
        )
        kernel = full[layer.index][: layer.in_width, cols]
        weights += [kernel.astype(np.float32), np.zeros(len(cols), np.float32)]
    weights += [
        out_kernel[: arch.out_in_width].astype(np.float32),
        np.zeros(arch.n_classes, np.float32),
    ]
    return weights
