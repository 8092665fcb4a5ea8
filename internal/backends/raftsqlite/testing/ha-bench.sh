#!/bin/bash
# ha-bench.sh - three `kplane server --datastore raftsqlite` processes on loopback joined with
# add-node/--join, HAProxy (tcp mode, /readyz checks, redispatch) in front, then the shared bench scripts:
#   ha-bench.sh [apibench|failover|both] [ELECTION_MS]
# RUNS=N (default 1) runs apibench N times on the same cluster, each in a fresh namespace (the first
# on a cold process: V8 has not compiled the hot paths yet), and prints the medians of all runs and
# of the warm ones (2..N) with the shared summarize.mjs. OUT=DIR keeps each run's JSON there.
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
  OUT=${OUT:-$W/runs}
  mkdir -p "$OUT"
  for i in $(seq 1 "${RUNS:-1}"); do
    node "$BENCH/apibench.mjs" --kubeconfig "$W/kubeconfig" --n 5000 --concurrency 32 --watchers 10 --server-pids "$PIDS" | tee "$OUT/run$i.json"
    bash "$BENCH/rss.sh" $PIDS >&2 || true
  done
  if [ "${RUNS:-1}" -gt 1 ]; then
    echo "== all ${RUNS} runs (run 1 cold):" >&2
    node "$BENCH/summarize.mjs" "$OUT"/run*.json --md >&2
    echo "== warm runs 2..${RUNS}:" >&2
    node "$BENCH/summarize.mjs" $(ls "$OUT"/run*.json | grep -v '/run1.json$') --md >&2
  fi
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
