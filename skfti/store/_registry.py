"""Backends by URL scheme, and the doors estimators use: open and resolve."""

import os
from typing import Any

from skfti.search_space import SearchSpace
from skfti.store._base import BaseExperimentStore
from skfti.store._location import no_backend, parse_location
from skfti.store._sqlite import ExperimentStore

STORE_BACKENDS: dict[str, type] = {"sqlite": ExperimentStore}
"""Store classes by URL scheme; a path without a scheme uses ``"sqlite"``.

A server database backend subclasses
:class:`~skfti.store.BaseExperimentStore` and registers its class here, e.g.
``STORE_BACKENDS["postgresql"] = MyStore``. :func:`open_store` calls it as
``MyStore(location, search_space=..., timeout=...)`` with the full URL.
"""

_STORE_METHODS = ("add_task", "record", "record_many", "done", "experiments")
"""What :func:`resolve_store` asks of a store that does not subclass the base."""


def open_store(location, *, search_space=None, timeout=60.0) -> BaseExperimentStore:
    """Open the experiment store at a path or URL, with the backend of its scheme.

    Parameters
    ----------
    location : str or path-like
        A path or ``sqlite:///path`` (SQLite), or a URL whose scheme is
        registered in :data:`STORE_BACKENDS`.
    search_space : SearchSpace, default=None
        Passed to the backend (see :class:`ExperimentStore`).
    timeout : float, default=60.0
        Seconds to wait for a lock held by another writer.

    Returns
    -------
    store : ExperimentStore or a registered backend's store

    Raises
    ------
    NotImplementedError
        If no backend is registered for the URL's scheme.
    """
    scheme, _ = parse_location(location)
    backend = STORE_BACKENDS.get(scheme)
    if backend is None:
        raise no_backend(scheme, os.fspath(location))
    return backend(location, search_space=search_space, timeout=timeout)


def resolve_store(
    store: Any, *, search_space: SearchSpace | None = None
) -> BaseExperimentStore:
    """Turn an estimator's ``store`` parameter into an experiment store.

    The counterpart of :func:`sklearn.utils.validation.check_memory` for the
    ``store`` parameter: estimators keep the parameter as given and call this
    in ``fit``.

    Parameters
    ----------
    store : str, path-like or BaseExperimentStore
        A path or URL (opened with :func:`open_store`), or a store (returned
        as is). None is refused: a store keeps results across runs, so its
        location must be chosen by the user.
    search_space : SearchSpace, default=None
        If given, the store must record this space (a new store records it).

    Returns
    -------
    store : ExperimentStore or a registered backend's store

    Raises
    ------
    ValueError
        If ``store`` is None or not a path, URL or store, or if the store
        records another search space.
    """
    if store is None:
        raise ValueError(
            "store is required: pass a file path, a 'sqlite:///path' URL or an "
            "ExperimentStore where the experiments are kept."
        )
    if isinstance(store, (str, bytes, os.PathLike)):
        return open_store(store, search_space=search_space)
    if isinstance(store, BaseExperimentStore) or all(
        callable(getattr(store, method, None)) for method in _STORE_METHODS
    ):
        if search_space is not None and hasattr(store, "bind_search_space"):
            store.bind_search_space(search_space)
        return store
    raise ValueError(
        "store should be a file path, a 'sqlite:///path' URL or an "
        f"ExperimentStore; got store={store!r}."
    )
