"""The one door to TensorFlow: imported lazily, quietly, on first use.

Every other module asks this one for ``tf`` (:func:`import_tensorflow`) or for
``tensorflow_hub`` (:func:`import_tensorflow_hub`), so that ``import skfti``
never imports TensorFlow (it costs several seconds).
"""

import os

__all__ = ["import_tensorflow", "import_tensorflow_hub", "single_thread_env"]


def _quiet(verbose):
    if verbose < 3:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_tensorflow(verbose=0):
    """Import and return ``tensorflow``, keeping its C++ log quiet below verbose 3.

    ``import skfti`` never imports TensorFlow (it costs several seconds); the
    modules that build graphs call this function when they first need it.
    """
    _quiet(verbose)
    import tensorflow as tf

    if verbose < 3:
        tf.get_logger().setLevel("ERROR")
    return tf


def import_tensorflow_hub(verbose=0):
    """Import and return ``tensorflow_hub``, keeping TensorFlow's C++ log quiet.

    Raises
    ------
    ImportError
        If TensorFlow Hub is not installed; the message names the packages.
    """
    _quiet(verbose)
    try:
        import tensorflow_hub as hub
    except ImportError as exc:
        raise ImportError(
            "HubEmbedding needs TensorFlow Hub: run "
            "`pip install tensorflow tensorflow-hub tf-keras`."
        ) from exc
    return hub


def single_thread_env():
    """Environment variables that give a TensorFlow worker process one thread.

    They must be set before TensorFlow starts in that process
    (``tf.config.threading`` raises once the runtime is initialised), so
    parallel code sets them in ``os.environ`` before joblib starts workers.
    """
    return {
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
