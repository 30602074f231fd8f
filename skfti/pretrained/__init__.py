"""Pretrained value networks shipped inside the package.

A shipped model is two files in ``skfti/pretrained/models/``: ``<name>.npz``
(the value network's weights, the normalization of the precomputed
meta-features and the reference encodings that put the network's scores in
the unit of normalized accuracy, read with ``allow_pickle=False``) and
``<name>.json`` (the search space, the view names, the hyperparameters that
rebuild the inferrer, its fitted attributes, and the provenance: what it was
trained on, with which settings and skfti version, and how it scored). No
pickle, so a model file can be read, diffed and audited.

:func:`load` returns a fitted :class:`~skfti.ArchitectureInferrer` whose
``suggest`` runs on NumPy: loading and suggesting never import TensorFlow.
Text models embed raw texts by their views (the embedding modules named by
the search space's views) or take the stacked view features directly.

Examples
--------
>>> import skfti.pretrained
>>> isinstance(skfti.pretrained.available(), list)
True
"""

import json
import os
from numbers import Integral
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_MODELS", "available", "data_kind", "load", "save"]

FORMAT = "skfti-pretrained-inferrer"
FORMAT_VERSION = 1
_MODELS = Path(__file__).resolve().parent / "models"
# fitted attributes kept in the JSON file (the arrays go to the .npz file)
_FITTED = ("n_features_in_", "n_train_tasks_", "loss_curve_")

DEFAULT_MODELS = {"text": "text-v2", "numeric": "tabular-v1"}
"""The shipped model for each kind of data: what ``inferrer="auto"`` of
:class:`~skfti.InferredArchitectureClassifier` and the command line load.

``text-v2`` (four views, with all-MiniLM-L6-v2) since 2026-12-04, chosen
over ``text-v1`` (three views) on validation splits: held-out task families
and two unseen corpora (docs/results.md, "The second text model")."""


def available():
    """Names of the pretrained models shipped with this installation.

    Returns
    -------
    names : list of str
        Sorted; each one can be passed to :func:`load`.
    """
    if not _MODELS.is_dir():
        return []
    return sorted(
        p.stem for p in _MODELS.glob("*.json") if p.with_suffix(".npz").is_file()
    )


def data_kind(name):
    """``"text"`` or ``"numeric"``: the data a model takes, without loading it.

    Parameters
    ----------
    name : str or path-like
        As for :func:`load`.

    Returns
    -------
    kind : {"text", "numeric"}
        The keys of :data:`DEFAULT_MODELS`.
    """
    from skfti.search_space import SearchSpace

    _, js = _paths(name)
    if not js.is_file():
        raise ValueError(f"Model file not found: {js}")
    document = _read_document(js)
    try:
        space = SearchSpace.from_dict(document["search_space"])
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"{js}: the model's search space is not valid: {exc}") from exc
    return "numeric" if space.is_numeric else "text"


def _paths(name_or_path):
    """``(npz, json)`` paths of a shipped name or of a path (suffix optional)."""
    text = os.fspath(name_or_path)
    base = Path(text)
    if text.endswith((".joblib", ".pkl", ".pickle")):
        raise ValueError(
            f"{text} is a pickle (skfti fit --output writes one): load it with "
            f"joblib.load({text!r}) and pass the inferrer itself, or write the "
            "model as .json/.npz files with skfti fit --output NAME.json"
        )
    if not _is_path(text):
        shipped = available()
        if text in shipped:
            base = _MODELS / text
        elif not all(Path(text + s).is_file() for s in (".npz", ".json")):
            raise ValueError(  # nor saved under that name in the working directory
                f"No pretrained model named {text!r}; available: {shipped} "
                "(or pass the path of a model saved with skfti.pretrained.save)"
            )
    elif base.is_dir():
        raise ValueError(
            f"{text} is a folder, not a model: pass a model name ({available()}) "
            "or the path of a model's .npz and .json files"
        )
    elif base.suffix in (".npz", ".json"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".npz"), base.with_name(base.name + ".json")


