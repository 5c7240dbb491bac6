#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine with Node 20 for the gateway: Redis, Chromium (for the
# console's browser tests), a C++ toolchain (for better-sqlite3) and, with --postgres,
# PostgreSQL's binaries for the PostgreSQL test run, from the distribution; then the npm
# packages, and the build (the gateway and the console).
# Safe to run again; installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want=()
command -v redis-server >/dev/null 2>&1 || want+=(redis-server)
[ -x /usr/bin/chromium ] || want+=(chromium)
# Sentinel mode (and redis-cli, for a cluster) in the Redis topology tests.
command -v redis-sentinel >/dev/null 2>&1 || want+=(redis-sentinel)
# better-sqlite3 is compiled from source where its prebuilt binary cannot be downloaded (offline).
for tool in python3 make g++; do command -v "$tool" >/dev/null 2>&1 || want+=("$tool"); done
if [ "${1:-}" = "--postgres" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then want+=(postgresql); fi
if [ ${#want[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "Please install: ${want[*]} (e.g. apt-get install -y ${want[*]}) or set REDIS_URL to a running Redis." >&2
    exit 1
  fi
  echo "Installing ${want[*]} from the distribution's packages..."
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${want[@]}" >/dev/null
  # The packaged services are not needed: the gateway starts its own Redis, tests their own PostgreSQL.
  "${sudo[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
  "${sudo[@]}" systemctl disable --now redis-sentinel >/dev/null 2>&1 || true
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# `npm start` runs the compiled gateway (dist/); tests and `npm run dev` use the sources. The
# console is bundled into dist/console/ either way (the gateway serves it at /console).
npm run build --silent
