"""Argument types of the command line, checked while the arguments are parsed.

A bad value (``--n-jobs 0``, ``--epochs -1``) is then argparse's error,
before any file is read or any task loaded.
"""

import argparse

__all__ = ["job_count", "positive_int"]


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def positive_int(text):
    """An ``int >= 1``."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def job_count(text):
    """joblib's ``n_jobs``: a nonzero int (``-1``: all cores)."""
    value = _int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(
            "must be a number of processes >= 1, or -1 for all cores (joblib's "
            "n_jobs); got 0"
        )
    return value
