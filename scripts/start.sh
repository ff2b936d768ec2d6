#!/usr/bin/env bash
# Sets up ff2 (scripts/setup.sh) and starts the terminal thread: ff2 chat [goal] [options].
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/cli.js chat "$@"
