import os

# Quiet TensorFlow's C++ log in tests; set before any test imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
