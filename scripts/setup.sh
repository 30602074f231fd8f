#!/usr/bin/env bash
# Set up skfti on a fresh machine: the package with its test and data extras,
# then the offline data sources (WordNet, fortunes, review corpora, KEEL).
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -e ".[test,data,dask,report,docs]"
PYTHON="$PYTHON" bash scripts/install_data.sh
