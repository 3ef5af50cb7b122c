#!/usr/bin/env bash
# Sets up the peer for side-by-side checks: the real openpipe-art 0.5.23 (it needs Python
# 3.12) in its own venv, with pyarrow and duckdb beside it (its Model.log needs both).
# Usage: bash bench/setup_peer.sh [VENV_DIR]   (default: bench/.peer-venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-$here/.peer-venv}"
py="${PEER_PYTHON:-}"
if [ -z "$py" ]; then
  for candidate in python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      py="$candidate"; break
    fi
  done
fi
[ -n "$py" ] || { echo "setup_peer: needs Python 3.12 (set PEER_PYTHON)" >&2; exit 1; }
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
# already set up (the README's test command runs this each time): no pip round, no ART import
if (cd / && "$venv/bin/python" -c 'from importlib.metadata import version as v; assert v("openpipe-art") == "0.5.23"; v("pyarrow"); v("duckdb")') 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
"$venv/bin/python" -m pip install -q -U pip
"$venv/bin/python" -m pip install -q "openpipe-art==0.5.23" pyarrow duckdb
(cd / && "$venv/bin/python" -c "import art, pyarrow, duckdb; print('peer ready:', art.__file__)")
echo "$venv/bin/python"
