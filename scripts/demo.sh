#!/usr/bin/env bash
# demo.sh — installs, builds, and runs chatd in the foreground with the demo shop on
# http://127.0.0.1:8080 (demo data in ./data/demo). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
DATA=data/demo
mkdir -p "$DATA"
# Demo accounts, made once.
ensure_user() {  # NAME ROLE PASSWORD
  if ! build/bin/chatd user list --data "$DATA" --json | grep -q "\"name\": *\"$1\""; then
    echo "$3" | build/bin/chatd user add "$1" --role "$2" --langs fr,en --capacity 3 --data "$DATA" >/dev/null
  fi
}
ensure_user camille agent demo-agent-pass
ensure_user manon manager demo-manager-pass
cat <<MSG

  Demo shop:          http://127.0.0.1:8080/
  Agent console:      http://127.0.0.1:8080/console/    user camille, password demo-agent-pass
  Manager dashboard:  http://127.0.0.1:8080/dashboard/  user manon,   password demo-manager-pass

MSG
exec build/bin/chatd --listen 127.0.0.1:8080 --data "$DATA" --config scripts/demo-config.json
