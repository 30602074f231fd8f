"""Parsing the command line: its parser class and argument types.

A bad value (``--n-jobs 0``, ``--epochs -1``, ``--top-k abc``) is the
parser's error, before any file is read or any task loaded, and, like every
error of the command line, one line on stderr and status 2.
"""

import argparse

from skfti.datasets import DataFileError

__all__ = [
    "OneLineParser",
    "check_suggest_options",
    "job_count",
    "positive_float",
    "positive_int",
    "suggestion_count",
]

MAX_SUGGESTIONS = 10_000
"""The most suggestions ``--top-k`` asks for (the spaces hold millions)."""

TEST_SIZE = 0.2
"""``skfti suggest --train``'s held-out fraction when ``--test-size`` is not given."""

_NEEDS_TRAIN = {
    "--output": "saves the trained model",
    "--combine": "chooses how --train combines the networks",
    "--test-size": "is the held-out fraction of --train",
}


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


def suggestion_count(text):
    """``--top-k``: an int in ``1..MAX_SUGGESTIONS``."""
    value = positive_int(text)
    if value > MAX_SUGGESTIONS:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_SUGGESTIONS:,}, got {value}"
        )
    return value


def positive_float(text):
    """A finite ``float > 0``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
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


def check_suggest_options(args):
    """Refuse ``skfti suggest`` options that would have no effect.

    As ``--output`` without ``--train``: ``--combine`` and ``--test-size``
    without ``--train``, ``--relaxed`` with a data file (its suggestions
    are discrete networks), and the training options with a family's
    ``--task``. Then fills in ``--test-size``'s default.
    """
    given = {
        "--output": args.output,
        "--combine": args.combine,
        "--test-size": args.test_size,
    }
    given = [flag for flag, value in given.items() if value is not None]
    if args.data is None:
        if args.train or given:
            flag = "--train" if args.train else given[0]
            raise DataFileError(
                f"{flag} is for a data file (skfti suggest DATA --target COLUMN "
                "--train); a family's --task only gets suggestions"
            )
    elif args.relaxed:
        raise DataFileError(
            "--relaxed is for a family's --task; for a data file skfti suggests "
            "discrete networks"
        )
    elif given and not args.train:
        raise DataFileError(f"{given[0]} {_NEEDS_TRAIN[given[0]]}: add --train")
    if args.test_size is None:
        args.test_size = TEST_SIZE
