#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the test suite and the benchmarks.
#   scripts/pg.sh start DIR [PORT]   initialise DIR (if new), start, create database benan;
#                                    prints the DATABASE_URL on the last line
#   scripts/pg.sh stop DIR
# initdb refuses to run as root, so as root the cluster belongs to the postgres user.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pg.sh start|stop DIR [PORT]}
dir=${2:?usage: pg.sh start|stop DIR [PORT]}
port=${3:-54329}

as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

ensure_server() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "PostgreSQL 15 server not found; installing it from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
}

case "$cmd" in
  start)
    ensure_server
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$PG_BIN/initdb -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    fi
    if ! as_pg "$PG_BIN/pg_ctl -D '$dir/data' status" >/dev/null 2>&1; then
      # Tuned for a disposable test server: durability off, it is thrown away afterwards.
      as_pg "$PG_BIN/pg_ctl -D '$dir/data' -l '$dir/log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null
    fi
    as_pg "psql -h 127.0.0.1 -p $port -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='benan'\"" | grep -q 1 \
      || as_pg "psql -h 127.0.0.1 -p $port -U postgres -qc 'CREATE DATABASE benan'"
    echo "postgres://postgres@127.0.0.1:$port/benan"
    ;;
  stop)
    if [ -f "$dir/data/PG_VERSION" ]; then
      as_pg "$PG_BIN/pg_ctl -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: pg.sh start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
