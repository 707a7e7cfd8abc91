#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for zkroll's proving queue (docs/queue.md): tests, CI and a
# local multi-process setup. NOT for production: trust authentication on 127.0.0.1, fsync off.
#
#   scripts/postgres.sh start   # install PostgreSQL if missing, start the cluster, print its URL
#   scripts/postgres.sh url     # print the URL of the running cluster (exit 1 if none)
#   scripts/postgres.sh stop    # stop the cluster and delete its data directory
#
# Idempotent: `start` on a running cluster prints its URL; `stop` without one does nothing.
# The cluster lives in $ZKROLL_PG_DIR (default: /tmp/zkroll-pg-<hash of this checkout>),
# listens on 127.0.0.1 only, on a free port chosen at first start, and runs as a non-root
# user (PostgreSQL refuses to run as root): `postgres` if it exists, else a system user
# `zkroll-pg` created here. To use an existing server instead, pass its URL to zkroll
# (`--queue postgres://user:pass@host:port/db`) or to the tests (`ZKROLL_TEST_PG=...`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${ZKROLL_PG_DIR:-${TMPDIR:-/tmp}/zkroll-pg-$(printf %s "$root" | sha256sum | cut -c1-8)}
data=$dir/data
log=$dir/server.log
urlfile=$dir/url
db=zkroll
dbuser=zkroll

die() { echo "postgres.sh: $*" >&2; exit 1; }

# Directory of initdb/pg_ctl: PATH first, then Debian's versioned directories (newest first).
pg_bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

install_postgres() {
  echo "postgres.sh: PostgreSQL not found, installing Debian's package" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql >&2
}

# The user the server runs as (not root).
server_user() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif getent passwd postgres >/dev/null; then
    echo postgres
  else
    getent passwd zkroll-pg >/dev/null || useradd --system --no-create-home zkroll-pg
    echo zkroll-pg
  fi
}

as_user() {
  local u=$1
  shift
  if [ "$(id -un)" = "$u" ]; then "$@"; else runuser -u "$u" -- "$@"; fi
}

running() {
  local bin=$1 u=$2
  [ -f "$data/PG_VERSION" ] && as_user "$u" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bin u port
  bin=$(pg_bindir || true)
  if [ -z "$bin" ]; then
    install_postgres
    bin=$(pg_bindir || true)
    [ -n "$bin" ] || die "no pg_ctl after installing postgresql"
  fi
  u=$(server_user)
  if running "$bin" "$u"; then
    cat "$urlfile"
    return
  fi
  mkdir -p "$dir"
  chown "$u" "$dir"
  chmod 700 "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_user "$u" "$bin/initdb" -D "$data" -U "$dbuser" --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || die "initdb failed, see $dir/initdb.log"
  fi
  if [ -f "$dir/port" ]; then port=$(cat "$dir/port"); else port=$(free_port); fi
  echo "$port" >"$dir/port"
  # Sockets in our own directory; TCP on loopback only; a throwaway cluster needs no fsync.
  as_user "$u" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || die "server did not start, see $log"
  if ! as_user "$u" psql -h 127.0.0.1 -p "$port" -U "$dbuser" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    as_user "$u" psql -h 127.0.0.1 -p "$port" -U "$dbuser" -d postgres -qc "CREATE DATABASE $db" >/dev/null
  fi
  echo "postgres://$dbuser@127.0.0.1:$port/$db" >"$urlfile"
  cat "$urlfile"
}

stop() {
  local bin u
  bin=$(pg_bindir || true)
  if [ -n "$bin" ] && [ -d "$dir" ]; then
    u=$(stat -c %U "$dir")
    if running "$bin" "$u"; then
      as_user "$u" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
  fi
  rm -rf "$dir"
}

url() {
  local bin u
  bin=$(pg_bindir || true)
  [ -n "$bin" ] && [ -f "$urlfile" ] || die "no cluster started (run: scripts/postgres.sh start)"
  u=$(stat -c %U "$dir")
  running "$bin" "$u" || die "the cluster in $dir is not running (run: scripts/postgres.sh start)"
  cat "$urlfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) die "usage: $0 start|stop|url" ;;
esac
