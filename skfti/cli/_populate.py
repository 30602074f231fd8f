"""``skfti populate --data`` and ``skfti fit --data``: pretraining on a user's files.

One task per file, named by the file's stem. Text files search over the
text views (:data:`skfti.datasets.TEXT_VIEWS`); numeric files keep their own
columns (children train on them as they are) and the inferrer maps every
task into one feature space with :class:`~skfti.embeddings.TabularFeatureMap`,
as for the tabular family.
"""

from pathlib import Path

from skfti.datasets import TEXT_VIEWS, DataFileError, load_task_file
from skfti.search_space import SearchSpace


def load_file_tasks(args):
    """``(tasks, search_space, kind)`` of ``args.data``; every file checked first."""
    tasks = []
    for path in args.data:
        task = load_task_file(
            path,
            args.target,
            text_column=args.text_column,
            format=args.format,
            dropna=args.dropna,
            random_state=args.seed,
        )
        tasks.append(task)
    names = [t.name for t in tasks]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataFileError(
            f"several files give the task name {repeated[0]!r} (the file stem); "
            "rename them"
        )
    kinds = {t.is_text for t in tasks}
    if len(kinds) > 1:
        text = [
            Path(p).name for p, t in zip(args.data, tasks, strict=True) if t.is_text
        ]
        raise DataFileError(
            f"mixed data: {', '.join(text)} hold text, the other files numbers; "
            "populate them in separate stores"
        )
    if tasks[0].is_text:
        return tasks, SearchSpace(views=TEXT_VIEWS), "text"
    return tasks, SearchSpace(), "numeric"


def feature_map(kind, seed):
    """The inferrer's feature map for numeric tasks (None for text)."""
    if kind == "text":
        return None
    from skfti.embeddings import TabularFeatureMap

    return TabularFeatureMap(random_state=seed)


def save_inferrer(inferrer, output, tasks, settings):
    """joblib for ``.joblib``/``.pkl`` files, else skfti's pickle-free format."""
    if Path(output).suffix in (".json", ".npz"):
        import skfti.pretrained

        skfti.pretrained.save(
            inferrer,
            output,
            provenance={"tasks": [t.name for t in tasks], "child_settings": settings},
        )
        return
    import joblib

    joblib.dump(inferrer, output)
