#!/usr/bin/env bash
# generator-cost.sh — what chat-bench itself costs per visitor message: its CPU time (user and
# system, from /proc/PID/stat), its context switches, and (when perf is usable) its system
# calls, over 5 s of the message phase against a chatd started here. The server's own cost is
# bench/cpu-per-message.sh's business; this one watches the load generator.
#
#   bench/chat-bench/generator-cost.sh [--build DIR] [--bench BIN] [--visitors N] [--rate R] [--out DIR]
#
# --bench runs another chat-bench binary (an older build, to compare) against the same chatd.
# Compare builds alternately: on a shared machine the cost moves with what else runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common.sh
BUILD=build BENCH="" VISITORS=2000 RATE=4000 OUT=/tmp/chat-generator-cost
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --bench) BENCH=$2; shift ;; --visitors) VISITORS=$2; shift ;;
    --rate) RATE=$2; shift ;; --out) OUT=$2; shift ;;
    *) echo "generator-cost.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BENCH=${BENCH:-$BUILD/bin/chat-bench}
for b in "$BUILD/bin/chatd" "$BENCH"; do [ -x "$b" ] || { echo "generator-cost.sh: $b missing" >&2; exit 1; }; done
rm -rf "$OUT"; mkdir -p "$OUT/data"
load_config "$OUT/config.json" cost
PORT=$(free_port)
"$BUILD/bin/chatd" --listen "127.0.0.1:$PORT" --data "$OUT/data" --config "$OUT/config.json" > "$OUT/chatd.log" 2>&1 &
CHATD=$!
trap 'kill $CHATD 2>/dev/null || true' EXIT
wait_listening "$OUT/chatd.log"
START=$(( $(date +%s%3N) + 1500 + VISITORS / 3 ))
"$BENCH" --url "ws://127.0.0.1:$PORT" --visitors "$VISITORS" --rate "$RATE" --warmup 0 --duration 10 \
  --source 127.0.0.2-127.0.0.11 --start-at "$START" --server-pid "$CHATD" > "$OUT/bench.txt" 2>&1 &
PID=$!
while [ "$(date +%s%3N)" -lt $(( START + 2000 )) ]; do sleep 0.1; done
# Visitor messages the server counted, and the generator's ticks and context switches.
msgs() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^chat_messages_in_total\{author="visitor"\}/ {print $2}'; }
snap() { echo "$(msgs) $(awk '{print $14, $15}' "/proc/$PID/stat") $(awk '/^voluntary_ctxt/ {print $2}' "/proc/$PID/status")"; }
S0=$(snap)
EVENTS=syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_recvmsg,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_timerfd_settime,syscalls:sys_enter_read
if perf stat -x, -e "$EVENTS" -p "$PID" -o "$OUT/syscalls.txt" -- sleep 5 2>/dev/null; then :; else rm -f "$OUT/syscalls.txt"; sleep 5; fi
S1=$(snap)
wait "$PID" || true
kill -TERM "$CHATD"; wait "$CHATD" || true
trap - EXIT
node - "$S0" "$S1" "$(getconf CLK_TCK)" "$OUT/syscalls.txt" <<'JS'
const fs = require('fs');
const [s0, s1, hz, sc] = process.argv.slice(2);
const a = s0.split(' ').map(Number), b = s1.split(' ').map(Number);
const msgs = b[0] - a[0];
const us = (ticks) => (ticks * 1e6 / Number(hz) / msgs).toFixed(1);
console.log(`visitor messages in 5 s: ${msgs} (${(msgs / 5).toFixed(0)}/s); chat-bench CPU per message: ${us(b[1] - a[1] + b[2] - a[2])} us (user ${us(b[1] - a[1])}, system ${us(b[2] - a[2])}); voluntary context switches per message ${((b[3] - a[3]) / msgs).toFixed(2)}`);
if (fs.existsSync(sc)) {
  const calls = fs.readFileSync(sc, 'utf8').split('\n').filter((l) => l.includes('sys_enter_'))
    .map((l) => { const f = l.split(','); return `${f[2].replace(/.*sys_enter_/, '')} ${(Number(f[0]) / msgs).toFixed(2)}`; });
  console.log(`chat-bench system calls per message: ${calls.join(', ')}`);
}
JS
grep -E "ack |CPU" "$OUT/bench.txt" || true
