"""The top-level package: its public names, and what importing it costs."""

import re

import pytest
from fresh_process import run_python

import skfti


def _modules_after(code):
    """Top-level skfti/sklearn modules a fresh interpreter holds after ``code``."""
    probe = (
        f"import sys\n{code}\n"
        "print(' '.join(sorted(m for m in sys.modules "
        "if m.startswith(('skfti', 'sklearn')))))"
    )
    out = run_python(probe)
    return set(out.stdout.split())


@pytest.mark.parametrize("name", skfti.__all__)
def test_every_public_name_resolves_to_its_definition(name):
    value = getattr(skfti, name)
    if name != "__version__" and not isinstance(value, tuple):
        assert value.__module__.startswith("skfti.")
    assert name in dir(skfti)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'Inferer'"):
        skfti.Inferer  # noqa: B018
    assert not hasattr(skfti, "Inferer")


def test_star_import_gives_the_public_names():
    namespace = {}
    exec("from skfti import *", namespace)
    assert set(skfti.__all__) <= set(namespace)


def test_import_skfti_loads_no_submodule_and_no_scikit_learn():
    assert _modules_after("import skfti") == {"skfti"}


def test_loading_a_model_and_suggesting_skips_what_it_does_not_use():
    modules = _modules_after(
        "import numpy as np, skfti.pretrained\n"
        "inferrer = skfti.pretrained.load('text-v1')\n"
        "X = np.random.RandomState(0).normal(size=(200, inferrer.n_features_in_))\n"
        "inferrer.suggest(X, np.arange(200) % 4)"
    )
    assert "skfti.inferrer" in modules
    # the population, the store, the child classifiers and the estimators
    # loaded only by precomputed meta-features or tabular views stay out
    for unused in (
        "skfti.population",
        "skfti.store",
        "skfti.relaxed_ffnn",
        "sklearn.neighbors",
        "sklearn.decomposition",
    ):
        assert unused not in modules


def test_the_user_guide_names_the_inferrers_defaults():
    """The guide's "(default)" marks and "by default" agree with the code."""
    from pathlib import Path

    from skfti import ArchitectureInferrer

    guide = (Path(__file__).parents[1] / "docs" / "user_guide.rst").read_text()
    defaults = ArchitectureInferrer().get_params()
    marked = re.findall(r'^``"(\w+)"`` \(default\)$', guide, flags=re.M)
    assert marked == [defaults["meta_features"]]
    assert f'``loss="{defaults["loss"]}"`` by default' in guide
    assert '``loss="ranking"`` replaces' not in guide
