#!/usr/bin/env bash
# Creates (once) the Python virtual environment with PyNaCl that the independent protocol verifier
# (Tests/IndependentVerifier/verifier.py) runs in: .build/verifier-venv. Prints its python.
set -euo pipefail
cd "$(dirname "$0")/.."
PYNACL_VERSION=1.5.0
venv=.build/verifier-venv
stamp="$venv/.pynacl-$PYNACL_VERSION"
if [ ! -f "$stamp" ]; then
    python=$(command -v python3 || true)
    [ -n "$python" ] || { echo "python3 (3.10 or later, with venv and pip) is needed for the independent verifier" >&2; exit 1; }
    rm -rf "$venv"
    mkdir -p .build
    "$python" -m venv "$venv" >&2 || { echo "python3 -m venv failed: install python3-venv (scripts/install-deps.sh does)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pynacl==$PYNACL_VERSION" >&2
    touch "$stamp"
fi
echo "$PWD/$venv/bin/python"
