#!/usr/bin/env bash
# Installs the pinned uv into .tools/ with nothing but Python 3.11 on the machine.
set -euo pipefail
UV_VERSION=0.13.9
PYTHON=${PYTHON:-python3}
cd "$(dirname "$0")/.."
if ! "$PYTHON" -m venv .tools 2>/dev/null; then
  # Debian's python3 needs python3-venv for ensurepip.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv
  else
    echo "Python's venv module is missing: run 'sudo apt-get install python3-venv' and try again." >&2
    exit 1
  fi
  rm -rf .tools && "$PYTHON" -m venv .tools
fi
.tools/bin/pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}"
.tools/bin/uv --version
