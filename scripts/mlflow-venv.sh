#!/usr/bin/env bash
# The Python environment with the real mlflow client and server that the MLflow compatibility tests and
# `make bench` run (.build/mlflow-venv), with scikit-learn and pandas for the MLflow 3 training script.
# Prints its python.
exec "$(dirname "$0")/python-venv.sh" mlflow mlflow==3.17.2 scikit-learn==1.9.1 pandas==3.1.1
