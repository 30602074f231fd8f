"""``skfti suggest --family F --task NAME``: suggestions for a task of a family.

The model comes through the same door as for data files
(:mod:`skfti.cli._models`): ``--model NAME``, ``--inferrer FILE`` (joblib
or the pickle-free ``.json``), or ``inferrer.joblib`` in the working
directory, what ``skfti fit`` writes by default.
"""

import os

from skfti._inferrer_search import suggestion_list
from skfti.cli._models import check_model_source, load_inferrer
from skfti.cli._outputs import check_output_path
from skfti.datasets import DataFileError, load_family

__all__ = ["suggest_for_family_task"]


def suggest_for_family_task(args):
    """``skfti suggest --family F --task NAME``: the inferrer's favourites."""
    check_output_path(args.json, "--json")
    path = args.inferrer
    if path is None and args.model is None:
        path = "inferrer.joblib"  # what `skfti fit` writes by default
        if not os.path.isfile(path):
            raise DataFileError(
                "no inferrer.joblib here: fit one (skfti fit --output "
                "inferrer.joblib), or pass --inferrer FILE or --model NAME"
            )
    source = check_model_source(args.model, path, None)
    tasks, _ = load_family(args.family, args.n_tasks, args.seed)
    task = {t.name: t for t in tasks}.get(args.task)
    if task is None:
        raise DataFileError(
            f"unknown task {args.task!r}; tasks: {', '.join(t.name for t in tasks)}"
        )
    inferrer = load_inferrer(source)
    try:
        encodings, values = suggestion_list(
            inferrer,
            task.X_train,
            task.y_train,
            args.top_k,
            discretize=not args.relaxed,
        )
    except ValueError as exc:  # the task does not fit the inferrer's views
        raise DataFileError(f"task {task.name!r}: {exc}") from None
    for rank, (encoding, value) in enumerate(zip(encodings, values, strict=True)):
        print(f"{rank + 1}. {encoding.describe()}")
        print(f"   predicted normalized accuracy: {value:.3f}")
    if args.json:
        with open(args.json, "w") as f:
            f.write(encodings[0].to_json())
    return 0
