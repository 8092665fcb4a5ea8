#!/bin/bash
# failover-series.sh - many leader kills on ONE three-node cluster behind HAProxy:
#   failover-series.sh [N=20] [--election-timeout MS] [--duration S] [--kill-at S] [--signal KILL|STOP] [--out FILE]
# Each round runs the shared failover.mjs (one writer through HAProxy), kill -9s the current Raft
# leader at --kill-at (the PID is known beforehand, so the kill is instant), restarts the killed node
# on its data dir when the round ends (it rejoins, no token), waits until it has caught up, and checks
# the acknowledged writes a second time through HAProxy. Prints one JSON line per kill on stdout and a
# summary (median / max) on stderr and as the last JSON line.
# --signal STOP freezes the leader instead (SIGSTOP: its sockets stay open and silent, as after a power
# loss or a cut cable, so only the election timeout can detect it); it is killed before the restart.
# Needs a built binary and haproxy; ports BASE (default 27600) .. BASE+22; only its own processes are stopped.
set -euo pipefail
N=20; ELECTION=1000; DUR=8; AT=3; OUT=""; SIG=KILL
[ $# -gt 0 ] && [[ $1 != --* ]] && { N=$1; shift; }
while [ $# -gt 0 ]; do
  case "$1" in
    --election-timeout) ELECTION=$2; shift 2;;
    --duration) DUR=$2; shift 2;;
    --kill-at) AT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --signal) SIG=$2; shift 2;;
    *) echo "unknown arg $1" >&2; exit 2;;
  esac
done
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
. "$(dirname "$0")/ha-cluster.sh"
trap cluster_down EXIT
RES="$W/rounds.jsonl"
: >"$RES"

cluster_up
haproxy_up
leader_poller "$W/leader" & POLLER=$!
echo "[series] $N kills (SIG$SIG), election timeout $ELECTION ms, $DUR s per round, kill at $AT s; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for i in $(seq 1 "$N"); do
  for _ in $(seq 1 300); do
    ok=1; for n in $NODES; do caught_up "$n" || { ok=0; break; }; done
    [ $ok = 1 ] && [ -s "$W/leader" ] && break; sleep 0.2
  done
  sleep 0.5 # let the poller see the settled leader
  rm -f "$W/killed"
  KILL="read P N < '$W/leader'; kill -$SIG \$P; echo \"\$N\" > '$W/killed'"
  R=$(timeout $((DUR + 200)) node "$BENCH/failover.mjs" --kubeconfig "$W/kubeconfig" --duration "$DUR" --kill-at "$AT" \
      --kill-cmd "$KILL" --acked-out "$W/acked.json" --verify-timeout 60 --label "kill $i" 2>>"$W/failover.err" || true)
  KILLED=$(cat "$W/killed" 2>/dev/null || echo "")
  if [ -n "$KILLED" ]; then
    OLD=$(pidof_node "$KILLED")
    kill -9 "$OLD" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$OLD" 2>/dev/null || break; sleep 0.05; done
    start_node "$KILLED"
    for _ in $(seq 1 300); do caught_up "$KILLED" && break; sleep 0.2; done
  fi
  V=$(timeout 200 node "$BENCH/failover.mjs" --kubeconfig "$W/kubeconfig" --verify-acked "$W/acked.json" --verify-timeout 120 2>>"$W/failover.err" || echo '{}')
  LINE=$(I=$i node -e '
    const [r, v, killed, load] = process.argv.slice(1);
    let o = {}; try { o = JSON.parse(r); } catch {}
    let w = {}; try { w = JSON.parse(v); } catch {}
    const k = o.kill || {};
    console.log(JSON.stringify({ round: Number(process.env.I), killed, load: Number(load),
      gap_after_kill_ms: k.max_ack_gap_after_kill_ms ?? null, unavailability_ms: k.unavailability_ms ?? null,
      errors_in_window: k.errors_in_window ?? null, error_kinds: k.error_kinds_in_window ?? {},
      kill_at_s: k.at_s ?? null, error_samples: (o.error_samples || []).map((e) => `@${e.at_s}s ${e.err} ${e.took_ms}ms`),
      acked: o.writes_acked ?? null, acked_lost: o.verify?.acked_lost ?? null, acked_lost_after_restart: w.acked_lost ?? null,
      write_p50_ms: o.write_latency_ms?.p50 ?? null }));
  ' "$R" "$V" "$KILLED" "$(cut -d' ' -f1 /proc/loadavg)")
  echo "$LINE" | tee -a "$RES"
done
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const num = (k) => rows.map((r) => r[k]).filter((x) => typeof x === "number").sort((a, b) => a - b);
  const med = (a) => a.length ? (a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2) : null;
  const stat = (k) => { const a = num(k); return { median: med(a), max: a.length ? a[a.length - 1] : null, n: a.length }; };
  const kinds = {};
  for (const r of rows) for (const [k, n] of Object.entries(r.error_kinds)) kinds[k] = (kinds[k] || 0) + n;
  const s = { summary: true, kills: rows.length, gap_after_kill_ms: stat("gap_after_kill_ms"), unavailability_ms: stat("unavailability_ms"),
    errors_in_window: stat("errors_in_window"), error_kinds: kinds,
    acked_lost: rows.reduce((n, r) => n + (r.acked_lost ?? 0) + (r.acked_lost_after_restart ?? 0), 0),
    unverified: rows.filter((r) => r.acked_lost === null || r.acked_lost_after_restart === null).length,
    over_1500ms: rows.filter((r) => r.gap_after_kill_ms === null || r.gap_after_kill_ms > 1500).length, load: stat("load") };
  console.log(JSON.stringify(s));
  console.error(`[series] ${s.kills} kills: gap after kill median ${s.gap_after_kill_ms.median} ms, max ${s.gap_after_kill_ms.max} ms (${s.over_1500ms} over 1.5 s); unavailability median ${s.unavailability_ms.median}, max ${s.unavailability_ms.max} ms; errors ${JSON.stringify(kinds)}; acked lost ${s.acked_lost} (${s.unverified} rounds unverified); load ${s.load.median}..${s.load.max}`);
' "$RES" | tee -a "$RES"
[ -n "$OUT" ] && cp "$RES" "$OUT"
exit 0
