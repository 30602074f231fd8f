"""skfti: fast task-aware neural architecture inference, scikit-learn style.

The pipeline, module by module: :mod:`skfti.search_space` (the child-model
family) -> :mod:`skfti.encoding` (architecture encodings) ->
:mod:`skfti.relaxed_ffnn` (the trainable child network) -> :mod:`skfti.task`
and :mod:`skfti.meta_features` (tasks and their statistics) ->
:mod:`skfti.store` (the experiment database) -> :mod:`skfti.population` (the
parallel child population) -> :mod:`skfti.value_network` and
:mod:`skfti.inferrer` (the value network, Algorithms 1 and 2) ->
:mod:`skfti.inferred_classifier`; with :mod:`skfti.embeddings` (input views)
and :mod:`skfti.datasets` (real task families).

``import skfti`` imports nothing heavy: the public names below load their
modules on first access, and the modules that build graphs import TensorFlow
when they are first used.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers
    from skfti.encoding import ArchitectureEncoding
    from skfti.inferred_classifier import InferredArchitectureClassifier
    from skfti.inferrer import ArchitectureInferrer
    from skfti.meta_features import META_FEATURE_NAMES, compute_meta_features
    from skfti.population import generate_population
    from skfti.relaxed_ffnn import RelaxedFFNNClassifier
    from skfti.search_space import SearchSpace
    from skfti.store import ExperimentStore
    from skfti.task import Task, check_task_collection

_LAZY = {
    "ArchitectureEncoding": "skfti.encoding",
    "ArchitectureInferrer": "skfti.inferrer",
    "ExperimentStore": "skfti.store",
    "InferredArchitectureClassifier": "skfti.inferred_classifier",
    "META_FEATURE_NAMES": "skfti.meta_features",
    "RelaxedFFNNClassifier": "skfti.relaxed_ffnn",
    "SearchSpace": "skfti.search_space",
    "Task": "skfti.task",
    "check_task_collection": "skfti.task",
    "compute_meta_features": "skfti.meta_features",
    "generate_population": "skfti.population",
}
"""Public name -> the module that defines it, imported on first access."""


def __getattr__(name):
    # Lazy attributes (PEP 562, as NumPy and SciPy load submodules): a
    # process that only loads a pretrained model and suggests never imports
    # the store, the population or the classifiers.
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'skfti' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0.dev0"

__all__ = [
    "ArchitectureEncoding",
    "ArchitectureInferrer",
    "ExperimentStore",
    "InferredArchitectureClassifier",
    "META_FEATURE_NAMES",
    "RelaxedFFNNClassifier",
    "SearchSpace",
    "Task",
    "__version__",
    "check_task_collection",
    "compute_meta_features",
    "generate_population",
]
