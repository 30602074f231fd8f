"""Parsing the command line: its parser class and argument types.

A bad value (``--n-jobs 0``, ``--epochs -1``, ``--top-k abc``) is the
parser's error, before any file is read or any task loaded, and, like every
error of the command line, one line on stderr and status 2.
"""

import argparse

__all__ = ["OneLineParser", "job_count", "positive_int"]


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block).

    ``skfti suggest --top-k abc`` prints ``skfti suggest: error: argument
    --top-k: invalid int value: 'abc' (skfti suggest --help lists the
    options)`` and exits with status 2; subparsers are of this class too.
    """

    def error(self, message):
        line = " ".join(str(message).split())
        self.exit(
            2, f"{self.prog}: error: {line} ({self.prog} --help lists the options)\n"
        )


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
