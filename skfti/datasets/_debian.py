"""k-way section tasks from the one-line descriptions of Debian packages.

No model of the project was trained on these: they are the text family kept
for evaluation on a corpus the pretrained models have never seen.
"""

import functools
import re
import shutil
import subprocess

from skfti.datasets._base import (
    MissingDataSourceError,
    group_unique_texts,
    sample_k_way_tasks,
)

TOPIC_SECTIONS = (
    "admin", "comm", "database", "editors", "electronics", "games", "gnome",
    "graphics", "hamradio", "kde", "mail", "math", "net", "science", "sound",
    "text", "utils", "video", "web", "x11",
)  # fmt: skip
"""Sections named by what a program does, not by its language or packaging
(``libs``, ``python``, ``rust``, ``doc``, ... are left out: their
descriptions say "library", "Python module" or "crate", not a topic)."""

_NOT_A_PROGRAM = re.compile(r"transitional|dummy package|metapackage", re.IGNORECASE)
_INSTALL = "a Debian system with package lists (`sudo apt-get update`)"


def _read_package_index(packages_file):
    if packages_file is not None:
        with open(packages_file, encoding="utf-8", errors="replace") as stream:
            return stream.read()
    if shutil.which("apt-cache") is None:
        raise MissingDataSourceError(
            f"apt-cache not found; the Debian tasks need {_INSTALL}, or pass "
            "packages_file (an uncompressed Packages file)."
        )
    run = subprocess.run(
        ["apt-cache", "dumpavail"], capture_output=True, check=False, text=True
    )
    if run.returncode != 0 or not run.stdout.strip():
        raise MissingDataSourceError(
            f"`apt-cache dumpavail` listed no packages; the Debian tasks need "
            f"{_INSTALL}, or pass packages_file."
        )
    return run.stdout


@functools.lru_cache(maxsize=4)
def load_debian_descriptions(packages_file=None):
    """Read every package's one-line description with its section.

    Parameters
    ----------
    packages_file : str or None, default=None
        An uncompressed Debian ``Packages`` file; ``None`` reads the
        system's package lists through ``apt-cache dumpavail``.

    Returns
    -------
    texts : tuple of str
        Descriptions (the synopsis line) of packages in
        :data:`TOPIC_SECTIONS`, transitional and dummy packages left out.
    sections : tuple of str
        The section of each (``contrib/`` and ``non-free/`` prefixes dropped).
    """
    texts, sections = [], []
    for record in _read_package_index(packages_file).split("\n\n"):
        section = re.search(r"^Section: *(\S+)", record, re.MULTILINE)
        text = re.search(r"^Description: *(.+)", record, re.MULTILINE)
        if section is None or text is None:
            continue
        section = section.group(1).rsplit("/", 1)[-1]
        text = text.group(1).strip()
        if section in TOPIC_SECTIONS and not _NOT_A_PROGRAM.search(text):
            texts.append(text)
            sections.append(section)
    if not texts:
        raise MissingDataSourceError(
            f"no package of the topic sections found; the Debian tasks need "
            f"{_INSTALL}, or pass packages_file."
        )
    return tuple(texts), tuple(sections)


def load_debian_package_tasks(
    n_tasks=10,
    *,
    n_classes=4,
    n_samples_per_class=150,
    random_state=0,
    packages_file=None,
):
    """Load k-way section classification tasks of Debian package descriptions.

    Each task draws ``n_classes`` sections (``games``, ``science``, ``mail``,
    ...; :data:`TOPIC_SECTIONS`) and ``n_samples_per_class`` packages of
    each; the text is the package's one-line description ("simple
    spreadsheet program for the console"), the label its section. The
    pretrained models never saw these texts: they are the project's unseen
    text family (``scripts/unseen_corpus.py``).

    Parameters
    ----------
    n_tasks : int, default=10
        Number of tasks (each with a distinct set of classes).
    n_classes : int or (int, int), default=4
        Classes per task, or an inclusive range drawn per task.
    n_samples_per_class : int, default=150
        Descriptions per class; only sections with at least this many
        unique descriptions are used.
    random_state : int, RandomState instance or None, default=0
        Seed of the draws and of each task's split.
    packages_file : str or None, default=None
        An uncompressed Debian ``Packages`` file instead of the system's
        package lists.

    Returns
    -------
    tasks : list of Task
        Text tasks named ``"debian-<k>way-<i>"``.

    Raises
    ------
    MissingDataSourceError
        If there are no package lists to read (not a Debian system, or
        ``apt-get update`` never ran) and no ``packages_file``.
    """
    texts, sections = load_debian_descriptions(packages_file)
    return sample_k_way_tasks(
        "debian",
        group_unique_texts(texts, sections),
        n_tasks=n_tasks,
        n_classes=n_classes,
        n_samples_per_class=n_samples_per_class,
        random_state=random_state,
    )
