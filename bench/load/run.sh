#!/usr/bin/env bash
# Load benchmark of the webhook: our full FAQ path against a WeRoBot echo robot
# (the floor of every WeChat bot), both under the repo's gunicorn settings, in
# the same run, driven by wrk from a separate process with real signed messages.
#
#   bench/load/run.sh                 # 5 s warm-up + 30 s at 32 connections against each
#   bench/load/run.sh --soak          # … then a 600 s soak at moderate load, RSS sampled every 10 s
#   bench/load/run.sh --soak 120      # a shorter soak
#   options: --duration S  --warmup S  --connections N  --threads N  --soak-rate RPS  --soak-connections N
#            --max-requests N (both servers; 0 = workers never recycled, to see the app's own memory)
#
# Idempotent: installs wrk (apt, as root) and werobot (pinned in
# requirements-dev.txt) when missing. Results: bench/out/load/results.json
# (and results-<time>.json); work files (requests, server logs) in
# bench/out/load/work/. Environment: PUFA_WORKERS / PUFA_THREADS apply to
# both servers (gunicorn.conf.py reads them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

DURATION=30 WARMUP=5 THREADS=2 CONNECTIONS=32
SOAK=0 SOAK_RATE="" SOAK_CONNECTIONS=8 MAX_REQUESTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --soak) if [[ "${2:-}" =~ ^[0-9]+$ ]]; then SOAK=$2; shift; else SOAK=600; fi ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --soak-rate) SOAK_RATE=$2; shift ;;
    --soak-connections) SOAK_CONNECTIONS=$2; shift ;;
    --max-requests) MAX_REQUESTS=(--max-requests "$2"); shift ;;  # override gunicorn.conf.py's (0: never recycle)
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# -- tools ------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "wrk is not installed: run 'apt-get install wrk' as root (or run this script as root)" >&2
    exit 1
  fi
  echo "installing wrk (apt-get)…"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PY=$ROOT/.venv/bin/python
.venv/bin/pip install -q -r requirements.txt
WEROBOT_PIN=$(grep -iE '^werobot==' requirements-dev.txt | awk '{print $1}')
.venv/bin/pip install -q "${WEROBOT_PIN:-werobot}"

# -- settings shared by both servers and the request generator ---------------------------
RUN_ID=$(date +%s)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/out/load
WORK=$OUT/work
mkdir -p "$OUT"
rm -rf "$WORK"
mkdir -p "$WORK"
RESULTS=$OUT/results-$STAMP.json

export PUFA_ENV=development
export WECHAT_TOKEN=${WECHAT_TOKEN:-pufa-demo-token}
export REDIS_URL=""                            # the embedded Redis (set and empty: a .env cannot change it)
export PUFA_INSTANCE_PATH=$WORK/instance        # … in a fresh instance: the real instance/ (and a bot
unset PROMETHEUS_MULTIPROC_DIR PUFA_REDIS_PREFIX #   running on it) is left alone
export PUFA_SIGNATURE_WINDOW=$(( SOAK + 3600 ))  # pre-signed requests stay valid to the end
export PYTHONDONTWRITEBYTECODE=1

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT_OURS=$(free_port)
PORT_PEER=$(free_port)
while [ "$PORT_PEER" = "$PORT_OURS" ]; do PORT_PEER=$(free_port); done
URL_OURS=http://127.0.0.1:$PORT_OURS/wechat
URL_PEER=http://127.0.0.1:$PORT_PEER/wechat

GUNICORN_SETTINGS=$("$PY" - <<'EOF'
import runpy
c = runpy.run_path("gunicorn.conf.py")
print(f"workers={c['workers']} worker_class={c['worker_class']} threads={c['threads']} "
      f"keepalive={c['keepalive']} max_requests={c['max_requests']}+{c.get('max_requests_jitter', 0)}")
EOF
)
NPROC=$(nproc)
echo "load benchmark $STAMP on $NPROC cores: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP} s warm-up + ${DURATION} s per server"
echo "gunicorn (both servers, from gunicorn.conf.py): $GUNICORN_SETTINGS ${MAX_REQUESTS[*]}"
echo "our bot: embedded Redis in a fresh instance ($PUFA_INSTANCE_PATH), PUFA_SIGNATURE_WINDOW=$PUFA_SIGNATURE_WINDOW s"
echo "  (raised from the default 300 s so that requests signed before the run stay valid through it)"

