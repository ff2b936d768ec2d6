#!/usr/bin/env bash
# Sets up ff2 on a Debian/Ubuntu machine as root: system packages (only those missing),
# npm dependencies from the lock file, and the build. Safe to run again; it skips done work.
set -euo pipefail
cd "$(dirname "$0")/.."

# gcc + libseccomp-dev build the sandbox's root helper and its seccomp filter (src/sandbox/native).
PACKAGES=(bubblewrap python3 python3-tk xvfb x11-utils imagemagick fonts-dejavu-core make g++ gcc libseccomp-dev)
# PostgreSQL (the scale-out store, FF2_DATABASE_URL): its tests start a private throwaway cluster
# from these binaries (/usr/lib/postgresql/15/bin); ff2 never uses the system cluster by itself.
PACKAGES+=(postgresql)
# The script environment: the packages generated scripts may import (see README, "Script environment"),
# plus venv/pip for an optional operator venv (FF2_PYTHON_VENV, `ff2 python add`).
PACKAGES+=(python3-numpy python3-pandas python3-matplotlib python3-openpyxl python3-bs4 python3-lxml
  python3-yaml python3-pil python3-dateutil python3-tabulate python3-requests python3-venv python3-pip)

if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "ff2 needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Install it from https://nodejs.org/ (or your distribution), then run this again." >&2
  exit 3
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 3
  fi
  echo "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.ff2-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

npm run --silent build

# The sandbox helper and its seccomp filter, built once per source version (root only).
if [ "$(id -u)" -eq 0 ]; then
  node dist/sandbox/native.js
else
  echo "not root: the sandbox helper is built on the first sandboxed run (as root)" >&2
fi

# First-import caches of the script environment (matplotlib's font list), so no run pays for them.
node dist/cli.js python prepare || echo "warning: could not prepare the script environment's caches (ff2 doctor tells why)" >&2
