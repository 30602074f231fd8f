"""skfti: fast task-aware neural architecture inference, scikit-learn style.

The pipeline, module by module: :mod:`skfti.search_space` (the child-model
family) -> :mod:`skfti.encoding` (architecture encodings) ->
:mod:`skfti.relaxed_ffnn` (the trainable child network).

``import skfti`` does not import TensorFlow; the modules that build graphs
import it when they are first used.
"""

from skfti.encoding import ArchitectureEncoding
from skfti.relaxed_ffnn import RelaxedFFNNClassifier
from skfti.search_space import SearchSpace

__version__ = "0.1.0.dev0"

__all__ = [
    "ArchitectureEncoding",
    "RelaxedFFNNClassifier",
    "SearchSpace",
    "__version__",
]
