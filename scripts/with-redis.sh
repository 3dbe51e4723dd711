#!/usr/bin/env bash
# Runs a command with a private, throw-away Redis server on a Unix socket:
#   scripts/with-redis.sh .venv/bin/pytest -m services
# Sets REDIS_URL (and LINEUP_REDIS_DIR, for tests that stop and start it).
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis is not installed: run 'make test-deps' (Debian package redis-server)." >&2
  exit 1
fi
dir=$(mktemp -d /tmp/lineup-redis.XXXXXX)
cleanup() {
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

cat > "$dir/redis.conf" <<CONF
port 0
unixsocket $dir/redis.sock
unixsocketperm 700
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
save ""
appendonly no
dir $dir
CONF
redis-server "$dir/redis.conf"
for _ in $(seq 50); do [ -S "$dir/redis.sock" ] && break; sleep 0.1; done

export REDIS_URL="unix://$dir/redis.sock" LINEUP_REDIS_DIR="$dir"
echo "Redis $(redis-server --version | awk '{print $3}') on socket $dir/redis.sock"
"$@"