def _feature_map_classes():
    """The feature maps a model file may name: skfti's own, by ``module:name``."""
    from skfti.embeddings._tabular import TabularFeatureMap  # not TF's modules

    return {f"{cls.__module__}:{cls.__qualname__}": cls for cls in (TabularFeatureMap,)}


def _feature_map_spec(feature_map):
    if feature_map is None:
        return None
    cls = type(feature_map)
    name = f"{cls.__module__}:{cls.__qualname__}"
    if _feature_map_classes().get(name) is not cls:
        raise ValueError(
            f"feature_map {cls.__name__} cannot be saved without pickle: only "
            "skfti's own feature maps (TabularFeatureMap) can"
        )
    spec = {"class": name, "params": feature_map.get_params()}
    try:
        json.loads(json.dumps(spec, default=_json_number))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"feature_map's parameters are not JSON: {exc}") from exc
    return spec


def _build_feature_map(spec):
    if spec is None:
        return None
    if not isinstance(spec, dict) or not isinstance(spec.get("params"), dict):
        raise ValueError(f"feature_map must be null or a class and params: {spec!r}")
    cls = _feature_map_classes().get(spec.get("class"))
    if cls is None:  # never import or call what a file names
        raise ValueError(
            f"Refusing to load feature_map class {spec.get('class')!r}: a model "
            f"file may name {sorted(_feature_map_classes())} only"
        )
    return cls(**spec["params"])


def save(inferrer, path_or_name, *, provenance):
    """Write a fitted inferrer as model files (``.npz`` + ``.json``), no pickle.

    Parameters
    ----------
    inferrer : ArchitectureInferrer
        Fitted. Its ``embedding_modules`` are not saved: a loaded model looks
        its modules up by the search space's view names.
    path_or_name : str or path-like
        A bare name (e.g. ``"text-v1"``) writes into the package's
        ``skfti/pretrained/models/`` (to ship it); a path (``dir/name``, the
        suffix optional) writes ``dir/name.npz`` and ``dir/name.json``.
    provenance : dict
        JSON-serializable description of how the model was made, e.g.
        ``tasks``, ``n_children``, ``child_settings``, ``experiments_sha256``
        and the leave-one-task-out figures. ``skfti_version`` is added if
        missing.

    Returns
    -------
    paths : tuple of Path
        The ``.npz`` and ``.json`` files written.
    """
    from sklearn.utils.validation import check_is_fitted

    from skfti import __version__

    check_is_fitted(inferrer)
    if not isinstance(provenance, dict):
        raise ValueError(f"provenance must be a dict, got {type(provenance).__name__}")
    provenance = {"skfti_version": __version__, **provenance}
    params = inferrer.get_params(deep=False)
    params.pop("search_space")
    params.pop("embedding_modules")
    params["feature_map"] = _feature_map_spec(params["feature_map"])
    seed = params["random_state"]
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        params["random_state"] = int(seed)  # NumPy ints too: the same seed
    elif seed is not None:
        params["random_state"] = None  # a RandomState instance is not JSON
    params["phi_units"] = list(params["phi_units"])
    params["rho_units"] = list(params["rho_units"])
    arrays = {f"weight_{i}": np.asarray(w) for i, w in enumerate(inferrer.weights_)}
    if hasattr(inferrer, "meta_mean_"):
        arrays["meta_mean"] = inferrer.meta_mean_
        arrays["meta_scale"] = inferrer.meta_scale_
    fitted = {a: getattr(inferrer, a) for a in _FITTED}
    if getattr(inferrer, "value_scale_", None) is not None:
        fitted["value_scale_"] = float(inferrer.value_scale_)
        arrays["reference_encodings"] = inferrer.reference_encodings_
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "search_space": inferrer.search_space_.to_dict(),
        "views": list(inferrer.search_space_.views),
        "n_weights": len(inferrer.weights_),
        "params": params,
        "fitted": fitted,
        "provenance": provenance,
    }
    try:
        text = json.dumps(document, indent=1, default=_json_number, allow_nan=False)
    except TypeError as exc:
        raise ValueError(f"provenance is not JSON-serializable: {exc}") from exc
    except ValueError as exc:  # NaN or infinity, which JSON has not
        raise ValueError(
            f"the model holds NaN or infinity, which JSON cannot store ({exc}): "
            "in provenance, or a diverged fit's loss_curve_"
        ) from exc
    if _is_path(path_or_name):
        npz, js = _paths(path_or_name)
    else:
        npz, js = _named(path_or_name)
    npz.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(npz, **arrays)
    js.write_text(text + "\n", encoding="utf-8")
    return npz, js


