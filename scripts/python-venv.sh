#!/usr/bin/env bash
# Creates (once) .build/NAME-venv, a Python virtual environment with exactly the given PACKAGE==VERSION
# requirements installed, and prints its python. Usage: scripts/python-venv.sh NAME PACKAGE==VERSION...
# A change to the requirements makes a new environment (the stamp names them all).
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1
shift
[ $# -gt 0 ] || { echo "usage: scripts/python-venv.sh NAME PACKAGE==VERSION..." >&2; exit 2; }
venv=.build/$name-venv
stamp="$venv/.installed-$(printf '%s+' "$@" | tr '/' '_')"
mkdir -p .build
# Tests running at once may ask for the same environment: the first makes it, the others wait for it.
exec 9>".build/$name-venv.lock"
flock 9
if [ ! -f "$stamp" ]; then
    python=$(command -v python3 || true)
    [ -n "$python" ] || { echo "python3 (3.10 or later, with venv and pip) is needed for $venv" >&2; exit 1; }
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2 || { echo "python3 -m venv failed: install python3-venv (scripts/install-deps.sh does)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
    touch "$stamp"
fi
echo "$PWD/$venv/bin/python"