# -- stop everything this script started, whatever happens -----------------------------------
PIDS=()
cleanup() {
  set +e
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  rm -f "$WORK"/req-*.txt
  # The embedded Redis of our bench instance stops with the master; if not, stop it (it is ours alone).
  local registry=$PUFA_INSTANCE_PATH/redis/pufa.db.settings rpid=""
  if [ -f "$registry" ]; then
    rpid=$("$PY" -c 'import json,sys; print(open(json.load(open(sys.argv[1]))["pidfile"]).read().strip())' \
      "$registry" 2>/dev/null || true)
  fi
  if [ -n "$rpid" ]; then
    for _ in $(seq 1 20); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.5; done
    kill -TERM "$rpid" 2>/dev/null && echo "stopped the bench's embedded Redis (pid $rpid)"
  fi
  echo "servers stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# -- requests (before the servers start, so generating them costs the servers nothing) -------
# One index space for the whole run: spot checks, warm-up, the measured run and the soak
# never share a request (nonce, MsgId); openid = o_bench_<index mod 10000>.
WARM_N=20000 MAIN_N=150000
MR=(bench/load/make_requests.py --run-id "$RUN_ID" --texts-json "$WORK/faq-texts.json")
"$PY" "${MR[@]}" --out "$WORK/req-warm.txt" --start 1000 --count $WARM_N
"$PY" "${MR[@]}" --out "$WORK/req-main.txt" --start $(( 1000 + WARM_N )) --count $MAIN_N
NEXT_INDEX=$(( 1000 + WARM_N + MAIN_N ))

# -- servers -------------------------------------------------------------------------------
CTL_OURS=() CTL_PEER=()
if .venv/bin/gunicorn --help 2>/dev/null | grep -q -- '--control-socket'; then
  # each its own control socket (the default ~/.gunicorn/gunicorn.ctl is shared by every gunicorn)
  CTL_OURS=(--control-socket "$WORK/pufa.ctl") CTL_PEER=(--control-socket "$WORK/werobot.ctl")
fi
( exec .venv/bin/gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$PORT_OURS" --pid "$WORK/pufa.pid" \
    "${CTL_OURS[@]}" "${MAX_REQUESTS[@]}" wsgi:app ) >"$WORK/pufa.log" 2>&1 &
PIDS+=($!)
( exec .venv/bin/gunicorn -c bench/load/werobot_gunicorn.conf.py --bind "127.0.0.1:$PORT_PEER" \
    --pid "$WORK/werobot.pid" "${CTL_PEER[@]}" "${MAX_REQUESTS[@]}" --pythonpath bench/load werobot_echo:app ) >"$WORK/werobot.log" 2>&1 &
PIDS+=($!)

wait_up() {  # name url pidfile: until the server answers (any HTTP status) and wrote its pid file
  local name=$1 url=$2 pidfile=$3 master=$4 code
  for _ in $(seq 1 240); do
    if ! kill -0 "$master" 2>/dev/null; then
      echo "$name did not start; its log:" >&2; tail -20 "$WORK/$name.log" >&2; exit 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    if [ -s "$pidfile" ] && [ "$code" != 000 ]; then return 0; fi
    sleep 0.5
  done
  echo "$name did not answer within 120 s; its log:" >&2; tail -20 "$WORK/$name.log" >&2; exit 1
}
wait_up pufa "http://127.0.0.1:$PORT_OURS/healthz" "$WORK/pufa.pid" "${PIDS[0]}"
wait_up werobot "$URL_PEER" "$WORK/werobot.pid" "${PIDS[1]}"
SERVERS=(--server "pufa=$WORK/pufa.pid" --server "werobot=$WORK/werobot.pid")
"$PY" bench/load/measure.py quiet "${SERVERS[@]}"   # every worker booted (ours builds its index)
echo "both servers answer: ours $URL_OURS, WeRoBot $URL_PEER"

echo "spot check, ours (each reply must be an FAQ answer with 法律依据, 您是不是想问 suggestions or a paged answer):"
"$PY" "${MR[@]}" --spot "$URL_OURS" --expect faq --start 0 --count 6
echo "spot check, WeRoBot (each reply must echo the question):"
"$PY" "${MR[@]}" --spot "$URL_PEER" --expect echo --start 100 --count 3

# -- the measured runs -------------------------------------------------------------------------
WRK_ARGS=(-t"$THREADS" -c"$CONNECTIONS" --timeout 5s --latency -s bench/load/wrk.lua)
run() {  # name server-name url duration request-file [extra measure args]
  local name=$1 server=$2 url=$3 duration=$4 file=$5; shift 5
  "$PY" bench/load/measure.py wrk --name "$name" --out "$WORK" --server "$server=$WORK/$server.pid" "$@" -- \
    wrk "${WRK_ARGS[@]}" -d"${duration}s" "$url" -- "$file" "$THREADS"
}
echo
echo "runs (server CPU = gunicorn master+workers; other load = CPU used by anything else on the machine):"
SPEED_BEFORE=$("$PY" bench/load/measure.py speed)
run pufa-warmup pufa "$URL_OURS" "$WARMUP" "$WORK/req-warm.txt" --redis
run pufa pufa "$URL_OURS" "$DURATION" "$WORK/req-main.txt" --redis
run werobot-warmup werobot "$URL_PEER" "$WARMUP" "$WORK/req-warm.txt"
run werobot werobot "$URL_PEER" "$DURATION" "$WORK/req-main.txt"
SPEED_AFTER=$("$PY" bench/load/measure.py speed)
echo "machine speed (ms for a fixed Python loop, lower is faster): $SPEED_BEFORE before, $SPEED_AFTER after the runs"

META=$("$PY" - "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$GUNICORN_SETTINGS ${MAX_REQUESTS[*]}" "$STAMP" "$NPROC" \
  "$PUFA_SIGNATURE_WINDOW" "$SPEED_BEFORE" "$SPEED_AFTER" <<'EOF'
import json, subprocess, sys
threads, conns, duration, warmup, gunicorn, stamp, nproc, window, speed0, speed1 = sys.argv[1:]
def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""
from importlib.metadata import version
print(json.dumps({
    "threads": int(threads), "connections": int(conns), "duration": int(duration), "warmup": int(warmup),
    "gunicorn": gunicorn.strip(), "stamp": stamp, "cores": int(nproc), "signature_window": int(window),
    "speed_loop_ms": [int(speed0), int(speed1)],
    "git_head": sh("git", "rev-parse", "--short", "HEAD"),
    "git_dirty": bool(sh("git", "status", "--porcelain", "--untracked-files=no")),
    "werobot": version("werobot"), "wrk": sh("wrk", "-v").splitlines()[0] if sh("wrk", "-v") else "",
}))
EOF
)
echo
"$PY" bench/load/measure.py table --out "$WORK" --ours pufa --peer werobot --meta "$META" --json "$RESULTS"
OURS_RPS=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rps"])' "$WORK/pufa.json")
RATE_LIMIT=$("$PY" -c 'from bot.guards import RATE_PER_MINUTE; print(RATE_PER_MINUTE)')
echo "(per-openid rate in the measured run: about $("$PY" -c "print(round(60 * $OURS_RPS / 10000, 1))") messages/min, limit $RATE_LIMIT)"

# -- soak ----------------------------------------------------------------------------------
if [ "$SOAK" -gt 0 ]; then
  if [ -z "$SOAK_RATE" ]; then  # moderate: 40% of what the measured run reached
    SOAK_RATE=$("$PY" -c "print(max(10, round(0.4 * $OURS_RPS)))")
  fi
  DELAY_MS=$("$PY" -c "print(max(0, round($SOAK_CONNECTIONS * 1000 / $SOAK_RATE)))")
  SOAK_N=$("$PY" -c "print(int($SOAK_RATE * $SOAK * 1.15) + 2000)")
  "$PY" "${MR[@]}" --out "$WORK/req-soak.txt" --start "$NEXT_INDEX" --count "$SOAK_N"
  echo
  echo "soak: ${SOAK} s against our bot at about $SOAK_RATE req/s (wrk -t$THREADS -c$SOAK_CONNECTIONS, ${DELAY_MS} ms between" \
       "requests on a connection); RSS of gunicorn master + workers every 10 s:"
  "$PY" bench/load/measure.py soak --out "$WORK" --server "pufa=$WORK/pufa.pid" --every 10 --json "$RESULTS" -- \
    wrk -t"$THREADS" -c"$SOAK_CONNECTIONS" --timeout 5s --latency -s bench/load/wrk.lua -d"${SOAK}s" "$URL_OURS" -- \
    "$WORK/req-soak.txt" "$THREADS" "$DELAY_MS"
fi

cp "$RESULTS" "$OUT/results.json"
echo
echo "results: $RESULTS (also $OUT/results.json); server logs: $WORK/*.log"
