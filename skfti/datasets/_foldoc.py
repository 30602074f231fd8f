"""k-way subject tasks from the Free On-line Dictionary of Computing (FOLDOC).

A second corpus kept for evaluation only, as the Debian package descriptions:
no model of the project was trained on it. Definitions of computing terms,
labelled by the subject FOLDOC tags them with (``<networking>``,
``<database>``, ...).
"""

import functools
import gzip
import re
from pathlib import Path

from skfti.datasets._base import (
    MissingDataSourceError,
    group_unique_texts,
    sample_k_way_tasks,
)

FOLDOC_DICT = "/usr/share/dictd/foldoc.dict.dz"
"""Where Debian's ``dict-foldoc`` installs the dictionary (dictd format,
gzip-compatible)."""

_INSTALL = "`sudo apt-get install dict-foldoc`"
# A definition opens with its subject in angle brackets, indented by spaces
# ("   <networking> A protocol that ..."); its first paragraph ends at a
# blank line.
_DEFINITION = re.compile(r"^ +<([^<>\n]+)> +(.+?)(?:\n[ \t]*\n|\Z)", re.M | re.S)
_CROSS_REFERENCE = re.compile(r"[{}]")


def _read_dictionary(dictionary_file):
    path = Path(FOLDOC_DICT if dictionary_file is None else dictionary_file)
    if not path.exists():
        raise MissingDataSourceError(
            f"{path} not found; the FOLDOC tasks need {_INSTALL}, or pass "
            "dictionary_file (a foldoc.dict or foldoc.dict.dz)."
        )
    opener = gzip.open if path.suffix in (".dz", ".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as stream:
        return stream.read()


@functools.lru_cache(maxsize=4)
def load_foldoc_definitions(dictionary_file=None):
    """Read the first paragraph of every FOLDOC definition with its subject.

    Parameters
    ----------
    dictionary_file : str or None, default=None
        A FOLDOC dictionary in dictd format (``foldoc.dict.dz`` or its
        uncompressed ``foldoc.dict``); ``None`` reads :data:`FOLDOC_DICT`.

    Returns
    -------
    texts : tuple of str
        The first paragraph of each definition, its subject tag removed, the
        braces of its cross-references dropped and its whitespace collapsed.
    subjects : tuple of str
        The subject of each (``"networking"``, ``"database"``, ...).
        Definitions tagged with several subjects (``<networking,
        standard>``) are left out.
    """
    texts, subjects = [], []
    for match in _DEFINITION.finditer(_read_dictionary(dictionary_file)):
        subject = match.group(1).strip()
        if "," in subject:
            continue
        text = " ".join(_CROSS_REFERENCE.sub("", match.group(2)).split())
        if text:
            texts.append(text)
            subjects.append(subject)
    if not texts:
        raise MissingDataSourceError(
            f"no tagged definition found; the FOLDOC tasks need {_INSTALL}, "
            "or pass dictionary_file."
        )
    return tuple(texts), tuple(subjects)


def load_foldoc_tasks(
    n_tasks=10,
    *,
    n_classes=4,
    n_samples_per_class=100,
    random_state=0,
    dictionary_file=None,
):
    """Load k-way subject classification tasks of FOLDOC definitions.

    Each task draws ``n_classes`` subjects (``networking``, ``hardware``,
    ``database``, ...) and ``n_samples_per_class`` definitions of each; the
    text is the first paragraph of a definition ("A protocol that ..."), the
    label its subject. The pretrained models never saw these texts: with the
    Debian package descriptions they are the project's unseen text families
    (``scripts/unseen_corpus.py``).

    Parameters
    ----------
    n_tasks : int, default=10
        Number of tasks (each with a distinct set of classes).
    n_classes : int or (int, int), default=4
        Classes per task, or an inclusive range drawn per task.
    n_samples_per_class : int, default=100
        Definitions per class; only subjects with at least this many unique
        definitions are used (16 subjects at 100, 8 at 200).
    random_state : int, RandomState instance or None, default=0
        Seed of the draws and of each task's split.
    dictionary_file : str or None, default=None
        A FOLDOC dictionary file instead of :data:`FOLDOC_DICT`.

    Returns
    -------
    tasks : list of Task
        Text tasks named ``"foldoc-<k>way-<i>"``.

    Raises
    ------
    MissingDataSourceError
        If the dictionary is not installed (Debian's ``dict-foldoc``) and no
        ``dictionary_file`` is given.
    """
    texts, subjects = load_foldoc_definitions(dictionary_file)
    return sample_k_way_tasks(
        "foldoc",
        group_unique_texts(texts, subjects),
        n_tasks=n_tasks,
        n_classes=n_classes,
        n_samples_per_class=n_samples_per_class,
        random_state=random_state,
    )
