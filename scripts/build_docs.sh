#!/usr/bin/env bash
# Build the HTML documentation into docs/_build/html; any warning fails the build.
# Needs the "docs" extra: pip install -e ".[docs]". Offline, under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3
python -m sphinx -W --keep-going -b html docs docs/_build/html "$@"
