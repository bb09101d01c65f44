#!/usr/bin/env bash
# sweep.sh — the highest message rate chatd and the Node.js `ws` relay each sustain within a
# latency bound: "rate at equal or better p99", the comparison the load target asks for.
#
#   bench/sweep.sh [--build DIR] [--rates 2000,4000,...] [--p99-ms 20] [--visitors N] [--procs K]
#                  [--duration S] [--passes N] [--threads T] [--servers chatd,relay,floor,chatd-floor]
#                  [--also-p99-ms 5,10] [--out DIR]
#
# --servers: which servers climb (default chatd,relay); `floor` adds relay-floor (bench/floor),
# the relay in lean C++: the ceiling of what any server sustains here for this load;
# `chatd-floor` is chatd's router, FAQ engine and live KPIs on that same lean loop.
# Each pass walks the rates upwards, alternating chatd and the relay at every rate (one
# bench/run-load.sh run each: same chat-bench load, empty data directory, chatd's KPIs read
# back). A server sustains a rate when it acknowledged at least 97 % of it, with no error,
# and its ack p99 stayed within the bound; its first failure ends its climb for that pass
# (a noisy failure makes the figure lower, never higher). Per server: the highest sustained
# rate of each pass and their median; the ratio of the medians; and the table of ack p99 by
# rate (median over the passes that ran it). --also-p99-ms gives the same figures for tighter
# bounds, read off the same runs (a pass's figure at a bound is the highest rate up to which every
# run held it): a ratio "at equal p99" depends on the bound, so the report can give several.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build RATES=2000,4000,6000,8000,10000,12000,14000,16000,20000 P99=20 VISITORS=4000 PROCS=2 DURATION=10
PASSES=3 THREADS=0 SERVERS=chatd,relay OUT=/tmp/chat-sweep ALSO=
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;; --rates) RATES=$2; shift ;; --p99-ms) P99=$2; shift ;;
    --visitors) VISITORS=$2; shift ;; --procs) PROCS=$2; shift ;; --duration) DURATION=$2; shift ;;
    --passes) PASSES=$2; shift ;; --threads) THREADS=$2; shift ;; --out) OUT=$2; shift ;;
    --servers) SERVERS=$2; shift ;; --also-p99-ms) ALSO=$2; shift ;;
    *) echo "sweep.sh: unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done
rm -rf "$OUT"; mkdir -p "$OUT"
echo "== sweep: servers $SERVERS, rates $RATES, bound ack p99 <= $P99 ms, $VISITORS visitors over $PROCS chat-bench process(es), $DURATION s each, $PASSES passes; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# sustained FILE RATE: 0 when the run in FILE sustained RATE within the bound.
sustained() {
  node -e 'const [f, rate, bound] = process.argv.slice(1); const r = require(f);
    const ok = r.msgs_per_s >= 0.97 * Number(rate) && r.errors === 0 && r.latency_ms.ack.p99 <= Number(bound);
    console.log(`    ${r.label.split(" ")[0].padEnd(11)} ${String(Math.round(r.msgs_per_s)).padStart(6)} msgs/s  ack p50 ${r.latency_ms.ack.p50} p99 ${r.latency_ms.ack.p99} ms  server CPU ${r.server_cpu_percent} %  generator ${r.bench_cpu_percent} %  ${ok ? "sustained" : "NOT sustained"}`);
    process.exit(ok ? 0 : 1);' "$1" "$2" "$P99"
}

