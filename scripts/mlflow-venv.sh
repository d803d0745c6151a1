#!/usr/bin/env bash
# Creates (once) the Python virtual environment with the real mlflow client and server that the
# MLflow compatibility tests and `make bench` run: .build/mlflow-venv. Prints its python.
set -euo pipefail
cd "$(dirname "$0")/.."
MLFLOW_VERSION=3.17.2
venv=.build/mlflow-venv
stamp="$venv/.mlflow-$MLFLOW_VERSION"
if [ ! -f "$stamp" ]; then
    python=$(command -v python3 || true)
    [ -n "$python" ] || { echo "python3 (3.10 or later, with venv and pip) is needed for the MLflow tests" >&2; exit 1; }
    rm -rf "$venv"
    mkdir -p .build
    "$python" -m venv "$venv" >&2 || { echo "python3 -m venv failed: install python3-venv (scripts/install-deps.sh does)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "mlflow==$MLFLOW_VERSION" >&2
    touch "$stamp"
fi
echo "$PWD/$venv/bin/python"
