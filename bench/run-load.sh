#!/usr/bin/env bash
# run-load.sh — chatd against the Node.js `ws` relay baseline (bench/baseline/relay.mjs), the
# same chat-bench load on both, RUNS times each, alternating, then the medians and our ratio.
# On request also relay-floor (bench/floor): the same relay in lean C++, the ceiling of what any
# server sustains here for this load; and chatd-floor: chatd's router, FAQ engine and live KPIs
# on that same lean loop.
#
#   bench/run-load.sh [--build DIR] [--visitors N] [--rate R] [--duration S] [--procs K]
#                     [--agents M] [--runs N] [--out DIR] [--no-baseline] [--idle] [--threads T]
#                     [--servers chatd,relay,floor,chatd-floor] [--dashboard S] [--left-open N]
#                     [--chatd-args "FLAGS"] [--timeline]
#
# --servers picks which servers run (default chatd,relay; --no-baseline is --servers chatd).
# --threads T starts chatd with T network threads (default: chatd's own, one per core).
# --chatd-args "FLAGS" adds chatd flags (split on spaces), e.g. "--commit-window-us 1000".
# --timeline: each chat-bench process writes every measured ack's send time and latency
# (OUT/NAME-RUN-pK.timeline), and the run's slowest 100 ms windows are printed: whether the
# tail is a few stalls or spread over the run.
# --dashboard S: while chatd's load runs, a manager's dashboard asks GET /api/kpi every S
# seconds (the dashboard's own period is 10 s; several managers ask more often); prints how
# long the reports took. The report covers everything logged, so it grows with the run.
# --left-open N: chatd starts on a log that holds N conversations still open, of shoppers who
# asked one question and left (a sale day leaves them open for bot_inactivity, 15 minutes):
# what the router carries beside the shoppers of the run.
# --idle holds N idle visitors instead (RSS per connection), spread over enough chat-bench
# processes that none needs more than 9,900 descriptors (each process may open 20,000 files).
# Every run starts from an empty data directory; the KPIs of each chatd run are read back
# with chat-kpi, and chatd's durable-append latency (its /metrics histogram) is printed beside
# the ack latency, and each server thread's CPU over the measured window (by thread name: chatd
# names its threads). Needs node (for the relay and for the medians).
#
# The bench config raises limits that exist against abuse and would refuse a load generator:
# limits.msgs_per_s / burst (10 / 20 per connection by default), limits.conns_per_address
# (100 by default: thousands of connections come from a few 127.0.0.x addresses) and
# limits.max_connections. Durability is not relaxed: every ack follows an fdatasync.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
BUILD=build VISITORS=2000 RATE=4000 DURATION=10 PROCS=1 AGENTS=0 RUNS=3 OUT=/tmp/chat-load SERVERS=chatd,relay IDLE=0 THREADS=0 DASHBOARD=0 LEFT_OPEN=0 CHATD_ARGS= TIMELINE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --visitors) VISITORS=$2; shift ;; --rate) RATE=$2; shift ;;
    --duration) DURATION=$2; shift ;; --procs) PROCS=$2; shift ;; --agents) AGENTS=$2; shift ;;
    --runs) RUNS=$2; shift ;; --out) OUT=$2; shift ;; --no-baseline) SERVERS=chatd ;; --servers) SERVERS=$2; shift ;; --idle) IDLE=1 ;; --threads) THREADS=$2; shift ;;
    --dashboard) DASHBOARD=$2; shift ;; --left-open) LEFT_OPEN=$2; shift ;; --chatd-args) CHATD_ARGS=$2; shift ;; --timeline) TIMELINE=1 ;;
    *) echo "run-load.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
BIN=$BUILD/bin
for b in chatd chat-bench chat-kpi; do [ -x "$BIN/$b" ] || { echo "run-load.sh: $BIN/$b missing (cmake --build $BUILD --target $b)" >&2; exit 1; }; done
if [ "$IDLE" = 1 ]; then PROCS=$(( (VISITORS + 9899) / 9900 )); fi
mkdir -p "$OUT"
PASSWORD="bench password 42"
echo "$PASSWORD" > "$OUT/agent-password"
load_config "$OUT/bench-config.json" bench

