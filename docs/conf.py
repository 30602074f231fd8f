"""Sphinx configuration of the skfti documentation.

Build with ``bash scripts/build_docs.sh`` (warnings are errors). The build is
offline: no intersphinx inventories are fetched, the theme is the built-in
``alabaster``, and no module is mocked. TensorFlow is not imported: ``import
skfti`` and its submodules import it lazily, only when a graph is built.
"""

import os
import sys

# Document the working tree, whether or not skfti is installed.
sys.path.insert(0, os.path.abspath(".."))
# Should anything import TensorFlow after all, keep its log quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import skfti  # noqa: E402

project = "skfti"
author = "skfti developers"
copyright = "skfti developers"
release = skfti.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "results/report.md",  # generated tables, included in results.md by hand
    "results/child_recipe_ablation.md",
    "results/pretrained/*.md",
    "results/pretrained-tabular/*.md",
    "results/pretrained-text2/*.md",
    "results/pretrained-7622/*.md",
]
default_role = "literal"  # `x` in a docstring renders as code, as in scikit-learn

# -- autodoc / autosummary ----------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # numpydoc sections carry the types
autodoc_member_order = "groupwise"

# -- numpydoc ---------------------------------------------------------------------
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# -- MyST (docs/*.md) ---------------------------------------------------------
myst_heading_anchors = 3

# -- HTML ---------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"skfti {release}"
html_static_path = []
html_theme_options = {
    "description": "Fast task-aware architecture inference, scikit-learn style",
    "fixed_sidebar": True,
}


# -- hooks --------------------------------------------------------------------
def _skip_scikit_learn_members(app, what, name, obj, skip, options):
    """Leave out members that skfti classes inherit from scikit-learn.

    ``get_params``, ``set_params``, ``score``, ``get_metadata_routing``,
    ``set_output`` and the generated ``set_<method>_request`` helpers are
    documented by scikit-learn; their docstrings link into its user guide,
    which cannot be resolved offline. Members inherited from skfti's own base
    classes (e.g. ``EmbeddingModule.embed``) are kept.
    """
    module = getattr(obj, "__module__", None) or ""
    if module == "sklearn" or module.startswith("sklearn."):
        return True
    return skip


def _check_tensorflow_not_imported(app, exception):
    """Fail the build (a warning under ``-W``) if documenting imported TensorFlow.

    Importing skfti and its submodules must not import TensorFlow (it costs
    seconds and is a rule of the package); the docs build checks it for free.
    """
    if exception is None and "tensorflow" in sys.modules:
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "documenting skfti imported TensorFlow: a module imports it at "
            "import time instead of lazily"
        )


def setup(app):
    app.connect("autodoc-skip-member", _skip_scikit_learn_members)
    app.connect("build-finished", _check_tensorflow_not_imported)
