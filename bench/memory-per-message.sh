#!/usr/bin/env bash
# memory-per-message.sh — how much of chatd's memory a sale day's traffic keeps: chatd under
# the same chat-bench load, once per value of timeouts.history_kept_s, then idle until
# jemalloc has handed freed pages back. Prints, above the idle server and per acknowledged
# visitor message, the bytes chatd's allocator holds (chat_memory_allocated_bytes) and its
# RSS, after the run and after a restart on the same log (the replay's state).
#
#   bench/memory-per-message.sh [--build DIR] [--kept "31536000 0"] [--visitors N] [--rate R]
#                               [--duration S] [--same-shoppers] [--out DIR]
#
# --kept: the history_kept_s values to compare (31536000, a year, keeps every history in
# memory as if it never left; 0 lets each go to the log at the first tick after closing).
# The shoppers are new ones for each conversation (chat-bench --new-shoppers: a sale day's
# stream of shoppers); --same-shoppers keeps each connection's shopper, whose one
# conversation is then reopened again and again.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BUILD=build KEPT="31536000 0" VISITORS=2000 RATE=3000 DURATION=30 OUT=/tmp/chat-memory SHOPPERS=--new-shoppers
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --kept) KEPT=$2; shift ;; --visitors) VISITORS=$2; shift ;;
    --rate) RATE=$2; shift ;; --duration) DURATION=$2; shift ;; --out) OUT=$2; shift ;;
    --same-shoppers) SHOPPERS= ;;
    *) echo "memory-per-message.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BIN=$BUILD/bin
mkdir -p "$OUT"
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
allocated_kb() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^chat_memory_allocated_bytes/ {printf "%d", $2 / 1024}'; }
# settle PID PORT: waits until the RSS stops falling (jemalloc purges over ~10 s), prints
# "allocated_kb rss_kb".
settle() {
  local last=0 now
  for _ in $(seq 1 30); do
    sleep 3; now=$(rss_kb "$1")
    [ "$now" = "$last" ] && break
    last=$now
  done
  echo "$(allocated_kb "$2") $now"
}
start_chatd() {  # DATA CONFIG LOG -> pid in CHATD_PID, port in CHATD_PORT
  CHATD_PORT=$(free_port)
  "$BIN/chatd" --listen "127.0.0.1:$CHATD_PORT" --data "$1" --config "$2" > "$3" 2>&1 &
  CHATD_PID=$!
  wait_listening "$3" 60
}
echo "== $(nproc) cores; visitors $VISITORS, rate $RATE/s for $DURATION s; history_kept_s: $KEPT"
for kept in $KEPT; do
  cfg="$OUT/config-$kept.json" data="$OUT/data-$kept"
  cat > "$cfg" <<JSON
{ "node": "bench",
  "limits": { "msgs_per_s": 100000, "burst": 100000, "conns_per_address": 0, "max_connections": 100000 },
  "timeouts": { "history_kept_s": $kept } }
JSON
  rm -rf "$data"
  start_chatd "$data" "$cfg" "$OUT/chatd-$kept.log"
  idle=$(settle "$CHATD_PID" "$CHATD_PORT")
  "$BIN/chat-bench" --url "ws://127.0.0.1:$CHATD_PORT" --visitors "$VISITORS" --rate "$RATE" --warmup 0 \
    --duration "$DURATION" --source 127.0.0.2-127.0.0.11 --server-pid "$CHATD_PID" --json "$OUT/bench-$kept.json" \
    $SHOPPERS > "$OUT/bench-$kept.txt" 2>&1
  acked=$(node -e 'const r=require(process.argv[1]); console.log(r.counts ? r.counts.acked : r.acked)' "$OUT/bench-$kept.json" 2>/dev/null || echo 0)
  after=$(settle "$CHATD_PID" "$CHATD_PORT")
  histories=$(curl -s "http://127.0.0.1:$CHATD_PORT/metrics" | awk '/^chat_histories/ {printf "%s ", $0}')
  kill -TERM "$CHATD_PID"; wait "$CHATD_PID" || true
  events=$(wc -l < "$(ls "$data"/events-bench-*.jsonl | head -1)")
  start_chatd "$data" "$cfg" "$OUT/chatd-$kept-replay.log"
  replayed=$(settle "$CHATD_PID" "$CHATD_PORT")
  kill -TERM "$CHATD_PID"; wait "$CHATD_PID" || true
  node -e '
    const [kept, acked, events] = process.argv.slice(1, 4).map(Number);
    const [idle, after, replayed] = process.argv.slice(4, 7).map((s) => s.split(" ").map(Number));
    const per = (kb, base) => (acked ? (kb - base) * 1024 / acked : 0).toFixed(0);
    const line = (what, m) => `${what}: allocated ${m[0]} KiB (${per(m[0], idle[0])} B per visitor message), RSS ${m[1]} KiB (${per(m[1], idle[1])} B)`;
    console.log(`history_kept_s ${kept}: ${acked} acked visitor messages, ${events} events; idle: allocated ${idle[0]} KiB, RSS ${idle[1]} KiB`);
    console.log("  " + line("after the run", after));
    console.log("  " + line("after a restart on that log", replayed));
  ' "$kept" "$acked" "$events" "$idle" "$after" "$replayed"
  echo "  $histories"
  grep -E "messages|errors" "$OUT/bench-$kept.txt" | sed 's/^/  /'
done
