#!/usr/bin/env bash
# Runs a command against a private, throw-away PostgreSQL server:
#   scripts/with-postgres.sh .venv/bin/pytest
# The server runs as a non-root user, listens only on a Unix socket in a temporary
# folder (no TCP port), and is stopped and deleted when the command ends.
#
# Its superuser is the role "lineup", which owns the database "lineup". With
# LINEUP_PG_SUPERUSER=postgres it is laid out as Debian's own server after
# docs/deploy.md §2 instead: superuser "postgres", and "lineup" an ordinary role owning
# the database "lineup"; the socket folder is then open to every account (the backup
# test runs commands as the users postgres and lineup).
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ]; then
  echo "PostgreSQL is not installed: run 'make test-deps' (Debian package postgresql)." >&2
  exit 1
fi
dir=$(mktemp -d /tmp/lineup-pg.XXXXXX)
port=${LINEUP_PG_PORT:-54329}
superuser=${LINEUP_PG_SUPERUSER:-lineup}
as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as=(runuser -u postgres --)
fi
cleanup() {
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as[@]}" "$pgbin/initdb" -D "$dir/data" -U "$superuser" --auth=trust -E UTF8 --no-sync >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
if [ "$superuser" != lineup ]; then
  chmod 755 "$dir"
  "${as[@]}" "$pgbin/createuser" -h "$dir" -p "$port" -U "$superuser" lineup
fi
"${as[@]}" "$pgbin/createdb" -h "$dir" -p "$port" -U "$superuser" --owner lineup lineup

export DATABASE_URL="postgres://lineup@${dir//\//%2F}:${port}/lineup"
# For tests that restart the server: where it lives and how to run pg_ctl.
export LINEUP_PG_DATA="$dir/data" LINEUP_PG_CTL="${as[*]} $pgbin/pg_ctl"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on socket $dir (port $port)"
"$@"
