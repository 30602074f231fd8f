"""The child-model family: parametrized layers, base layers and input views.

This is the search space of section 3.4 of the paper (settings of section 5.1):
``n_layers`` parametrized layers, each a softmax mix (``alpha``) of base layers
(every width combined with every activation) with an on/off gate (``beta``), on
top of a soft choice (``gamma``) among named input views (embedding modules).
"""

import hashlib
import json
from dataclasses import dataclass, field

__all__ = ["SearchSpace"]

_ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "linear")


@dataclass(frozen=True)
class SearchSpace:
    """Family of relaxed feed-forward child networks.

    A child network is an input view, followed by ``n_layers`` parametrized
    layers and a softmax classifier. Parametrized layer ``j`` computes Eq. 4 of
    the paper, ``sum_i alpha[j, i] * o_i(x)``, where the base layers ``o_i`` are
    dense layers of every width in ``widths`` combined with every activation in
    ``activations``, zero-padded to the widest. A gate ``beta[j]`` mixes the
    layer ("on") with the identity ("off", the input passed through,
    zero-padded). The input is a mix, with weights ``gamma``, of the named
    input ``views`` (for example pre-trained text embedding modules).

    Parameters
    ----------
    n_layers : int, default=7
        Number of parametrized layers.
    widths : tuple of int, default=(8, 16, 32, 64, 128, 256)
        Output widths of the base layers.
    activations : tuple of str, default=("relu", "tanh")
        Activations of the base layers; each width is combined with each.
    views : tuple of str, default=("input",)
        Names of the input views that ``gamma`` soft-selects. With numeric
        ``X`` and no embedding modules, ``X`` is the single view ``"input"``.

    Attributes
    ----------
    base_layers : tuple of (int, str)
        The ``(width, activation)`` of each base layer, in encoding order.
    n_base : int
        Number of base layers per parametrized layer.
    max_width : int
        Width that base-layer outputs are zero-padded to.
    n_dims : int
        Length of a flat encoding vector of this space.

    Notes
    -----
    Defaults follow section 5.1 of "Fast Task-Aware Architecture Inference":
    twelve base layers (six widths x relu / tanh) and seven parametrized layers.

    Examples
    --------
    >>> from skfti import SearchSpace
    >>> space = SearchSpace()
    >>> space.n_base, space.n_dims
    (12, 99)
    >>> space.base_layers[:3]
    ((8, 'relu'), (8, 'tanh'), (16, 'relu'))
    >>> space.is_numeric, SearchSpace(views=("glove50",)).is_numeric
    (True, False)
    """

    n_layers: int = 7
    widths: tuple = (8, 16, 32, 64, 128, 256)
    activations: tuple = ("relu", "tanh")
    views: tuple = ("input",)
    base_layers: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # Accept lists for convenience, store tuples (the space is immutable).
        for name in ("widths", "activations", "views"):
            value = getattr(self, name)
            if isinstance(value, (str, set, frozenset, dict)) or not hasattr(
                value, "__iter__"
            ):
                raise TypeError(
                    f"SearchSpace.{name} must be an ordered sequence (tuple or "
                    f"list): {value!r}; the order numbers the encoding's columns"
                )
            object.__setattr__(self, name, tuple(value))
        if isinstance(self.n_layers, bool) or not isinstance(self.n_layers, int):
            raise TypeError(f"n_layers must be an int, got {self.n_layers!r}")
        if self.n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {self.n_layers}")
        if not self.widths or any(
            isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in self.widths
        ):
            raise ValueError(
                f"widths must be positive ints (at least one), got {self.widths}"
            )
        unknown = [a for a in self.activations if a not in _ACTIVATIONS]
        if not self.activations or unknown:
            raise ValueError(
                f"activations must be a non-empty subset of {_ACTIVATIONS}, "
                f"got {self.activations}"
            )
        if not self.views or any(not isinstance(v, str) or not v for v in self.views):
            raise ValueError(f"views must be non-empty strings, got {self.views}")
        for name in ("widths", "activations", "views"):
            value = getattr(self, name)
            if len(set(value)) != len(value):
                raise ValueError(f"{name} must not repeat entries, got {value}")
        base = tuple((w, a) for w in self.widths for a in self.activations)
        object.__setattr__(self, "base_layers", base)

    @property
    def n_base(self):
        return len(self.base_layers)

    @property
    def n_views(self):
        return len(self.views)

    @property
    def is_numeric(self):
        """Whether the space is numeric data's: the single view ``"input"``."""
        return self.views == ("input",)

    @property
    def max_width(self):
        return max(self.widths)

    @property
    def n_dims(self):
        return self.n_layers * self.n_base + 2 * self.n_layers + self.n_views

    def to_dict(self):
        """Plain-JSON description of the space."""
        return {
            "n_layers": self.n_layers,
            "widths": list(self.widths),
            "activations": list(self.activations),
            "views": list(self.views),
        }

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict`."""
        expected = {"n_layers", "widths", "activations", "views"}
        if not isinstance(data, dict) or set(data) != expected:
            raise ValueError(
                f"A search space description needs exactly the keys {sorted(expected)}"
                f", got {sorted(data) if isinstance(data, dict) else type(data)}"
            )
        return cls(**data)

    def fingerprint(self):
        """Short stable hash identifying this space (used by stores and encodings)."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def base_layer_name(self, index):
        """Readable name of base layer ``index``, e.g. ``'relu-64'``."""
        width, activation = self.base_layers[index]
        return f"{activation}-{width}"