# dashboard PORT FILE: a manager logs in, then asks for the KPI report every $DASHBOARD seconds;
# each report's time (s) and HTTP status go to FILE, one a line.
dashboard() {
  local token
  token=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"user\":\"bench-manager\",\"password\":\"$PASSWORD\"}" \
    "http://127.0.0.1:$1/api/login" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')
  : > "$2"
  while sleep "$DASHBOARD"; do
    curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$1/api/kpi" >> "$2"
  done
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
steal_ticks() { awk '/^cpu / {print $9}' /proc/stat; }

# thread_ticks PID: "name ticks" for each thread of PID, the ticks (user + system) summed by name.
thread_ticks() {
  local t s rest
  for t in /proc/"$1"/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    rest=${s##*) }
    set -- $rest
    echo "$(cat "$t/comm" 2>/dev/null) $(( ${12} + ${13} ))"
  done | awk '{n[$1] += $2} END {for (k in n) print k, n[k]}' | sort
}

# threads_cpu PID AT_MS SECONDS: each thread's CPU (% of a core, by name) over SECONDS from
# AT_MS (epoch ms): the measured window, to tell which thread fills up first.
threads_cpu() {
  local pid=$1 at=$2 secs=$3 a b
  while [ "$(date +%s%3N)" -lt "$at" ]; do sleep 0.05; done
  a=$(thread_ticks "$pid"); sleep "$secs"; b=$(thread_ticks "$pid")
  join <(echo "$a") <(echo "$b") | awk -v s="$secs" -v hz="$(getconf CLK_TCK)" \
    '{p = ($3 - $2) * 100 / hz / s; if (p >= 0.5) out = out sprintf("%s %.0f %%  ", $1, p)} END {print "  server threads     " out}'
}

# drive PORT PID NAME RUN [extra chat-bench flags]: K processes, merged report in $OUT/NAME-RUN.json
drive() {
  local port=$1 pid=$2 name=$3 run=$4; shift 4
  local base; base=$(rss_kb "$pid")
  local start=$(( $(date +%s%3N) + 1500 + VISITORS / 3 ))  # everyone connected by then
  local per=$(( VISITORS / PROCS )) rate_per pids=() files=()
  rate_per=$(node -e "console.log($RATE/$PROCS)")
  for k in $(seq 1 "$PROCS"); do
    local lo=$(( 2 + (k - 1) * 10 )) hi=$(( 11 + (k - 1) * 10 ))
    local agent_flags=()
    if [ "$k" = 1 ] && [ "$AGENTS" -gt 0 ] && [ "$name" = chatd ]; then
      agent_flags=(--agents "$AGENTS" --agent-password-file "$OUT/agent-password")
    fi
    local mode=(--rate "$rate_per" --warmup 2)
    [ "$IDLE" = 1 ] && mode=(--idle)
    [ "$TIMELINE" = 1 ] && mode+=(--timeline "$OUT/$name-$run-p$k.timeline")
    "$BIN/chat-bench" --url "ws://127.0.0.1:$port" --visitors "$per" "${mode[@]}" --duration "$DURATION" \
      --source "127.0.0.$lo-127.0.0.$hi" --server-pid "$pid" --start-at "$start" --label "$name" \
      "${agent_flags[@]}" "$@" --json "$OUT/$name-$run-p$k.json" > "$OUT/$name-$run-p$k.txt" 2>&1 &
    pids+=($!); files+=("$OUT/$name-$run-p$k.json")
  done
  local steal0 t0 sampler=""; steal0=$(steal_ticks); t0=$(date +%s%N)
  if [ "$IDLE" != 1 ]; then
    threads_cpu "$pid" $(( start + 2000 )) "$DURATION" > "$OUT/$name-$run-threads.txt" & sampler=$!
  fi
  for p in "${pids[@]}"; do wait "$p" || { echo "run-load.sh: a chat-bench process failed:" >&2; cat "$OUT/$name-$run-p"*.txt >&2; return 1; }; done
  "$BIN/chat-bench" --merge "${files[@]}" --server-base-rss-kb "$base" --json "$OUT/$name-$run.json" --label "$name run $run"
  # Time the hypervisor gave the machine's CPUs to others meanwhile: the noise of the run.
  local steal1 t1; steal1=$(steal_ticks); t1=$(date +%s%N)
  if [ -n "$sampler" ]; then wait "$sampler" 2>/dev/null || true; cat "$OUT/$name-$run-threads.txt"; fi
  [ "$TIMELINE" = 1 ] && timeline_windows "$OUT/$name-$run-p"*.timeline
  echo "  steal              $(node -e "console.log((($steal1 - $steal0) * 1e9 / $(getconf CLK_TCK) / ($t1 - $t0) * 100).toFixed(1))") % of a CPU (the hypervisor's, from /proc/stat)"
}

# timeline_windows FILE...: the acks of the run by 100 ms window of their sending, merged over
# the processes; prints the five windows with the highest p99, and how many of the acks over
# 20 ms fell in the worst tenth of the windows (a tail of stalls is in a few of them).
timeline_windows() {
  node - "$@" <<'JS'
const fs = require('fs');
const win = new Map();
for (const f of process.argv.slice(2)) {
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line) continue;
    const [sent, lat] = line.split(' ').map(Number);
    const w = Math.floor(sent / 100000);
    if (!win.has(w)) win.set(w, []);
    win.get(w).push(lat);
  }
}
const first = Math.min(...win.keys());
const rows = [...win.entries()].map(([w, l]) => {
  l.sort((a, b) => a - b);
  return { at: (w - first) / 10, n: l.length, p99: l[Math.floor(0.99 * (l.length - 1))] / 1000, max: l[l.length - 1] / 1000, slow: l.filter((x) => x > 20000).length };
});
const slow = rows.reduce((s, r) => s + r.slow, 0);
const worst = [...rows].sort((a, b) => b.slow - a.slow || b.p99 - a.p99);
const tenth = worst.slice(0, Math.max(1, Math.ceil(rows.length / 10))).reduce((s, r) => s + r.slow, 0);
console.log(`  timeline           ${rows.length} windows of 100 ms; acks over 20 ms: ${slow}, ${slow ? (100 * tenth / slow).toFixed(0) : 0} % of them in the worst tenth of the windows`);
for (const r of [...rows].sort((a, b) => b.p99 - a.p99).slice(0, 5))
  console.log(`    at ${r.at.toFixed(1)} s: ${r.n} acks, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, ${r.slow} over 20 ms`);
JS
}

