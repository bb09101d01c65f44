#!/usr/bin/env bash
# idle-nodes.sh — idle shoppers held by several chatd nodes on this one machine, acting as one
# service through Redis (docs/scaling.md), and the memory that costs per connection.
#
#   bench/idle-nodes.sh [--build DIR] [--nodes N] [--visitors TOTAL] [--hold S] [--runs R] [--out DIR]
#
# One chatd process may open 20,000 files, so one process holds at most ~19,990 sockets; the
# machine holds more with more processes. Starts a redis-server on a free loopback port and N
# chatd nodes with `--redis` (same secret file, own node id and data directory), then per node
# two chat-bench --idle processes holding TOTAL/N visitors between them from their own
# 127.0.0.x sources. Two seconds after every connection is open it reads the RSS of every chatd
# and of redis-server (/proc/PID/status) and prints the connections held and the RSS per
# connection: all server processes' RSS over all connections, and above the idle processes.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BUILD=build NODES=2 VISITORS=20000 HOLD=6 RUNS=3 OUT=/tmp/chat-idle-nodes
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --nodes) NODES=$2; shift ;; --visitors) VISITORS=$2; shift ;;
    --hold) HOLD=$2; shift ;; --runs) RUNS=$2; shift ;; --out) OUT=$2; shift ;;
    *) echo "idle-nodes.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BIN=$BUILD/bin
for b in chatd chat-bench; do [ -x "$BIN/$b" ] || { echo "idle-nodes.sh: $BIN/$b missing" >&2; exit 1; }; done
command -v redis-server >/dev/null || { echo "idle-nodes.sh: redis-server is not installed" >&2; exit 1; }
PER_PROC=$(( VISITORS / NODES / 2 ))
[ "$PER_PROC" -le 9900 ] || { echo "idle-nodes.sh: $PER_PROC visitors per chat-bench process is over 9,900: add nodes" >&2; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT"
cat > "$OUT/config.json" <<JSON
{ "limits": { "conns_per_address": 0, "max_connections": 100000 } }
JSON
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $VISITORS idle visitors over $NODES chatd nodes and one redis-server, $RUNS runs"
for run in $(seq 1 "$RUNS"); do
  pids=()
  rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no > "$OUT/redis-$run.log" 2>&1 &
  rpid=$!; pids+=("$rpid")
  for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
  node_pids=(); ports=()
  for n in $(seq 1 "$NODES"); do
    data="$OUT/run$run-n$n"; mkdir -p "$data"
    [ "$n" -gt 1 ] && cp "$OUT/run$run-n1/secret" "$data/secret"
    port=$(free_port)
    "$BIN/chatd" --node "n$n" --listen "127.0.0.1:$port" --data "$data" --config "$OUT/config.json" \
      --redis "redis://127.0.0.1:$rport" > "$OUT/chatd-$run-n$n.log" 2>&1 &
    node_pids+=($!); pids+=($!); ports+=("$port")
    wait_listening "$OUT/chatd-$run-n$n.log"
  done
  base=0
  for p in "${node_pids[@]}" "$rpid"; do base=$(( base + $(rss_kb "$p") )); done
  benches=()
  for n in $(seq 1 "$NODES"); do
    for k in 1 2; do
      i=$(( (n - 1) * 2 + k )); lo=$(( 2 + (i - 1) * 10 )); hi=$(( 11 + (i - 1) * 10 ))
      "$BIN/chat-bench" --url "ws://127.0.0.1:${ports[$((n - 1))]}" --visitors "$PER_PROC" --idle --duration "$HOLD" \
        --source "127.0.0.$lo-127.0.0.$hi" --connect-rate 4000 --json "$OUT/bench-$run-$i.json" > "$OUT/bench-$run-$i.txt" 2>&1 &
      benches+=($!)
    done
  done
  # Every connection is open (or failed) when each process prints its count; then 2 s to settle.
  for _ in $(seq 1 600); do
    [ "$(cat "$OUT"/bench-$run-*.txt 2>/dev/null | grep -c 'connections open')" -ge $(( NODES * 2 )) ] && break
    sleep 0.1
  done
  sleep 2
  rss=0
  for p in "${node_pids[@]}" "$rpid"; do rss=$(( rss + $(rss_kb "$p") )); done
  per_node=$(for p in "${node_pids[@]}"; do echo -n "$(rss_kb "$p") "; done)
  for b in "${benches[@]}"; do wait "$b"; done
  node - "$run" "$rss" "$base" "$per_node" "$(rss_kb "$rpid")" "$OUT"/bench-$run-*.json > "$OUT/run-$run.json" <<'JS'
const [run, rss, base, perNode, redis, ...files] = process.argv.slice(2);
const reports = files.map((f) => require(f));
const held = reports.reduce((s, r) => s + r.connections, 0), failed = reports.reduce((s, r) => s + r.connect_failures, 0);
console.log(JSON.stringify({ run: Number(run), held, failed, rss_kb: Number(rss), base_rss_kb: Number(base),
  node_rss_kb: perNode.trim().split(' ').map(Number), redis_rss_kb: Number(redis),
  per_connection_kb: +(rss / held).toFixed(2), added_per_connection_kb: +((rss - base) / held).toFixed(2) }));
JS
  node -e 'const r = require(process.argv[1]); console.log(`  run ${r.run}: ${r.held} connections held (${r.failed} failed); RSS of the ${r.node_rss_kb.length} chatd (${r.node_rss_kb.join(" + ")} KiB) and redis (${r.redis_rss_kb} KiB): ${r.rss_kb} KiB, ${r.per_connection_kb} KiB per connection (${r.added_per_connection_kb} above the idle processes)`)' "$OUT/run-$run.json"
  cleanup; pids=()
done
node - "$OUT" "$RUNS" <<'JS'
const [out, runs] = process.argv.slice(2);
const rs = Array.from({ length: Number(runs) }, (_, i) => require(`${out}/run-${i + 1}.json`));
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
console.log(`median of ${runs}: ${med(rs.map((r) => r.held))} connections held, ${med(rs.map((r) => r.per_connection_kb))} KiB of server RSS per connection (${med(rs.map((r) => r.added_per_connection_kb))} above idle)`);
JS
