"""The one door to TensorFlow: imported lazily, quietly, on first use.

Every other module asks this one for ``tf`` (:func:`import_tensorflow`) or for
``tensorflow_hub`` (:func:`import_tensorflow_hub`), so that ``import skfti``
never imports TensorFlow (it costs several seconds).
"""

import os
import sys
import tempfile
from contextlib import contextmanager

__all__ = [
    "import_tensorflow",
    "import_tensorflow_hub",
    "single_thread_env",
    "single_thread_worker",
]


def _quiet(verbose):
    if verbose < 3:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextmanager
def _silenced_stderr(verbose):
    """Send file descriptor 2 to a temporary file for the block, below verbose 3.

    TensorFlow's C++ libraries log at load time through absl before absl's
    log is initialised ("WARNING: All log messages before
    absl::InitializeLog() is called are written to STDERR", "oneDNN custom
    operations are on", "Could not find cuda drivers"), and those lines
    ignore ``TF_CPP_MIN_LOG_LEVEL``. They are written to the process's
    stderr descriptor, so only redirecting the descriptor hides them. What
    was written is replayed if the block raises, so a failed import still
    explains itself.
    """
    if verbose >= 3:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (e.g. a detached process)
        yield
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            sys.stderr.flush()
            os.dup2(saved, 2)
            captured.seek(0)
            os.write(2, captured.read())
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def import_tensorflow(verbose=0):
    """Import and return ``tensorflow``, keeping its C++ log quiet below verbose 3.

    ``import skfti`` never imports TensorFlow (it costs several seconds); the
    modules that build graphs call this function when they first need it.
    Below ``verbose=3`` the C++ log level is set to errors only
    (``TF_CPP_MIN_LOG_LEVEL=3`` unless already set) and the lines that the
    libraries print while they load, which ignore that level, are hidden by
    redirecting the stderr descriptor during the import (in this process and
    in every worker process, which import TensorFlow through here too).
    """
    _quiet(verbose)
    if "tensorflow" in sys.modules:
        import tensorflow as tf
    else:
        with _silenced_stderr(verbose):
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


def single_thread_worker(parent_pid):
    """In a worker process of ``parent_pid``, give TensorFlow one thread.

    Called first by the function each parallel job runs. It does nothing in
    the parent itself (a sequential run, the threading backend): the user's
    own process keeps its threads. Returns whether this is a worker process.
    """
    if parent_pid is None or os.getpid() == parent_pid:
        return False
    if "tensorflow" not in sys.modules:
        os.environ.update(single_thread_env())  # before TensorFlow starts here
    return True
