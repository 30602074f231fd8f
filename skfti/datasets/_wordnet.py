"""k-way supersense tasks from WordNet 3.0 glosses."""

import functools
import os

from skfti.datasets._base import (
    MissingDataSourceError,
    group_unique_texts,
    sample_k_way_tasks,
)

WORDNET_DIR = "/usr/share/wordnet"
_INSTALL = "sudo apt-get install -y wordnet-base"

# The 45 lexicographer files of WordNet 3.0 (its `lexnames` file), by number.
LEXNAMES = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal",
    "noun.artifact", "noun.attribute", "noun.body", "noun.cognition",
    "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
    "noun.location", "noun.motive", "noun.object", "noun.person",
    "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state",
    "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
    "verb.communication", "verb.competition", "verb.consumption", "verb.contact",
    "verb.creation", "verb.emotion", "verb.motion", "verb.perception",
    "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl",
)  # fmt: skip

_POS = ("noun", "verb", "adj", "adv")


@functools.lru_cache(maxsize=4)
def load_wordnet_glosses(wordnet_dir=WORDNET_DIR):
    """Read every synset gloss of WordNet with its supersense.

    Parameters
    ----------
    wordnet_dir : str, default="/usr/share/wordnet"
        Folder holding ``data.noun``, ``data.verb``, ``data.adj``, ``data.adv``.

    Returns
    -------
    glosses : tuple of str
        The gloss of each synset (definition and examples).
    supersenses : tuple of str
        Its lexicographer file name, e.g. ``"noun.animal"``.
    """
    glosses, supersenses = [], []
    for pos in _POS:
        path = os.path.join(wordnet_dir, f"data.{pos}")
        if not os.path.isfile(path):
            raise MissingDataSourceError(
                f"WordNet data file {path} not found; install it with "
                f"`{_INSTALL}` (or scripts/install_data.sh)."
            )
        with open(path, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if line.startswith("  ") or " | " not in line:
                    continue  # licence header
                fields = line.split(" ", 3)
                glosses.append(line.split(" | ", 1)[1].strip())
                supersenses.append(LEXNAMES[int(fields[1])])
    return tuple(glosses), tuple(supersenses)


@functools.lru_cache(maxsize=4)
def _wordnet_groups(wordnet_dir):
    return group_unique_texts(*load_wordnet_glosses(wordnet_dir))


def load_wordnet_tasks(
    n_tasks=20,
    *,
    n_classes=5,
    n_samples_per_class=200,
    pos=None,
    random_state=0,
    wordnet_dir=WORDNET_DIR,
):
    """Load k-way supersense classification tasks built from WordNet glosses.

    Each task draws ``n_classes`` supersenses (lexicographer files such as
    ``noun.animal`` or ``verb.motion``) and ``n_samples_per_class`` glosses of
    each; the text is the gloss, the label its supersense. All tasks share one
    text domain but differ in difficulty (e.g. ``noun.animal`` vs
    ``noun.plant`` is easier than ``noun.act`` vs ``noun.event``): many related
    tasks, as the value network needs.

    Parameters
    ----------
    n_tasks : int, default=20
        Number of tasks (each with a distinct set of classes).
    n_classes : int or (int, int), default=5
        Classes per task, or an inclusive range drawn per task.
    n_samples_per_class : int, default=200
        Glosses per class; only supersenses with at least this many unique
        glosses are used (34 have >= 500).
    pos : str or sequence of str, default=None
        Restrict to supersenses of these parts of speech (``"noun"``,
        ``"verb"``, ``"adj"``, ``"adv"``); None for all.
    random_state : int, RandomState instance or None, default=0
        Seed of the draws and of each task's split. Pass an int for the same
        tasks across calls.
    wordnet_dir : str, default="/usr/share/wordnet"
        Folder of the WordNet data files.

    Returns
    -------
    tasks : list of Task
        Text tasks named ``"wordnet-<k>way-<i>"``.

    Raises
    ------
    MissingDataSourceError
        If WordNet is not installed (``apt-get install -y wordnet-base``).

    Examples
    --------
    >>> from skfti.datasets import load_wordnet_tasks
    >>> tasks = load_wordnet_tasks(2, n_classes=3, n_samples_per_class=50)
    >>> [task.n_samples for task in tasks]  # doctest: +SKIP
    [150, 150]
    """
    groups = _wordnet_groups(wordnet_dir)
    if pos is not None:
        pos = (pos,) if isinstance(pos, str) else tuple(pos)
        unknown = sorted(set(pos) - set(_POS))
        if unknown:
            raise ValueError(f"pos must be among {_POS}, got {unknown}.")
        groups = {k: v for k, v in groups.items() if k.split(".")[0] in pos}
    return sample_k_way_tasks(
        "wordnet",
        groups,
        n_tasks=n_tasks,
        n_classes=n_classes,
        n_samples_per_class=n_samples_per_class,
        random_state=random_state,
    )
