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

``import skfti`` does not import TensorFlow; the modules that build graphs
import it when they are first used.
"""

from skfti.encoding import ArchitectureEncoding
from skfti.inferred_classifier import InferredArchitectureClassifier
from skfti.inferrer import ArchitectureInferrer
from skfti.meta_features import META_FEATURE_NAMES, compute_meta_features
from skfti.population import generate_population
from skfti.relaxed_ffnn import RelaxedFFNNClassifier
from skfti.search_space import SearchSpace
from skfti.store import ExperimentStore
from skfti.task import Task, check_task_collection

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
