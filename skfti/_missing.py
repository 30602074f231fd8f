"""One test of a missing value, shared by label checks and text columns."""

import numpy as np

__all__ = ["is_missing"]


def is_missing(value):
    """True for None, a float NaN (Python or NumPy) and pandas' ``NA``.

    ``pd.NA`` is recognised by its type's name so that pandas is never
    imported here; its comparisons are ``NA``, not ``False``, so it must be
    tested before any ``value != value``.
    """
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, (float, np.floating)) and bool(np.isnan(value))
