#!/usr/bin/env bash
# setup.sh — installs whatever is missing on Debian 12 and builds the project in Release.
#
# Idempotent: packages already installed are not touched (apt-get runs only when something is
# missing), npm packages come from the committed lock file (npm ci, only when it changed), and
# the build is incremental. Works as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
PACKAGES=(
  build-essential cmake pkg-config git ccache
  libboost1.81-dev nlohmann-json3-dev libhiredis-dev catch2 libssl-dev libsimdjson-dev libsodium-dev zlib1g-dev libjemalloc2
  redis-server chromium clang libclang-rt-14-dev openssl
)
# Node.js and npm from Debian unless a node (>= 18) is already there.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

# Front-end tooling from the lock file, reinstalled only when the lock file changes.
stamp=node_modules/.lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
cmake --build "$BUILD_DIR" -j"$(nproc)"
