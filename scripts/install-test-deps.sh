#!/usr/bin/env bash
# Installs what the tests need beyond Python packages: a PostgreSQL server and
# Chromium with its driver, from Debian packages. Does nothing when they are there.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${need[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The packages start servers of their own; the tests start private ones instead.
if command -v service >/dev/null 2>&1; then
  $sudo service postgresql stop >/dev/null 2>&1 || true
  $sudo service redis-server stop >/dev/null 2>&1 || true
fi
