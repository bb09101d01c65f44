#!/usr/bin/env bash
# kill-restart.sh — SIGKILL chatd under load, restart it on the same port and data, and check
# that nothing was lost or doubled: chat-bench --reconnect resumes every shopper (resend of
# what was not acked, replay after last_seq), then
#   - every acknowledged message is in the log exactly once (check-log.mjs),
#   - no resumed shopper saw a conversation frame twice (chat-bench's `duplicates`), and every
#     message it sent was acked in the end (`unacked`),
#   - chat-kpi reads the run back.
#   bench/faults/kill-restart.sh [--build DIR] [--visitors N] [--rate R] [--kills K] [--out DIR]
#                                [--history-kept-s S]
#
# --history-kept-s: chatd's timeouts.history_kept_s (600 by default); 0 makes every resume of a
# closed conversation read its frames back from the log.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common.sh
BUILD=build VISITORS=2000 RATE=2000 KILLS=2 OUT=/tmp/chat-faults KEPT=600
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --visitors) VISITORS=$2; shift ;; --rate) RATE=$2; shift ;;
    --kills) KILLS=$2; shift ;; --out) OUT=$2; shift ;; --history-kept-s) KEPT=$2; shift ;;
    *) echo "kill-restart.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BIN=$BUILD/bin
rm -rf "$OUT"; mkdir -p "$OUT"
DATA=$OUT/data
cat > "$OUT/config.json" <<JSON
{ "node": "faults", "limits": { "msgs_per_s": 100000, "burst": 100000, "conns_per_address": 0 },
  "timeouts": { "history_kept_s": $KEPT } }
JSON
PORT=$(free_port)
start_chatd() {
  "$BIN/chatd" --listen "127.0.0.1:$PORT" --data "$DATA" --config "$OUT/config.json" >> "$OUT/chatd.log" 2>&1 &
  CHATD=$!
  for _ in $(seq 1 200); do grep -q "listening on" <(tail -n 3 "$OUT/chatd.log") && return 0; sleep 0.05; done
  echo "chatd did not start"; cat "$OUT/chatd.log"; exit 1
}
start_chatd
DURATION=$(( 6 + KILLS * 5 ))
"$BIN/chat-bench" --url "ws://127.0.0.1:$PORT" --visitors "$VISITORS" --rate "$RATE" --duration "$DURATION" --warmup 1 \
  --source 127.0.0.2-127.0.0.9 --reconnect --acked "$OUT/acked.txt" --json "$OUT/bench.json" --label "SIGKILL x$KILLS" \
  > "$OUT/bench.txt" 2>&1 &
BENCH=$!
sleep 4
for k in $(seq 1 "$KILLS"); do
  echo "SIGKILL chatd (pid $CHATD) under load"
  kill -KILL "$CHATD"; wait "$CHATD" 2>/dev/null || true
  sleep 1
  start_chatd
  sleep 4
done
wait "$BENCH"
cat "$OUT/bench.txt"
kill -TERM "$CHATD"; wait "$CHATD" || true
grep -E "replayed|torn" "$OUT/chatd.log" || true
ok=0
node bench/faults/check-log.mjs "$DATA" "$OUT/acked.txt" || ok=1
node -e '
const r = require(process.argv[1]);
console.log(`resumes ${r.resumes}, duplicates ${r.duplicates}, never acked ${r.unacked}`);
process.exit(r.duplicates === 0 && r.unacked === 0 && r.resumes > 0 ? 0 : 1);' "$OUT/bench.json" || ok=1
"$BIN/chat-kpi" --json "$DATA" > "$OUT/kpi.json" || ok=1
node -e 'const k=require(process.argv[1]); console.log(`chat-kpi read the run back: ${k.conversations} conversations, ${k.counts.resolved} resolved`)' "$OUT/kpi.json"
[ "$ok" = 0 ] && echo "PASS: nothing acked was lost, nothing was seen twice" || echo "FAIL"
exit "$ok"
