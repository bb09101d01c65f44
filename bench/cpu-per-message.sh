#!/usr/bin/env bash
# cpu-per-message.sh — chatd's CPU time (user and system) and system calls per visitor message
# at a fixed rate, from /proc/PID/stat and perf's syscall tracepoints (no strace: it would slow
# every call it counts).
#
#   bench/cpu-per-message.sh [--build DIR] [--visitors N] [--rate R] [--threads T] [--out DIR] [-- CHATD_FLAGS...]
#
# Starts chatd, one chat-bench process at RATE, and over 5 s of the message phase reads the
# visitor messages chatd counted (/metrics), its CPU ticks, and (when perf is usable) how many
# sendmsg, recvmsg, sendto, recvfrom, futex, epoll_wait, epoll_ctl, setsockopt, writev and fdatasync calls it
# made, and its threads' context switches. A rate below saturation makes runs comparable on a shared machine; CPU per message
# still moves with what else runs (batches grow under load), so compare builds alternately.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BUILD=build VISITORS=2000 RATE=3000 THREADS=0 OUT=/tmp/chat-cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --visitors) VISITORS=$2; shift ;; --rate) RATE=$2; shift ;;
    --threads) THREADS=$2; shift ;; --out) OUT=$2; shift ;; --) shift; break ;;
    *) echo "cpu-per-message.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BIN=$BUILD/bin
for b in chatd chat-bench; do [ -x "$BIN/$b" ] || { echo "cpu-per-message.sh: $BIN/$b missing" >&2; exit 1; }; done
rm -rf "$OUT"; mkdir -p "$OUT/data"
load_config "$OUT/config.json" cpu
threads=()
[ "$THREADS" -gt 0 ] && threads=(--threads "$THREADS")
PORT=$(free_port)
"$BIN/chatd" --listen "127.0.0.1:$PORT" --data "$OUT/data" --config "$OUT/config.json" "${threads[@]}" "$@" > "$OUT/chatd.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
wait_listening "$OUT/chatd.log"
visitor_msgs() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^chat_messages_in_total\{author="visitor"\}/ {print $2}'; }
ticks() { awk '{print $14, $15}' "/proc/$PID/stat"; }
# Context switches of all chatd's threads, voluntary (it slept) and not (it was preempted).
switches() { cat /proc/$PID/task/*/status | awk '/^voluntary_ctxt/ {v += $2} /^nonvoluntary_ctxt/ {n += $2} END {print v, n}'; }
START=$(( $(date +%s%3N) + 3000 ))
"$BIN/chat-bench" --url "ws://127.0.0.1:$PORT" --visitors "$VISITORS" --rate "$RATE" --warmup 0 --duration 10 \
  --start-at "$START" --server-pid "$PID" > "$OUT/bench.txt" 2>&1 &
BENCH=$!
while [ "$(date +%s%3N)" -lt $(( START + 2000 )) ]; do sleep 0.1; done
M0=$(visitor_msgs); T0=$(ticks); S0=$(switches); ST0=$(awk '/^cpu / {print $9}' /proc/stat)
EVENTS=syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_setsockopt,syscalls:sys_enter_writev,syscalls:sys_enter_fdatasync
if perf stat -x, -e "$EVENTS" -p "$PID" -o "$OUT/syscalls.txt" -- sleep 5 2>/dev/null; then :; else rm -f "$OUT/syscalls.txt"; sleep 5; fi
M1=$(visitor_msgs); T1=$(ticks); S1=$(switches); ST1=$(awk '/^cpu / {print $9}' /proc/stat)
wait "$BENCH" || true
kill -TERM "$PID"; wait "$PID" || true
trap - EXIT
HZ=$(getconf CLK_TCK)
node - "$((M1 - M0))" "$T0" "$T1" "$HZ" "$OUT/syscalls.txt" "$S0" "$S1" <<'JS'
const fs = require('fs');
const [m, t0, t1, hz, sc, s0, s1] = process.argv.slice(2);
const msgs = Number(m), a = t0.split(' ').map(Number), b = t1.split(' ').map(Number);
const us = (ticks) => (ticks * 1e6 / Number(hz) / msgs).toFixed(0);
console.log(`visitor messages in 5 s: ${msgs} (${(msgs / 5).toFixed(0)}/s); chatd CPU per message: ${us(b[0] - a[0] + b[1] - a[1])} us (user ${us(b[0] - a[0])}, system ${us(b[1] - a[1])})`);
const [v0, n0] = s0.split(' ').map(Number), [v1, n1] = s1.split(' ').map(Number);
console.log(`context switches per message: ${((v1 - v0) / msgs).toFixed(2)} voluntary, ${((n1 - n0) / msgs).toFixed(2)} preempted`);
if (fs.existsSync(sc)) {
  const calls = fs.readFileSync(sc, 'utf8').split('\n').filter((l) => l.includes('sys_enter_'))
    .map((l) => { const f = l.split(','); return `${f[2].replace(/.*sys_enter_/, '')} ${(Number(f[0]) / msgs).toFixed(2)}`; });
  console.log(`system calls per message: ${calls.join(', ')}`);
}
JS
grep -E "CPU" "$OUT/bench.txt" || true
echo "  steal              $(( (ST1 - ST0) * 100 / HZ / 5 )) % of a CPU over the 5 s (the hypervisor's, from /proc/stat)"
