"""The life-long database of child-model training experiments (paper, Fig. 1a).

Every trained child model becomes one row: the task it was trained on, its
architecture encoding ``u``, the seed and training settings, and its
validation accuracy ``v`` (and log-loss). The value network of section 3.2
learns from these rows, and the store keeps them across runs so that later
runs only train what is missing.

The package follows optuna's ``storages``: :class:`BaseExperimentStore`
(``_base.py``) is the backend contract; :class:`ExperimentStore`
(``_sqlite.py``) keeps the rows in one SQLite file that can be copied, backed
up and queried with any SQLite tool, with its layout, version and migrations
in ``_schema.py``; :func:`encoding_hash` and :func:`settings_hash`
(``_keys.py``) are the row keys; :func:`resolve_store` turns an estimator's
``store`` parameter into a store, and :data:`STORE_BACKENDS` and
:func:`open_store` (``_registry.py``) are where a server database backend
plugs in.
"""

from skfti.store._base import BaseExperimentStore
from skfti.store._keys import encoding_hash, settings_hash
from skfti.store._registry import STORE_BACKENDS, open_store, resolve_store
from skfti.store._schema import SCHEMA_VERSION
from skfti.store._sqlite import ExperimentStore

__all__ = [
    "SCHEMA_VERSION",
    "STORE_BACKENDS",
    "BaseExperimentStore",
    "ExperimentStore",
    "encoding_hash",
    "open_store",
    "resolve_store",
    "settings_hash",
]
