#!/usr/bin/env bash
# demo.sh — installs, builds, and runs chatd in the foreground with the demo shop on
# http://127.0.0.1:8080 (demo data in ./data/demo). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
DATA=data/demo
mkdir -p "$DATA"
cat <<MSG

  Demo shop:          http://127.0.0.1:8080/
  Agent console:      http://127.0.0.1:8080/console/
  Manager dashboard:  http://127.0.0.1:8080/dashboard/

MSG
exec build/bin/chatd --listen 127.0.0.1:8080 --data "$DATA" --config scripts/demo-config.json
