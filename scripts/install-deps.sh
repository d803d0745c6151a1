#!/usr/bin/env bash
# Installs the system packages ModelLedger builds against, if any is missing (Debian/Ubuntu).
set -euo pipefail

# chromium: the dashboard's browser tests render its pages in a real headless browser.
packages=(pkg-config libsodium-dev libsqlite3-dev libcurl4-openssl-dev chromium)
# postgresql: relays on a shared PostgreSQL (the tests initdb a throwaway cluster; Debian's own cluster is not used).
# nginx: the round-robin balancer in front of several relays in the torture suite.
packages+=(postgresql nginx)
# The MLflow compatibility tests make a Python virtual environment (scripts/mlflow-venv.sh).
command -v python3 >/dev/null 2>&1 && ! python3 -c "import venv, ensurepip" >/dev/null 2>&1 && packages+=(python3-venv)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        [ -x "$dir/swift" ] && { echo "swift is in $dir: add it to PATH"; exit 1; }
    done
    echo "The Swift 6 toolchain is required (swift.org/install): 'swift' is not on PATH" >&2
    exit 1
fi
