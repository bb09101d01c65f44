#!/usr/bin/env bash
# profile-callgrind.sh — instructions per visitor message in chatd, counted by callgrind.
#
#   bench/profile-callgrind.sh [--build DIR] [--visitors N] [--rate R] [--duration S] [--out DIR]
#
# Starts chatd under valgrind --tool=callgrind with collection off, connects N chat-bench
# visitors, switches collection on for the message phase only (callgrind_control -i on), then
# off, and divides the instructions (all threads, and the busiest thread) by the visitor
# messages chatd counted in that window (/metrics, chat_messages_in_total{author="visitor"}).
# Instruction counts do not depend on what else runs on the machine, unlike times: this is the
# before/after figure for the hot path. The callgrind files stay in OUT for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BUILD=build VISITORS=100 RATE=60 DURATION=10 OUT=/tmp/chat-callgrind
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --visitors) VISITORS=$2; shift ;; --rate) RATE=$2; shift ;;
    --duration) DURATION=$2; shift ;; --out) OUT=$2; shift ;;
    *) echo "profile-callgrind.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BIN=$BUILD/bin
for b in chatd chat-bench; do [ -x "$BIN/$b" ] || { echo "profile-callgrind.sh: $BIN/$b missing" >&2; exit 1; }; done
command -v callgrind_control >/dev/null || { echo "profile-callgrind.sh: valgrind is not installed" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT/data"
load_config "$OUT/config.json" prof
PORT=$(free_port)
valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --callgrind-out-file="$OUT/callgrind.out.%p" \
  "$BIN/chatd" --listen "127.0.0.1:$PORT" --data "$OUT/data" --config "$OUT/config.json" > "$OUT/chatd.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
wait_listening "$OUT/chatd.log" 60  # under valgrind
visitor_msgs() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^chat_messages_in_total\{author="visitor"\}/ {print $2}'; }
START=$(( $(date +%s%3N) + 4000 ))
"$BIN/chat-bench" --url "ws://127.0.0.1:$PORT" --visitors "$VISITORS" --rate "$RATE" --warmup 0 \
  --duration "$DURATION" --start-at "$START" > "$OUT/bench.txt" 2>&1 &
BENCH=$!
while [ "$(date +%s%3N)" -lt $(( START + 500 )) ]; do sleep 0.1; done
M0=$(visitor_msgs)
callgrind_control -i on "$PID" >/dev/null
sleep $(( DURATION - 2 ))
callgrind_control -i off "$PID" >/dev/null
M1=$(visitor_msgs)
wait "$BENCH" || true
kill -INT "$PID"; wait "$PID" || true
trap - EXIT
node - "$OUT" "$(( M1 - M0 ))" <<'JS'
const fs = require('fs'), path = require('path');
const [dir, msgs] = [process.argv[2], Number(process.argv[3])];
let total = 0, top = 0;
for (const f of fs.readdirSync(dir).filter(f => f.startsWith('callgrind.out.'))) {
  const m = fs.readFileSync(path.join(dir, f), 'utf8').match(/^totals: (\d+)/m);
  if (!m) continue;
  const ir = Number(m[1]); total += ir; top = Math.max(top, ir);
}
const fmt = n => Math.round(n).toLocaleString('en');
console.log(`visitor messages in window: ${msgs}`);
console.log(`instructions per visitor message: ${fmt(total / msgs)} in all, ${fmt(top / msgs)} on the busiest thread`);
console.log(`(threads share the strands: callgrind_annotate ${dir}/callgrind.out.* for where they go)`);
JS
grep -E "msgs/s|errors" "$OUT/bench.txt" | head -5 || true
