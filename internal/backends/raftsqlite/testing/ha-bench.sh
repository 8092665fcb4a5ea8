#!/bin/bash
# ha-bench.sh - three `kplane server --datastore raftsqlite` processes on loopback joined with
# add-node/--join, HAProxy (tcp mode, /readyz checks, redispatch) in front, then the shared bench scripts:
#   ha-bench.sh [apibench|failover|both] [ELECTION_MS]
# Needs a built binary (npm run build) and haproxy. Everything lives in a temp dir; only the
# processes this script started are stopped (by PID). Ports: BASE (default 27600) .. BASE+22.
# For many kills in a row on one cluster, see failover-series.sh.
set -euo pipefail
MODE=${1:-both}
ELECTION=${2:-1000}
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
. "$(dirname "$0")/ha-cluster.sh"
trap cluster_down EXIT

cluster_up
sleep 2
$K status --data-dir "$W/a" >&2
haproxy_up
PIDS="${PID[a]} ${PID[b]} ${PID[c]}"
if [ "$MODE" = apibench ] || [ "$MODE" = both ]; then
  node "$BENCH/apibench.mjs" --kubeconfig "$W/kubeconfig" --n 5000 --concurrency 32 --watchers 10 --server-pids "$PIDS"
  bash "$BENCH/rss.sh" $PIDS >&2 || true
fi
if [ "$MODE" = failover ] || [ "$MODE" = both ]; then
  # Kill whichever node leads at kill time (its API server is the same process). The leader's PID
  # is looked up continuously in the background, so the kill command itself is instant (a shell
  # builtin `kill -9`): failover.mjs times unavailability from the moment it starts that command.
  leader_poller "$W/leader" & POLLER=$!
  for _ in $(seq 1 50); do [ -s "$W/leader" ] && break; sleep 0.1; done
  bash "$BENCH/failover.sh" --kubeconfig "$W/kubeconfig" --duration 30 --kill-at 10 \
    --kill-cmd "read P N < '$W/leader'; kill -9 \$P; echo \"killed node \$N (pid \$P)\" >&2"
fi
