"""Row keys, store locations, the backend registry and resolution."""

import numpy as np
import pytest
from fresh_process import run_python
from store_testing import SPACE, _u

from skfti import ArchitectureEncoding, SearchSpace
from skfti.store import (
    STORE_BACKENDS,
    BaseExperimentStore,
    ExperimentStore,
    encoding_hash,
    open_store,
    resolve_store,
    settings_hash,
)


def test_keys_are_stable():
    u = _u(3)
    assert encoding_hash(u) == encoding_hash(
        ArchitectureEncoding.from_json(u.to_json())
    )
    assert encoding_hash(u) != encoding_hash(_u(4))
    wider = SearchSpace(n_layers=2, widths=(8, 32))  # same n_dims, other space
    assert encoding_hash(u) != encoding_hash(
        ArchitectureEncoding.from_vector(wider, u.to_vector())
    )
    assert settings_hash({"a": 1, "b": np.int64(2)}) == settings_hash({"b": 2, "a": 1})
    assert settings_hash(None) == settings_hash({})
    with pytest.raises(ValueError, match="NaN"):
        settings_hash({"lr": float("nan")})
    with pytest.raises(TypeError, match="ArchitectureEncoding"):
        encoding_hash(u.to_vector())


def test_sqlite_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = ExperimentStore("sqlite:///sub/relative.sqlite")
    assert relative.path == str(tmp_path / "sub" / "relative.sqlite")
    assert (tmp_path / "sub" / "relative.sqlite").exists()
    absolute_path = tmp_path / "absolute.sqlite"
    absolute = open_store("sqlite:///" + str(absolute_path))  # sqlite:////tmp/...
    assert absolute.path == str(absolute_path)
    assert isinstance(absolute, BaseExperimentStore)
    relative.close()
    absolute.close()
    with pytest.raises(ValueError, match="must name a file"):
        ExperimentStore("sqlite://")
    with pytest.raises(ValueError, match="in-memory"):
        ExperimentStore("sqlite:///:memory:")


def test_other_url_schemes_name_the_backend_seam(monkeypatch):
    url = "postgresql://user@db.example/experiments"
    for opener in (ExperimentStore, open_store, resolve_store):
        with pytest.raises(NotImplementedError, match="STORE_BACKENDS"):
            opener(url)

    class FakeStore:
        def __init__(self, location, *, search_space=None, timeout=60.0):
            self.location = location

    monkeypatch.setitem(STORE_BACKENDS, "postgresql", FakeStore)
    assert open_store(url).location == url


def test_resolve_store(tmp_path):
    path = tmp_path / "experiments.sqlite"
    with pytest.raises(ValueError, match="store is required"):
        resolve_store(None)
    with pytest.raises(ValueError, match="store should be"):
        resolve_store(42)
    store = resolve_store(path, search_space=SPACE)
    assert isinstance(store, ExperimentStore)
    assert store.search_space == SPACE
    assert resolve_store(store) is store
    assert resolve_store(store, search_space=SPACE) is store
    with pytest.raises(ValueError, match="made for another search space"):
        resolve_store(store, search_space=SearchSpace(n_layers=1))
    store.close()
    other = tmp_path / "other.sqlite"
    store = resolve_store(ExperimentStore(other), search_space=SPACE)
    assert ExperimentStore(other).search_space == SPACE  # recorded in the file
    store.close()


def test_import_does_not_import_tensorflow():
    code = "import sys, skfti.store; print('tensorflow' in sys.modules)"
    result = run_python(code)
    assert result.stdout.strip() == "False"
