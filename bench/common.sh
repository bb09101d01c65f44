# common.sh — what the bench scripts share, sourced by them: a free loopback port, the load
# config that lifts chatd's abuse limits for a load generator, and waiting for a server to
# listen.

# A free TCP port on 127.0.0.1.
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# load_config FILE NODE: chatd's config for load runs, node id NODE. Lifted: limits.msgs_per_s /
# burst (10 / 20 per connection by default), limits.conns_per_address (thousands of visitors
# come from a few 127.0.0.x addresses) and limits.max_connections. Durability is not relaxed.
load_config() {
  cat > "$1" <<JSON
{ "node": "$2",
  "limits": { "msgs_per_s": 100000, "burst": 100000, "conns_per_address": 0, "max_connections": 100000 } }
JSON
}

# wait_listening LOG [SECONDS]: until the server writing LOG says "listening on" (10 s by
# default); otherwise prints LOG and fails.
wait_listening() {
  local tries=$(( ${2:-10} * 10 ))
  for _ in $(seq 1 "$tries"); do grep -q "listening on" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "$(basename "$0"): server did not start:" >&2; cat "$1" >&2; return 1
}
