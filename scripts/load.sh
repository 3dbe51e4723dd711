#!/usr/bin/env bash
# make load: the production set-up under a bounded load, on this machine only.
#
# A private PostgreSQL and Redis (Unix sockets, scripts/with-*.sh); collectstatic into
# a temporary STATIC_ROOT, migrate, a demo event of 600 sessions (MEDIA_ROOT temporary
# too); gunicorn with 4 workers on a free port of 127.0.0.1, DEBUG=0 and a random
# SECRET_KEY; then Locust, headless (scripts/locustfile.py), runs LOAD_USERS simulated
# visitors (20) for LOAD_DURATION seconds (30) and prints its figures. Everything is
# stopped and deleted afterwards, on failure and Ctrl-C too. The exit status is
# Locust's: non-zero when any request failed. Nothing listens beyond 127.0.0.1 (Locust
# headless opens no port of its own).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--inside" ]; then
  exec bash scripts/with-postgres.sh bash scripts/with-redis.sh bash "$0" --inside
fi

BIN=${BIN:-.venv/bin}
WORKERS=${LOAD_WORKERS:-4}
USERS=${LOAD_USERS:-20}
DURATION=${LOAD_DURATION:-30}
SESSIONS=${LOAD_SESSIONS:-600}
export LOAD_EVENT=loadcon
EVENT=$LOAD_EVENT

if [ "$USERS" -lt 1 ] || [ "$USERS" -gt 200 ] || [ "$DURATION" -lt 1 ] || [ "$DURATION" -gt 600 ]; then
  echo "LOAD_USERS must be 1-200 and LOAD_DURATION 1-600 seconds" >&2
  exit 2
fi

work=$(mktemp -d /tmp/lineup-load.XXXXXX)
gunicorn_pid=""
log="$work/server.log"

stop_gunicorn() {
  [ -n "$gunicorn_pid" ] || return 0
  if kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gunicorn_pid" 2>/dev/null || true
  fi
  wait "$gunicorn_pid" 2>/dev/null || true
  gunicorn_pid=""
}
cleanup() {
  local status=$?
  stop_gunicorn
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Production settings, reachable from loopback over plain HTTP. The API's per-address
# throttle is raised: every simulated visitor comes from 127.0.0.1.
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 LOG_LEVEL=INFO \
       API_ANON_RATE=1000000/minute MEDIA_ROOT="$work/media" STATIC_ROOT="$work/static"
SECRET_KEY=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))")
export SECRET_KEY
unset TRUST_X_FORWARDED_PROTO TRUSTED_PROXIES CSRF_TRUSTED_ORIGINS

# collectstatic first: with DEBUG=0 the hashed static names come from its manifest.
echo "=== set-up: collectstatic, migrate, a demo event of $SESSIONS sessions ==="
"$BIN/python" manage.py collectstatic --noinput -v 0
"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py generate_demo --sessions "$SESSIONS" --slug "$EVENT" --avatars-share 0.1

port=$("$BIN/python" -c "
import socket
s = socket.socket()
s.bind(('127.0.0.1', 0))
print(s.getsockname()[1])")
base="http://127.0.0.1:$port"

echo "=== gunicorn, $WORKERS workers on $base ==="
# No control socket: gunicorn ≥ 25 would otherwise take ~/.gunicorn/gunicorn.ctl, which
# any other gunicorn of this user (tests, a real site) may be using.
"$BIN/gunicorn" config.wsgi --workers "$WORKERS" --bind "127.0.0.1:$port" \
  --timeout 30 --graceful-timeout 5 --no-control-socket >"$log" 2>&1 &
gunicorn_pid=$!

"$BIN/python" - "$base/healthz" "$gunicorn_pid" <<'PY'
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
for _ in range(300):
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("gunicorn stopped while starting")
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(f"{url} did not answer 200 within 30 s")
PY

echo "=== load: $USERS users for $DURATION s ==="
status=0
# All users at once, no new request after the run time, 30 s for those in flight.
"$BIN/locust" -f scripts/locustfile.py --headless --host "$base" --users "$USERS" \
  --spawn-rate "$USERS" --run-time "${DURATION}s" --stop-timeout 30 --only-summary \
  --loglevel WARNING || status=$?

stop_gunicorn
# The time each request spent in Django (the request log's duration_ms), as against the
# latency above, which includes waiting for a free worker and the connection.
"$BIN/python" - "$log" <<'PY'
import math, re, sys
times = sorted(float(m) for m in re.findall(r"duration_ms=([0-9.]+)", open(sys.argv[1]).read()))
if times:
    def pick(share):  # nearest rank
        return times[max(1, math.ceil(len(times) * share)) - 1]
    print(f"server log: {len(times)} requests; time in Django p50 {pick(0.5):.0f} ms, "
          f"p90 {pick(0.9):.0f} ms, p99 {pick(0.99):.0f} ms, max {times[-1]:.0f} ms")
PY
server_errors=$(grep -cE "level=(ERROR|CRITICAL)|\[CRITICAL\]|WORKER TIMEOUT|Traceback" "$log" || true)
echo "server log: $server_errors error lines"
if [ "$status" != 0 ] || [ "$server_errors" != 0 ]; then
  echo "--- server log, errors and their context (first 80 lines) ---" >&2
  grep -E -A 12 "level=(ERROR|CRITICAL)|\[CRITICAL\]|WORKER TIMEOUT|Traceback" "$log" \
    | head -n 80 >&2 || true
fi
exit "$status"
