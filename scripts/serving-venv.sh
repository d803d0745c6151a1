#!/usr/bin/env bash
# The Python environment of the serving example (client/serving/serve.py): prometheus_client only.
# Prints its python.
exec "$(dirname "$0")/python-venv.sh" serving prometheus_client==0.26.0
