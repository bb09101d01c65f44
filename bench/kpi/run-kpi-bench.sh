#!/bin/sh
# run-kpi-bench.sh — chat-kpi throughput on a ~1 GB generated log, against `wc -l` on the same
# file in the same run, with peak RSS from /usr/bin/time -v. Prints each run and the medians.
#
#   run-kpi-bench.sh [BUILD_BIN_DIR] [RUNS]      (log kept in /tmp/chat-kpi-bench/)
set -eu
BIN=${1:-$(dirname "$0")}
RUNS=${2:-5}
DIR=${KPI_BENCH_DIR:-/tmp/chat-kpi-bench}
LOG=$DIR/events.jsonl
SIZE=${KPI_BENCH_BYTES:-1G}
mkdir -p "$DIR"
if [ ! -s "$LOG" ]; then
  echo "generating $SIZE log in $LOG ..."
  "$BIN/kpi-loggen" --bytes "$SIZE" --nodes 3 --seed 7 --out "$LOG"
fi
BYTES=$(stat -c %s "$LOG")
MB=$(echo "$BYTES / 1000000" | bc -l)
printf 'log: %s, %.0f MB, %s lines\n' "$LOG" "$MB" "$(wc -l < "$LOG")"
cat "$LOG" > /dev/null   # warm the page cache so both tools read from memory

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > "$DIR/wc.times"; : > "$DIR/kpi.times"; : > "$DIR/kpi.rss"
i=1
while [ "$i" -le "$RUNS" ]; do
  /usr/bin/time -f '%e' -o "$DIR/t" wc -l "$LOG" > /dev/null
  WC=$(cat "$DIR/t")
  /usr/bin/time -v -o "$DIR/v" "$BIN/chat-kpi" --json "$LOG" > "$DIR/report.json"
  KPI=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(k=1;k<=n;k++) s=s*60+p[k]; print s}' "$DIR/v")
  RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/v")
  echo "$WC" >> "$DIR/wc.times"; echo "$KPI" >> "$DIR/kpi.times"; echo "$RSS" >> "$DIR/kpi.rss"
  printf 'run %d: wc -l %.2f s (%.0f MB/s)   chat-kpi --json %.2f s (%.0f MB/s), peak RSS %d MB\n' \
    "$i" "$WC" "$(echo "$MB / $WC" | bc -l)" "$KPI" "$(echo "$MB / $KPI" | bc -l)" "$((RSS / 1024))"
  i=$((i + 1))
done
WCM=$(median < "$DIR/wc.times"); KPIM=$(median < "$DIR/kpi.times"); RSSM=$(median < "$DIR/kpi.rss")
printf 'median of %d: wc -l %.0f MB/s, chat-kpi %.0f MB/s (%.2f s), peak RSS %d MB\n' "$RUNS" \
  "$(echo "$MB / $WCM" | bc -l)" "$(echo "$MB / $KPIM" | bc -l)" "$KPIM" "$((RSSM / 1024))"
