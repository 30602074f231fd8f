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
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# -- autodoc / autosummary ----------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"inherited-members": False}
autodoc_typehints = "none"  # numpydoc sections carry the types
autodoc_member_order = "groupwise"

# -- numpydoc ---------------------------------------------------------------------
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
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
def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_<method>_request`` helpers.

    They are inherited by every estimator, carry no skfti-specific content, and
    their docstrings point into scikit-learn's glossary (unresolvable offline).
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
