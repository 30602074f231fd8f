"""The one door to scikit-learn's private names.

skfti needs a few names that scikit-learn does not make public: the
``_fit_context`` decorator and the parameter-constraint classes used with
``_parameter_constraints``, and two input checks. Every module imports them
from here, so that a scikit-learn release that moves one breaks this file
only (the model is imbalanced-learn's ``imblearn/utils/_sklearn_compat.py``).
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_y, _num_samples

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_check_y",
    "_fit_context",
    "_num_samples",
]
