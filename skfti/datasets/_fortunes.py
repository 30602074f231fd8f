"""k-way category tasks from the quotes of the Debian ``fortunes`` package."""

import functools
import os

from skfti.datasets._base import (
    MissingDataSourceError,
    group_unique_texts,
    sample_k_way_tasks,
)

FORTUNES_DIR = "/usr/share/games/fortunes"
_INSTALL = "sudo apt-get install -y fortunes"


@functools.lru_cache(maxsize=4)
def load_fortunes(fortunes_dir=FORTUNES_DIR):
    """Read every fortune with its category.

    Parameters
    ----------
    fortunes_dir : str, default="/usr/share/games/fortunes"
        Folder of the fortune files (one per category, entries separated by
        lines holding ``%``). Sub-folders (such as ``off/``) are not read.

    Returns
    -------
    texts : tuple of str
        The quotes.
    categories : tuple of str
        The category (file name) of each quote.
    """
    if not os.path.isdir(fortunes_dir):
        raise MissingDataSourceError(
            f"fortunes folder {fortunes_dir} not found; install it with "
            f"`{_INSTALL}` (or scripts/install_data.sh)."
        )
    texts, categories = [], []
    for name in sorted(os.listdir(fortunes_dir)):
        path = os.path.join(fortunes_dir, name)
        if "." in name or not os.path.isfile(path):
            continue  # .dat indexes, .u8 links, sub-folders
        with open(path, encoding="utf-8", errors="replace") as stream:
            entry = []
            for line in stream:
                if line.strip() == "%":
                    texts.append("".join(entry).strip())
                    categories.append(name)
                    entry = []
                else:
                    entry.append(line)
            texts.append("".join(entry).strip())
            categories.append(name)
    if not texts:
        raise MissingDataSourceError(
            f"no fortune files in {fortunes_dir}; install them with `{_INSTALL}`."
        )
    return tuple(texts), tuple(categories)


def load_fortune_tasks(
    n_tasks=10,
    *,
    n_classes=4,
    n_samples_per_class=150,
    random_state=0,
    fortunes_dir=FORTUNES_DIR,
):
    """Load k-way category classification tasks built from fortune quotes.

    Each task draws ``n_classes`` categories (``computers``, ``love``,
    ``science``, ...) and ``n_samples_per_class`` quotes of each; the text is
    the quote, the label its category.

    Parameters
    ----------
    n_tasks : int, default=10
        Number of tasks (each with a distinct set of classes).
    n_classes : int or (int, int), default=4
        Classes per task, or an inclusive range drawn per task.
    n_samples_per_class : int, default=150
        Quotes per class; only categories with at least this many unique
        quotes are used (13 have >= 500, 24 >= 200).
    random_state : int, RandomState instance or None, default=0
        Seed of the draws and of each task's split. Pass an int for the same
        tasks across calls.
    fortunes_dir : str, default="/usr/share/games/fortunes"
        Folder of the fortune files.

    Returns
    -------
    tasks : list of Task
        Text tasks named ``"fortunes-<k>way-<i>"``.

    Raises
    ------
    MissingDataSourceError
        If fortunes are not installed (``apt-get install -y fortunes``).
    """
    texts, categories = load_fortunes(fortunes_dir)
    return sample_k_way_tasks(
        "fortunes",
        group_unique_texts(texts, categories),
        n_tasks=n_tasks,
        n_classes=n_classes,
        n_samples_per_class=n_samples_per_class,
        random_state=random_state,
    )
