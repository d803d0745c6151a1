#!/usr/bin/env bash
# The Python environment with PyNaCl (libsodium's Ed25519) that the independent protocol verifier
# (Tests/IndependentVerifier/verifier.py) runs in (.build/verifier-venv). Prints its python.
exec "$(dirname "$0")/python-venv.sh" verifier pynacl==1.5.0
