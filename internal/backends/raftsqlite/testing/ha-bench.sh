#!/bin/bash
# ha-bench.sh - three `kplane server --datastore raftsqlite` processes on loopback joined with
# add-node/--join, HAProxy (tcp mode, /readyz checks) in front, then the shared bench scripts:
#   ha-bench.sh [apibench|failover|both] [ELECTION_MS]
# Needs a built binary (npm run build) and haproxy. Everything lives in a temp dir; only the
# processes this script started are stopped (by PID).
set -euo pipefail
MODE=${1:-both}
ELECTION=${2:-1000}
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
K="node $ROOT/bin/kplane"
BENCH=${BENCH:-$ROOT/../shared/bench}
W=$(mktemp -d -t kplane-ha-XXXXXX)
declare -A PID
start() { # name api peer [join args]
  local n=$1 api=$2 peer=$3; shift 3
  $K server --data-dir "$W/$n" --listen 127.0.0.1:$api --peer-listen 127.0.0.1:$peer --datastore raftsqlite \
    --advertise-address 127.0.0.1 --election-timeout "$ELECTION" "$@" >>"$W/$n.log" 2>&1 &
  PID[$n]=$!
}
ready() { for _ in $(seq 1 200); do curl -skf "https://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.1; done; echo "node on $1 not ready" >&2; return 1; }
cleanup() { for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${HAP:-}" ] && kill "$HAP" 2>/dev/null || true; }
trap cleanup EXIT

start a 27601 27602; ready 27601
T=$($K add-node --data-dir "$W/a" | sed -n 2p | tr -d ' ')
start b 27611 27612 --join https://127.0.0.1:27601 --token "$T"; ready 27611
T=$($K add-node --data-dir "$W/a" | sed -n 2p | tr -d ' ')
start c 27621 27622 --join https://127.0.0.1:27601 --token "$T"; ready 27621
sleep 2
$K status --data-dir "$W/a" >&2

cat >"$W/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
backend kplane
  option httpchk GET /readyz
  http-check expect status 200
  default-server check check-ssl verify none inter 200ms fall 1 rise 1
  server a 127.0.0.1:27601
  server b 127.0.0.1:27611
  server c 127.0.0.1:27621
frontend api
  bind 127.0.0.1:27600
  default_backend kplane
CFG
haproxy -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
HAP=$!
sed 's#server: .*#server: https://127.0.0.1:27600#' "$W/a/kubeconfig" >"$W/kubeconfig"
sleep 1
PIDS="${PID[a]} ${PID[b]} ${PID[c]}"
if [ "$MODE" = apibench ] || [ "$MODE" = both ]; then
  node "$BENCH/apibench.mjs" --kubeconfig "$W/kubeconfig" --n 5000 --concurrency 32 --watchers 10 --server-pids "$PIDS"
  bash "$BENCH/rss.sh" $PIDS >&2 || true
fi
if [ "$MODE" = failover ] || [ "$MODE" = both ]; then
  # Kill whichever node leads at kill time (and its API server: the same process).
  cat >"$W/kill-leader.sh" <<KL
#!/bin/bash
L=\$($K status --data-dir "$W/a" -o json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).leader))' || echo 1)
case "\$L" in 1) kill -9 ${PID[a]};; 2) kill -9 ${PID[b]};; 3) kill -9 ${PID[c]};; esac
echo "killed node \$L" >&2
KL
  chmod +x "$W/kill-leader.sh"
  bash "$BENCH/failover.sh" --kubeconfig "$W/kubeconfig" --kill-cmd "$W/kill-leader.sh" --duration 30 --kill-at 10
fi
