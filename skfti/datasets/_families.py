"""Named task families, each with the search space that suits its tasks."""

from skfti.datasets._fortunes import load_fortune_tasks
from skfti.datasets._reviews import load_review_tasks
from skfti.datasets._synthetic import make_task_family
from skfti.datasets._tabular import load_tabular_tasks
from skfti.datasets._wordnet import load_wordnet_tasks
from skfti.search_space import SearchSpace

TEXT_VIEWS = ("glove50", "use512", "hashed256")
"""Input views of the search space of the text families."""

FAMILY_NAMES = ("wordnet", "fortunes", "reviews", "text", "synthetic", "tabular")
"""Names accepted by :func:`load_family`."""


def _wordnet(n_tasks, random_state):
    return load_wordnet_tasks(
        n_tasks, n_classes=4, n_samples_per_class=150, random_state=random_state
    )


def _text(n_tasks, random_state):
    """WordNet, fortune and review tasks: the family of the evaluation study."""
    reviews = load_review_tasks(max_samples=1000, random_state=random_state)
    n_rest = max(0, n_tasks - len(reviews))
    n_wordnet = (n_rest + 1) // 2
    tasks = (
        _wordnet(n_wordnet, random_state)
        + load_fortune_tasks(n_rest - n_wordnet, random_state=random_state)
        + reviews
    )
    return tasks[:n_tasks]


_LOADERS = {
    "wordnet": _wordnet,
    "fortunes": lambda n, seed: load_fortune_tasks(n, random_state=seed),
    "reviews": lambda n, seed: load_review_tasks(random_state=seed)[:n],
    "text": _text,
    "synthetic": lambda n, seed: make_task_family(n, n_samples=400, random_state=seed),
    "tabular": lambda n, seed: load_tabular_tasks()[:n],
}
_TEXT_FAMILIES = ("wordnet", "fortunes", "reviews", "text")


def load_family(name, n_tasks, random_state=0):
    """Tasks of a named family and the search space that suits them.

    Parameters
    ----------
    name : {"wordnet", "fortunes", "reviews", "text", "synthetic", "tabular"}
        The family. ``"text"`` mixes WordNet, fortune and review tasks (the
        family of the evaluation study); the text families search over the
        input views :data:`TEXT_VIEWS`, the numeric ones over the default
        search space.
    n_tasks : int
        Number of tasks (the review and tabular families have a fixed list,
        cut to ``n_tasks``).
    random_state : int, default=0
        Seed of the loaders. Pass an int for reproducible output across calls.

    Returns
    -------
    tasks : list of Task
        The tasks.
    search_space : SearchSpace
        The search space that suits them.

    Raises
    ------
    ValueError
        If ``name`` is not a known family; the message lists the known ones.
    MissingDataSourceError
        If the family's data source is not installed.

    Examples
    --------
    >>> from skfti.datasets import load_family
    >>> tasks, space = load_family("synthetic", 2)
    >>> [task.name for task in tasks], space.views
    (['synthetic-00', 'synthetic-01'], ('input',))
    """
    if name not in _LOADERS:
        raise ValueError(
            f"unknown family {name!r}; known families: {', '.join(FAMILY_NAMES)}."
        )
    space = SearchSpace(views=TEXT_VIEWS) if name in _TEXT_FAMILIES else SearchSpace()
    return _LOADERS[name](n_tasks, random_state), space
