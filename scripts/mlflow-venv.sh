#!/usr/bin/env bash
# The Python environment with the real mlflow client and server that the MLflow compatibility tests and
# `make bench` run (.build/mlflow-venv). Prints its python.
exec "$(dirname "$0")/python-venv.sh" mlflow mlflow==3.17.2
