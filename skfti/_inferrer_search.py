"""What :meth:`~skfti.ArchitectureInferrer.suggest` asks of the search space.

How many distinct suggestions a search space can give, and when two discrete
encodings are the same network (a switched-off layer's activation does not
count), so that Algorithm 2 returns distinct architectures. Nothing here
imports TensorFlow.
"""

from numbers import Integral

__all__ = ["check_n_suggestions", "network_key"]


def check_n_suggestions(n_suggestions, discretize, space):
    """``n_suggestions`` as an int, checked against the size of ``space``."""
    if (
        not isinstance(n_suggestions, Integral)
        or isinstance(n_suggestions, bool)
        or n_suggestions < 1
    ):
        raise ValueError(f"n_suggestions must be an int >= 1, got {n_suggestions!r}")
    n_discrete = (2 * space.n_base) ** space.n_layers * space.n_views
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
