"""Which children a population run trains: drawn up front, per task.

:func:`plan_population` draws every encoding and child seed before any
training, so a run's plan (and its scores) do not depend on ``n_jobs`` or the
backend, and a rerun finds its children already stored.
"""

import hashlib

import numpy as np
from sklearn.utils import check_random_state

from skfti._seeds import SEED_MAX as _SEED_MAX
from skfti.encoding import ArchitectureEncoding

__all__ = ["depth_choices", "plan_population"]


def depth_choices(depth_sampling, search_space):
    """The depths a plan draws from, uniformly; ``None`` for the paper's gates.

    ``"uniform"`` is ``1..n_layers``. Raises ``ValueError`` for anything but
    ``"gates"``, ``"uniform"`` or a non-empty sequence of ints in
    ``[0, n_layers]``.
    """
    n_layers = search_space.n_layers
    if isinstance(depth_sampling, str):
        if depth_sampling == "gates":
            return None
        depths = list(range(1, n_layers + 1)) if depth_sampling == "uniform" else []
    else:
        try:
            depths = list(depth_sampling)
        except TypeError:
            depths = []
    ok = len(depths) > 0 and all(
        isinstance(d, (int, np.integer))
        and not isinstance(d, bool)
        and 0 <= d <= n_layers
        for d in depths
    )
    if not ok:
        raise ValueError(
            "depth_sampling must be 'gates', 'uniform' or a non-empty sequence "
            f"of ints in [0, {n_layers}], got {depth_sampling!r}"
        )
    return tuple(int(d) for d in depths)


def plan_population(
    tasks,
    n_architectures,
    search_space,
    *,
    relaxed_fraction=0.0,
    depth_sampling="gates",
    random_state=None,
):
    """The children of a population run, drawn up front.

    Returns a list of ``(task_index, encoding, seed)``. Each task has its own
    random stream, seeded from ``random_state`` and the task's name, drawing
    its encodings and child seeds in a fixed order. So the plan (and every
    score) is the same whatever ``n_jobs`` or backend; a rerun with the same
    arguments finds its children already done; a larger ``n_architectures``
    or more tasks only add children. ``depth_sampling`` is described in
    :func:`generate_population`.

    With ``relaxed_fraction`` f, child ``i`` (from 0) is relaxed when
    ``floor((i + 1) f) > floor(i f)``: the relaxed children are spread
    evenly, a share f (rounded down) of the first n for every n, so that the
    plan of a larger ``n_architectures`` starts with the plan of a smaller
    one.
    """
    depths = depth_choices(depth_sampling, search_space)
    base = check_random_state(random_state).randint(_SEED_MAX)
    plan = []
    for t, task in enumerate(tasks):
        digest = hashlib.sha256(f"{base}:{task.name}".encode()).digest()
        rng = np.random.RandomState(int.from_bytes(digest[:4], "little") % _SEED_MAX)
        for i in range(n_architectures):
            if not _is_relaxed(i, relaxed_fraction):
                n_active = None if depths is None else depths[rng.randint(len(depths))]
                encoding = ArchitectureEncoding.random_one_hot(
                    search_space, rng, n_active=n_active
                )
            else:
                encoding = ArchitectureEncoding.random_relaxed(search_space, rng)
            plan.append((t, encoding, int(rng.randint(_SEED_MAX))))
    return plan


def _is_relaxed(i, relaxed_fraction):
    """Whether child ``i`` of a task is relaxed (evenly spread, prefix-stable)."""
    # The 1e-9 absorbs float error: 0.29 * 100 is 28.999999999999996.
    return int((i + 1) * relaxed_fraction + 1e-9) > int(i * relaxed_fraction + 1e-9)