# append_latency PORT: the durable append's share of the ack latency, from chatd's own
# histogram (chat_log_append_seconds: a batch handed to the log writer until written and
# fdatasync'ed), as the bucket bounds that hold half and 99 % of the run's batches; then the
# waits for chatd's threads (chat_core_wait_seconds, chat_visitor_send_wait_seconds): work
# queued behind a busy thread rather than the disk.
append_latency() {
  node - "$1" <<'JS'
require('http').get(`http://127.0.0.1:${process.argv[2]}/metrics`, (res) => {
  let body = '';
  res.on('data', (d) => (body += d));
  res.on('end', () => {
    const read = (name) => {
      const buckets = [...body.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map((m) => [m[1], Number(m[2])]);
      const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
      const within = (q) => { const b = buckets.find(([, n]) => n >= q * total); return b[0] === '+Inf' ? 'more' : `${Number(b[0]) * 1000} ms`; };
      return { total, within };
    };
    const append = read('chat_log_append_seconds'), sync = read('chat_log_sync_seconds');
    const core = read('chat_core_wait_seconds'), send = read('chat_visitor_send_wait_seconds');
    if (append.total)
      console.log(`  durable append     p50 <= ${append.within(0.5)}, p99 <= ${append.within(0.99)}  (${append.total} batches; chatd's chat_log_append_seconds)`);
    if (sync.total)
      console.log(`  fdatasync          p50 <= ${sync.within(0.5)}, p99 <= ${sync.within(0.99)}, p99.9 <= ${sync.within(0.999)}  (${sync.total} syncs; chat_log_sync_seconds)`);
    if (core.total)
      console.log(`  waits for threads  core p50 <= ${core.within(0.5)}, p99 <= ${core.within(0.99)}; visitor sends p50 <= ${send.within(0.5)}, p99 <= ${send.within(0.99)}  (chat_core_wait_seconds, chat_visitor_send_wait_seconds)`);
  });
}).on('error', () => {});
JS
}

# left_open DATA N: a log segment of N open conversations, each a shopper's question and the
# bot's answer, a minute old (node "bench", as load_config names it).
left_open() {
  mkdir -p "$1"
  node - "$1" "$2" <<'JS'
const fs = require('fs');
const [dir, n] = [process.argv[2], Number(process.argv[3])];
const out = fs.createWriteStream(`${dir}/events-bench-1.jsonl`);
const ts = Date.now() - 60000;
let seq = 0, buf = '';
for (let i = 1; i <= n; i++) {
  const conv = `cbench-${i}`, visitor = `vleft${i}`;
  buf += JSON.stringify({ conv, lang: 'en', node: 'bench', seq: ++seq, ts, type: 'conversation.opened', v: 1, visitor }) + '\n';
  buf += JSON.stringify({ author: 'visitor', client_id: `${visitor}-1`, conv, msg: `${conv}.1`, node: 'bench', seq: ++seq, text: 'do you ship to belgium', ts, type: 'message', v: 1 }) + '\n';
  buf += JSON.stringify({ author: 'bot', conv, faq: 'delivery_international', intent: 'delivery_international', lang: 'en', msg: `${conv}.2`, node: 'bench', outcome: 'answer', score: 0.9, seq: ++seq, suggestions: [], text: 'We deliver to Belgium in 3 to 5 working days.', ts, type: 'message', v: 1 }) + '\n';
  if (buf.length > 1 << 20) { out.write(buf); buf = ''; }
}
out.end(buf);
JS
}

run_chatd() {
  local run=$1 data="$OUT/chatd-data-$1" port; port=$(free_port)
  rm -rf "$data"
  [ "$LEFT_OPEN" != 0 ] && left_open "$data" "$LEFT_OPEN"
  for i in $(seq 1 "$AGENTS"); do
    echo "$PASSWORD" | "$BIN/chatd" user add "bench-agent-$i" --role agent --capacity 50 --data "$data" >/dev/null
  done
  [ "$DASHBOARD" != 0 ] && echo "$PASSWORD" | "$BIN/chatd" user add bench-manager --role manager --data "$data" >/dev/null
  local flags=() extra=()
  [ "$THREADS" -gt 0 ] && flags=(--threads "$THREADS")
  read -r -a extra <<< "$CHATD_ARGS"
  flags+=("${extra[@]+"${extra[@]}"}")
  "$BIN/chatd" --listen "127.0.0.1:$port" --data "$data" --config "$OUT/bench-config.json" "${flags[@]+"${flags[@]}"}" > "$OUT/chatd-$run.log" 2>&1 &
  local pid=$!
  wait_listening "$OUT/chatd-$run.log" 60
  local dash=""
  if [ "$DASHBOARD" != 0 ]; then
    dashboard "$port" "$OUT/chatd-$run-dashboard.txt" & dash=$!
  fi
  drive "$port" "$pid" chatd "$run"
  if [ -n "$dash" ]; then
    kill "$dash" 2>/dev/null; wait "$dash" 2>/dev/null || true
    sort -n "$OUT/chatd-$run-dashboard.txt" | awk '$2 == 200 {t[++n]=$1*1000} $2 != 200 {bad++} END {if (n) printf "  dashboard          %d reports (GET /api/kpi): median %.1f ms, max %.1f ms; %d failed\n", n, t[int((n+1)/2)], t[n], bad}'
  fi
  append_latency "$port"
  kill -TERM "$pid"; wait "$pid" || true
  # The run's KPIs, read back from the log.
  "$BIN/chat-kpi" --json "$data" > "$OUT/chatd-$run-kpi.json"
  node -e 'const k=require(process.argv[1]); console.log(`  chat-kpi read the run back: ${k.conversations} conversations, ${k.counts.resolved} resolved, ${k.counts.handoffs} handoffs, CSAT ${k.csat.count}`)' "$OUT/chatd-$run-kpi.json"
  rm -rf "$data"
}

run_relay() {
  local run=$1 data="$OUT/relay-data-$1" port; port=$(free_port)
  rm -rf "$data"
  node bench/baseline/relay.mjs --port "$port" --data "$data" > "$OUT/relay-$run.log" 2>&1 &
  local pid=$!
  wait_listening "$OUT/relay-$run.log"
  drive "$port" "$pid" relay "$run"
  kill -TERM "$pid"; wait "$pid" || true
  rm -rf "$data"
}

# run_floor NAME RUN: relay-floor (floor) or chatd-floor, on the lean loop of bench/floor.
run_floor() {
  local name=$1 run=$2 data="$OUT/$1-data-$2" port extra=(); port=$(free_port)
  rm -rf "$data"
  [ "$name" = chatd-floor ] && extra=(--faq faq)
  "$BIN/$( [ "$name" = floor ] && echo relay-floor || echo chatd-floor )" --port "$port" --data "$data" "${extra[@]}" > "$OUT/$name-$run.log" 2>&1 &
  local pid=$!
  wait_listening "$OUT/$name-$run.log"
  drive "$port" "$pid" "$name" "$run"
  kill -TERM "$pid"; wait "$pid" || true
  rm -rf "$data"
}

echo "== $(nproc) cores, $(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1048576 )) GiB, load average $(cut -d' ' -f1-3 /proc/loadavg); chatd threads $([ "$THREADS" -gt 0 ] && echo "$THREADS" || echo default); visitors $VISITORS, $( [ "$IDLE" = 1 ] && echo idle || echo "rate $RATE/s" ), $PROCS chat-bench process(es), agents $AGENTS, $RUNS runs"
case ",$SERVERS," in *,chatd,*) CHATD=1 ;; *) CHATD=0 ;; esac
case ",$SERVERS," in *,relay,*) BASELINE=1 ;; *) BASELINE=0 ;; esac
case ",$SERVERS," in *,floor,*) FLOOR=1 ;; *) FLOOR=0 ;; esac
case ",$SERVERS," in *,chatd-floor,*) CFLOOR=1 ;; *) CFLOOR=0 ;; esac
[ "$CHATD$BASELINE$FLOOR$CFLOOR" = 0000 ] && { echo "run-load.sh: --servers takes chatd, relay, floor and/or chatd-floor" >&2; exit 2; }
[ "$FLOOR" = 1 ] && [ ! -x "$BIN/relay-floor" ] && { echo "run-load.sh: $BIN/relay-floor missing" >&2; exit 1; }
[ "$CFLOOR" = 1 ] && [ ! -x "$BIN/chatd-floor" ] && { echo "run-load.sh: $BIN/chatd-floor missing" >&2; exit 1; }
for run in $(seq 1 "$RUNS"); do
  [ "$CHATD" = 1 ] && run_chatd "$run"
  [ "$BASELINE" = 1 ] && run_relay "$run"
  [ "$FLOOR" = 1 ] && run_floor floor "$run"
  [ "$CFLOOR" = 1 ] && run_floor chatd-floor "$run"