for pass in $(seq 1 "$PASSES"); do
  climbing=(${SERVERS//,/ })
  for rate in ${RATES//,/ }; do
    [ ${#climbing[@]} -eq 0 ] && break
    echo "  pass $pass, $rate msgs/s asked"
    still=()
    for server in "${climbing[@]}"; do
      dir="$OUT/p$pass-r$rate-$server"
      bench/run-load.sh --build "$BUILD" --servers "$server" --visitors "$VISITORS" --procs "$PROCS" \
        --rate "$rate" --duration "$DURATION" --runs 1 --threads "$THREADS" --out "$dir" > "$dir.txt" 2>&1 ||
        { echo "sweep.sh: run-load.sh failed, see $dir.txt" >&2; exit 1; }
      if sustained "$dir/$server-1.json" "$rate"; then still+=("$server"); fi
      grep -m1 "^  steal" "$dir.txt" | sed 's/^  steal */      steal /' || true
    done
    climbing=("${still[@]+"${still[@]}"}")
  done
done

for b in ${ALSO//,/ }; do
  node -e 'process.exit(Number(process.argv[1]) > 0 && Number(process.argv[1]) < Number(process.argv[2]) ? 0 : 1)' "$b" "$P99" ||
    { echo "sweep.sh: --also-p99-ms $b must be a bound below --p99-ms $P99" >&2; exit 2; }
done

node - "$OUT" "$PASSES" "$RATES" "$P99" "$SERVERS" "$ALSO" <<'JS'
const fs = require('fs');
const [out, passes, rates, mainBound, serverList, also] = process.argv.slice(2);
const servers = serverList.split(',');
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const rateList = rates.split(',').map(Number);
const bounds = [Number(mainBound), ...(also ? also.split(',').map(Number).sort((a, b) => a - b) : [])];
const p99 = Object.fromEntries(servers.map((s) => [s, {}]));
const runs = Object.fromEntries(servers.map((s) => [s, []]));  // per pass: the runs of the climb, in rate order
for (let p = 1; p <= Number(passes); p++) {
  for (const server of servers) {
    const climb = [];
    for (const rate of rateList) {
      const f = `${out}/p${p}-r${rate}-${server}/${server}-1.json`;
      if (!fs.existsSync(f)) break;
      const r = require(f);
      (p99[server][rate] ??= []).push(r.latency_ms.ack.p99);
      climb.push({ rate, r });
    }
    runs[server].push(climb);
  }
}
console.log(`\nack p99 (ms) by rate asked, median over the passes that ran it:`);
console.table(rateList.map((rate) => Object.fromEntries([['rate', rate],
  ...servers.map((s) => [s, p99[s][rate] ? med(p99[s][rate]) : '-'])])));
const names = { chatd: 'chatd', relay: 'node ws relay', floor: 'relay-floor', 'chatd-floor': 'chatd-floor' };
for (const bound of bounds) {
  // A pass's figure: the highest rate up to which every run of its climb held the bound.
  const best = Object.fromEntries(servers.map((s) => [s, runs[s].map((climb) => {
    let top = 0;
    for (const { rate, r } of climb) {
      if (r.msgs_per_s >= 0.97 * rate && r.errors === 0 && r.latency_ms.ack.p99 <= bound) top = rate;
      else break;
    }
    return top;
  })]));
  const top = Object.fromEntries(servers.map((s) => [s, med(best[s])]));
  console.log(`${bound === bounds[0] ? '' : '\n'}highest rate sustained with ack p99 <= ${bound} ms: ` +
    servers.map((s) => `${names[s] ?? s} ${top[s]} (passes ${best[s].join(' / ')})`).join(', '));
  const ratio = (a, b, label) => {
    if (!(a in top) || !(b in top)) return;
    console.log(top[b] > 0 ? `${label} at equal p99 bound (${bound} ms): ${(top[a] / top[b]).toFixed(2)}x` : `${names[b]} sustained none of the rates within ${bound} ms`);
  };
  ratio('chatd', 'relay', 'chatd / node');
  ratio('floor', 'relay', 'relay-floor / node');
  ratio('chatd', 'floor', 'chatd / relay-floor');
  ratio('chatd-floor', 'relay', 'chatd-floor / node');
  ratio('chatd', 'chatd-floor', 'chatd / chatd-floor');
}
JS
