import os
import sys

import pytest
from fresh_process import run_python

from skfti._tf import (
    import_tensorflow,
    import_tensorflow_hub,
    single_thread_env,
    single_thread_worker,
)


@pytest.mark.parametrize(
    "module", ["skfti", "skfti.embeddings", "skfti.datasets", "skfti.evaluation"]
)
def test_importing_skfti_does_not_import_tensorflow(module):
    code = (
        f"import sys, {module}\n"
        "heavy = sorted(m for m in ('tensorflow', 'tensorflow_hub', 'matplotlib')"
        " if m in sys.modules)\n"
        "print(heavy)"
    )
    out = run_python(code).stdout
    assert out.strip() == "[]"


def test_import_tensorflow_hub_names_the_packages(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_hub", None)  # import fails
    with pytest.raises(ImportError, match="pip install tensorflow tensorflow-hub"):
        import_tensorflow_hub()


def test_import_tensorflow_returns_the_module():
    tf = import_tensorflow()
    assert tf.__name__ == "tensorflow"
    assert set(single_thread_env()) >= {"TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS"}


def test_only_a_worker_process_is_given_one_thread(monkeypatch):
    for name in single_thread_env():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    assert not single_thread_worker(None)  # not a parallel run
    assert not single_thread_worker(os.getpid())  # the parent itself
    assert not set(single_thread_env()) & set(os.environ)
    assert single_thread_worker(os.getpid() + 1)  # a worker of another process
    for name, value in single_thread_env().items():
        assert os.environ[name] == value