done

# Medians over the runs, and the ratio.
node - "$OUT" "$RUNS" "$CHATD" "$BASELINE" "$FLOOR" "$CFLOOR" <<'JS'
const [out, runs, chatd, baseline, floor, cfloor] = process.argv.slice(2);
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const load = (name) => Array.from({ length: Number(runs) }, (_, i) => require(`${out}/${name}-${i + 1}.json`));
const pick = (rs, f) => med(rs.map(f));
const row = (name, rs) => ({
  name, connections: pick(rs, (r) => r.connections), msgs_per_s: pick(rs, (r) => r.msgs_per_s),
  ack_p50: pick(rs, (r) => r.latency_ms.ack.p50), ack_p99: pick(rs, (r) => r.latency_ms.ack.p99),
  bot_p50: pick(rs, (r) => r.latency_ms.bot_reply.p50), bot_p99: pick(rs, (r) => r.latency_ms.bot_reply.p99),
  agent_p99: pick(rs, (r) => r.latency_ms.agent_delivery.p99),
  rss_per_conn_kb: pick(rs, (r) => r.server_rss_per_connection_kb ?? 0),
  rss_added_per_conn_kb: pick(rs, (r) => r.server_rss_added_per_connection_kb ?? 0),
  server_cpu: pick(rs, (r) => r.server_cpu_percent ?? 0), bench_cpu: pick(rs, (r) => r.bench_cpu_percent ?? 0),
  errors: pick(rs, (r) => r.errors),
});
const rows = [];
if (chatd === '1') rows.push(row('chatd', load('chatd')));
if (baseline === '1') rows.push(row('node ws relay', load('relay')));
const floorRow = floor === '1' ? row('relay-floor (C++)', load('floor')) : null;
const cfloorRow = cfloor === '1' ? row('chatd-floor', load('chatd-floor')) : null;
const extra = [floorRow, cfloorRow].filter(Boolean);
console.log(`\nmedians of ${runs} runs (latencies in ms, CPU in % of one core, RSS in KiB):`);
console.table([...rows, ...extra]);
if (extra.length) {
  const by = (name) => rows.find((r) => r.name === name);
  const ratio = (a, b) => `${(a.msgs_per_s / b.msgs_per_s).toFixed(2)}x the message rate; ack p99 ${a.ack_p99} vs ${b.ack_p99} ms`;
  if (floorRow && by('node ws relay')) console.log(`relay-floor / node: ${ratio(floorRow, by('node ws relay'))}`);
  if (floorRow && by('chatd')) console.log(`chatd / relay-floor: ${ratio(by('chatd'), floorRow)}`);
  if (cfloorRow && by('chatd')) console.log(`chatd / chatd-floor: ${ratio(by('chatd'), cfloorRow)}`);
}
if (rows.length === 2) {
  const [c, n] = rows;
  if (n.msgs_per_s > 0)
    console.log(`chatd / node: ${(c.msgs_per_s / n.msgs_per_s).toFixed(2)}x the message rate; ack p99 ${c.ack_p99} vs ${n.ack_p99} ms; bot reply p99 ${c.bot_p99} vs ${n.bot_p99} ms`);
  else
    console.log(`idle: chatd ${c.connections} connections at ${c.rss_per_conn_kb} KiB each (${c.rss_added_per_conn_kb} above idle); node ${n.connections} at ${n.rss_per_conn_kb} KiB (${n.rss_added_per_conn_kb})`);
}
JS
