"""The one bound for integer seeds drawn from a ``RandomState``."""

import numpy as np

__all__ = ["SEED_MAX"]

SEED_MAX = int(np.iinfo(np.int32).max)
"""Seeds are drawn with ``rng.randint(SEED_MAX)``: valid for every seeded API."""