def _is_path(name_or_path):
    text = os.fspath(name_or_path)
    return os.sep in text or "/" in text or text.endswith((".npz", ".json"))


def _named(name):
    if not name or name.startswith("."):
        raise ValueError(f"Not a model name: {name!r}")
    return _MODELS / f"{name}.npz", _MODELS / f"{name}.json"


def _json_number(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")


def load(name):
    """A fitted :class:`~skfti.ArchitectureInferrer` from shipped or saved files.

    Parameters
    ----------
    name : str or path-like
        One of :func:`available`, or the path of a model written by
        :func:`save` (with or without the suffix; a bare name that is not
        shipped is looked for as files in the working directory).

    Returns
    -------
    inferrer : ArchitectureInferrer
        Fitted; its ``provenance_`` attribute holds the stored provenance.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the available ones) or a file
        that is not a model of this format.
    """
    from skfti.inferrer import ArchitectureInferrer
    from skfti.search_space import SearchSpace

    npz, js = _paths(name)
    missing = [str(p) for p in (npz, js) if not p.is_file()]
    if missing:
        raise ValueError(
            f"Model file not found: {' and '.join(missing)} (a model saved by "
            "skfti.pretrained.save is a .npz and a .json file side by side)"
        )
    document = _read_document(js)
    params = dict(document["params"])
    params["phi_units"] = tuple(params["phi_units"])
    params["rho_units"] = tuple(params["rho_units"])
    # Models saved before these parameters existed read encodings as given
    # and searched discrete suggestions by gradient ascent: they still do.
    params.setdefault("canonical_encodings", False)
    params.setdefault("discrete_search", "ascent")
    try:
        params["feature_map"] = _build_feature_map(params["feature_map"])
        if params["feature_map"] is not None:
            params["feature_map"]._validate_params()
        space = SearchSpace.from_dict(document["search_space"])
        inferrer = ArchitectureInferrer(search_space=space, **params)
        inferrer._validate_params()  # scikit-learn's own check of every parameter
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"{js}: the model's parameters are not valid: {exc}") from exc
    with np.load(npz, allow_pickle=False) as arrays:
        inferrer.weights_ = [
            arrays[f"weight_{i}"] for i in range(document["n_weights"])
        ]
        if "meta_mean" in arrays:
            inferrer.meta_mean_ = arrays["meta_mean"]
            inferrer.meta_scale_ = arrays["meta_scale"]
        # models saved before values were scaled give the network's scores
        inferrer.value_scale_ = document["fitted"].pop("value_scale_", None)
        inferrer.reference_encodings_ = (
            arrays["reference_encodings"] if "reference_encodings" in arrays else None
        )
    inferrer.search_space_ = space
    for attribute, value in document["fitted"].items():
        setattr(inferrer, attribute, value)
    inferrer.provenance_ = document["provenance"]
    try:  # weights of the shape the parameters say, and finite
        inferrer._numpy_network()
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{npz}: {exc}") from exc
    return inferrer


_DOCUMENT_KEYS = ("search_space", "n_weights", "params", "fitted", "provenance")


def _read_document(js):
    """The model's JSON, checked to be of this format before anything is built."""
    try:
        document = json.loads(js.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{js} is not a model file: {exc}") from exc
    version = document.get("format_version") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or isinstance(version, bool)
        or not isinstance(version, int)
        or version > FORMAT_VERSION
    ):
        raise ValueError(
            f"{js} is not a model of format {FORMAT} version <= {FORMAT_VERSION}"
        )
    missing = [key for key in _DOCUMENT_KEYS if key not in document]
    if missing:
        raise ValueError(f"{js} is not a complete model: it lacks {missing}")
    return document
