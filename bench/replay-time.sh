#!/usr/bin/env bash
# replay-time.sh — how long chatd takes to come back on a log: from its start to "listening"
# (opening the log, replaying every line into the router and the live KPIs), RUNS times per
# build, the builds alternating, then the medians. What a restart after a crash costs the
# shoppers waiting for it.
#
#   bench/replay-time.sh --data DIR [--builds "build /other/build"] [--runs 5]
#
# DIR holds the log to replay (bench/memory-per-message.sh leaves some in /tmp/chat-memory);
# each run works on a copy, so the log is the same every time.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
DATA="" BUILDS=build RUNS=5 OUT=/tmp/chat-replay
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift ;; --builds) BUILDS=$2; shift ;; --runs) RUNS=$2; shift ;;
    *) echo "replay-time.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
[ -d "$DATA" ] || { echo "replay-time.sh: --data DIR (a chatd data directory) is needed" >&2; exit 2; }
mkdir -p "$OUT"
echo '{ "node": "bench" }' > "$OUT/config.json"
echo "== $(nproc) cores; log $(du -sh "$DATA" | cut -f1), $(cat "$DATA"/events-*.jsonl | wc -l) lines; $RUNS runs per build"
declare -A times
for run in $(seq 1 "$RUNS"); do
  for b in $BUILDS; do
    rm -rf "$OUT/data"; cp -r "$DATA" "$OUT/data"; rm -f "$OUT"/data/*.lock
    sync; port=$(free_port)
    t0=$(date +%s%N)
    "$b/bin/chatd" --listen "127.0.0.1:$port" --data "$OUT/data" --config "$OUT/config.json" > "$OUT/chatd.log" 2>&1 &
    pid=$!
    wait_listening "$OUT/chatd.log" 300
    t1=$(date +%s%N)
    kill -TERM "$pid"; wait "$pid" || true
    ms=$(( (t1 - t0) / 1000000 ))
    times[$b]="${times[$b]:-} $ms"
    echo "  $b run $run: $ms ms ($(grep -o 'replayed [0-9]* events' "$OUT/chatd.log"))"
  done
done
for b in $BUILDS; do
  node -e 'const v=process.argv.slice(2).map(Number).sort((a,b)=>a-b); console.log(`${process.argv[1]}: median ${v[v.length>>1]} ms of ${v.join(" / ")}`)' "$b" ${times[$b]}
done
