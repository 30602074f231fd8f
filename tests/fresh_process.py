"""Code run by this interpreter in a new process, as a user's script runs.

For what only a fresh process shows: which packages an import loads (is
TensorFlow there?), hashes that must not depend on the process, a saved
file read back elsewhere.
"""

import subprocess
import sys


def run_python(code, *, cwd=None, env=None, check=True):
    """Run ``code`` with ``python -c``; the completed process, output as text.

    With ``check``, a nonzero exit fails the test with the process's stderr
    (``subprocess.run(check=True)`` would show its exit status only).
    """
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"python -c exited with {done.returncode}:\n{done.stderr}")
    return done
