"""Warnings of the library, shown by the command line as one note line each."""

import sys
import warnings
from contextlib import contextmanager

__all__ = ["warnings_as_notes"]


@contextmanager
def warnings_as_notes(prog):
    """Print each ``UserWarning`` raised inside as ``PROG: note: MESSAGE``.

    On stderr, one line each, instead of Python's two lines pointing into
    the library; other warnings are shown as usual.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        yield
    for w in caught:
        if issubclass(w.category, UserWarning):
            line = " ".join(str(w.message).split())
            print(f"{prog}: note: {line}", file=sys.stderr, flush=True)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
