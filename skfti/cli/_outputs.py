"""Files the command line will write, checked before any work."""

import os

from skfti.datasets import DataFileError


def check_output_path(path, flag):
    """Raise :class:`DataFileError` unless ``path`` can be written as a file.

    Its folder must exist and be writable, and ``path`` must not be a folder;
    nothing is created. ``None`` (the flag not given) passes.
    """
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise DataFileError(f"{flag} {path} is a folder; give a file name")
    if not os.path.isdir(folder):
        raise DataFileError(f"{flag} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise DataFileError(f"{flag} {path}: the folder {folder} is not writable")
