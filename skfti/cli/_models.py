"""Which inferrer the command line uses, checked against the data before use."""

import os
from pathlib import Path

from skfti.datasets import DataFileError
from skfti.pretrained import DEFAULT_MODELS  # by data kind, without --model


def check_model_source(model, inferrer_path, kind):
    """``("name", name)`` or ``("file", path)``, checked to exist; no loading.

    Raises DataFileError for an unknown model name (listing the available
    ones) or a missing inferrer file.
    """
    if inferrer_path is not None:
        if not os.path.isfile(inferrer_path):
            raise DataFileError(f"{inferrer_path}: no such inferrer file")
        return "file", os.fspath(inferrer_path)
    import skfti.pretrained

    name = model or DEFAULT_MODELS[kind]
    available = skfti.pretrained.available()
    if name not in available:
        listed = ", ".join(available) if available else "none installed"
        raise DataFileError(
            f"no pretrained model named {name!r}; available: {listed} (or pass "
            "--inferrer FILE, made by skfti fit)"
        )
    return "name", name


def model_data_kind(model, inferrer_path):
    """The kind of data ``--model`` takes (``"text"``, ``"numeric"``), else None.

    Read from the shipped model's description before the file is prepared, so
    that ``--model tabular-v1`` uses the numbers of a table that also has a
    text column. None without ``--model``, with ``--inferrer`` (known once
    loaded) and for a name that is not a model (an error later).
    """
    if model is None or inferrer_path is not None:
        return None
    import skfti.pretrained

    if model not in skfti.pretrained.available():
        return None
    return skfti.pretrained.data_kind(model)


def load_inferrer(source):
    """The fitted inferrer of a source from :func:`check_model_source`."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    import skfti.pretrained
    from skfti.inferrer import ArchitectureInferrer

    kind, where = source
    if kind == "name":
        return skfti.pretrained.load(where)
    try:
        if Path(where).suffix in (".json", ".npz"):
            inferrer = skfti.pretrained.load(where)
        else:
            import joblib

            inferrer = joblib.load(where)
    except (ImportError, AttributeError) as exc:  # saved by another version
        raise DataFileError(
            f"{where}: cannot load an inferrer from it: {_first_line(exc)}"
        ) from None
    except Exception as exc:  # not a pickle: a CSV, a text file, ...
        raise DataFileError(
            f"{where}: not a saved inferrer (a joblib file written by skfti fit "
            f"--output, or its .json); reading it failed: {_first_line(exc)}"
        ) from None
    if not isinstance(inferrer, ArchitectureInferrer):
        raise DataFileError(
            f"{where}: holds a {type(inferrer).__name__}, not an ArchitectureInferrer"
        )
    try:
        check_is_fitted(inferrer)
    except NotFittedError:
        raise DataFileError(f"{where}: the inferrer in it is not fitted") from None
    return inferrer


def _first_line(exc):
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def describe_source(source, inferrer):
    """One line naming the model and its views."""
    views = ", ".join(inferrer.search_space_.views)
    tasks = getattr(inferrer, "n_train_tasks_", None)
    trained = f", value network fitted on {tasks} tasks" if tasks else ""
    blind = (
        "; without meta-features it suggests the same networks for every data set"
        if getattr(inferrer, "meta_features", None) == "none"
        else ""
    )
    return f"model {source[1]} (views {views}{trained}{blind})"


def check_compatible(inferrer, data, where):
    """Raise DataFileError if the inferrer cannot take this kind of data.

    Also checks that the embedding modules of a text inferrer's views are
    installed, before anything is embedded.
    """
    views = tuple(inferrer.search_space_.views)
    text_model = not inferrer.search_space_.is_numeric
    if data.kind == "text" and not text_model:
        raise DataFileError(
            f"{where} is a model for numeric data, but the data is text; use a text "
            f"model (--model {DEFAULT_MODELS['text']}) or --inferrer of one"
        )
    if data.kind == "numeric" and text_model:
        raise DataFileError(
            f"{where} is a model for text (views {', '.join(views)}), but the data "
            "has no text column; use a tabular model or name the text with "
            "--text-column"
        )
    if text_model and not inferrer.embedding_modules:
        from skfti.embeddings import get_embedding_module

        for view in views:
            try:
                get_embedding_module(view)
            except (ImportError, ValueError) as exc:
                raise DataFileError(str(exc)) from None
