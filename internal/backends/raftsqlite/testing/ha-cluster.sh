#!/bin/bash
# ha-cluster.sh - sourced by ha-bench.sh and failover-series.sh: three `kplane server --datastore
# raftsqlite` processes on loopback joined with add-node/--join, HAProxy in front, and helpers to
# find (and kill) the current Raft leader without any slow CLI start in the way.
#
# Inputs (set before sourcing): ROOT (repo with a built binary), ELECTION (ms), BASE (port base,
# default 27600: HAProxy on BASE, node a on BASE+1/+2, b on +11/+12, c on +21/+22).
# Everything lives in $W (a temp dir, removed at the end unless KEEP=1); only processes started
# here are stopped, by PID.
K="$ROOT/bin/kplane" # as shipped: the interpreter line carries the node flags
BASE=${BASE:-27600}
W=$(mktemp -d -t kplane-ha-XXXXXX)
declare -A PID API PEER ID
NODES="a b c"
API[a]=$((BASE + 1)); PEER[a]=$((BASE + 2))
API[b]=$((BASE + 11)); PEER[b]=$((BASE + 12))
API[c]=$((BASE + 21)); PEER[c]=$((BASE + 22))

# start NAME [join args]: (re)starts a node on its data dir; a restarted node needs no join args.
start_node() {
  local n=$1; shift
  $K server --data-dir "$W/$n" --listen "127.0.0.1:${API[$n]}" --peer-listen "127.0.0.1:${PEER[$n]}" --datastore raftsqlite \
    --advertise-address 127.0.0.1 --election-timeout "$ELECTION" "$@" >>"$W/$n.log" 2>&1 &
  PID[$n]=$!
  disown "${PID[$n]}" # no "Killed" job notices from the kills; cluster_down still stops it by PID
  echo "${PID[$n]}" >"$W/$n.pid" # the poller runs in a subshell: it reads PIDs from these files
}
pidof_node() { cat "$W/$1.pid"; }
ready() { for _ in $(seq 1 300); do curl -skf "https://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.1; done; echo "node on $1 not ready" >&2; return 1; }

# status NAME: GET /kplane/status of that node as the admin (one curl, ~10 ms; `kplane status` is an
# oclif start of about a second, far too slow to sit between "decide to kill" and the kill).
status() {
  local p="$W/a/pki"
  curl -s --max-time 1 --cacert "$p/ca.crt" --cert "$p/admin.crt" --key "$p/admin.key" "https://127.0.0.1:${API[$1]}/kplane/status"
}
jfield() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const o=JSON.parse(s);console.log(o[process.argv[1]]??"")}catch{console.log("")}})' "$1"; }

# leader_name: the name (a/b/c) of the node the live nodes report as leader, or nothing.
leader_name() {
  local n l
  for n in $NODES; do
    kill -0 "$(pidof_node "$n")" 2>/dev/null || continue
    l=$(status "$n" | jfield leader)
    [ -n "$l" ] && [ "$l" != 0 ] || continue
    for m in $NODES; do [ "${ID[$m]}" = "$l" ] && { echo "$m"; return 0; }; done
  done
  return 1
}

# leader_poller FILE: keeps FILE holding "PID NAME" of the current leader (refreshed every 200 ms),
# so a kill command can be `kill -9 $(cut -d' ' -f1 FILE)`: no lookup at the kill instant.
leader_poller() {
  local f=$1 n
  while :; do
    if n=$(leader_name); then echo "$(pidof_node "$n") $n" >"$f.tmp" && mv "$f.tmp" "$f"; fi
    sleep 0.2
  done
}

# caught_up NAME: the node is ready and has applied everything the leader had committed when asked.
caught_up() {
  local n=$1 l c a
  l=$(leader_name) || return 1
  c=$(status "$l" | jfield commit)
  curl -skf "https://127.0.0.1:${API[$n]}/readyz" >/dev/null || return 1
  a=$(status "$n" | jfield applied)
  [ -n "$c" ] && [ -n "$a" ] && [ "$a" -ge "$c" ]
}

cluster_up() {
  start_node a; ready "${API[a]}"
  local t
  t=$($K add-node --data-dir "$W/a" | sed -n 2p | tr -d ' ')
  start_node b --join "https://127.0.0.1:${API[a]}" --token "$t"; ready "${API[b]}"
  t=$($K add-node --data-dir "$W/a" | sed -n 2p | tr -d ' ')
  start_node c --join "https://127.0.0.1:${API[a]}" --token "$t"; ready "${API[c]}"
  for n in $NODES; do ID[$n]=$(status "$n" | jfield id); done
  echo "[ha] node ids: a=${ID[a]} b=${ID[b]} c=${ID[c]}; pids a=${PID[a]} b=${PID[b]} c=${PID[c]}" >&2
}

# HAProxy as the shipped manifests/haproxy.cfg configures it in the points that matter for failover:
# a refused connect is retried at once on another server (retries + redispatch 1; without them a
# connect to the dead node fails after a 1 s turn-around per retry), fast checks, and sessions of a
# server marked down are closed.
haproxy_up() {
  cat >"$W/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode tcp
  retries 3
  option redispatch 1
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
  timeout check 1s
backend kplane
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  default-server check check-ssl verify none inter 300ms fastinter 200ms downinter 500ms fall 2 rise 2 on-marked-down shutdown-sessions
  server a 127.0.0.1:${API[a]}
  server b 127.0.0.1:${API[b]}
  server c 127.0.0.1:${API[c]}
frontend api
  bind 127.0.0.1:$BASE
  default_backend kplane
CFG
  haproxy -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
  HAP=$!
  sed "s#server: .*#server: https://127.0.0.1:$BASE#" "$W/a/kubeconfig" >"$W/kubeconfig"
  sleep 1
}

cluster_down() {
  for n in $NODES; do kill "${PID[$n]}" 2>/dev/null || true; done
  [ -n "${HAP:-}" ] && kill "$HAP" 2>/dev/null || true
  [ -n "${POLLER:-}" ] && kill "$POLLER" 2>/dev/null || true
  # The data dirs grow to hundreds of MB over a series; KEEP=1 keeps them (and the node logs).
  if [ -n "${KEEP:-}" ]; then echo "[ha] kept $W" >&2; else sleep 0.5; rm -rf "$W"; fi
  return 0
}
