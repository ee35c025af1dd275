#!/usr/bin/env bash
# A throw-away PostgreSQL server for the ledger's tests (and the benchmark): Debian's
# `postgresql` package (installed with apt-get when missing), one cluster under the
# repository's target/postgres/ (initdb refuses root: as root the cluster belongs to the
# `postgres` user), listening on loopback only (127.0.0.1, a free port chosen once), trust
# authentication (nothing but local processes can reach it; never use this for real data).
#
# Writes the URL of its maintenance database to target/postgres/url; the tests read it and
# create one fresh database per test. Idempotent: when the server already answers it only
# checks it (well under a second); a stopped cluster is started again on its port.
#
#   bash tests/postgres/setup.sh          # start (or check) it
#   bash tests/postgres/setup.sh stop     # stop it (the cluster stays; `rm -rf target/postgres`)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
state="$repo/target/postgres"
url_file="$state/url"
mkdir -p "$state"

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}
bin="$(pg_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin="$(pg_bin)"
fi

# Where the cluster lives: target/postgres/cluster, unless the server's user cannot reach it
# (a checkout under /root): then a directory in /tmp named after this checkout.
as_owner() { "$@"; }
owner="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
fi
cluster="$state/cluster"
if ! as_owner test -x "$state" 2>/dev/null || ! as_owner test -r "$state" 2>/dev/null; then
  cluster="/tmp/release-evidence-postgres-$(printf %s "$repo" | sha256sum | cut -c1-12)"
fi
data="$cluster/data"
log="$cluster/server.log"

ready() { # port
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$1" -d postgres -U postgres
}

url() { echo "postgres://postgres@127.0.0.1:$1/postgres"; }
if [ "${1:-}" = stop ]; then
  rm -f "$url_file"
  [ ! -f "$data/postmaster.pid" ] || as_owner "$bin/pg_ctl" -D "$data" -w stop >/dev/null
  exit 0
fi
if [ -f "$cluster/port" ] && ready "$(cat "$cluster/port")"; then
  want="$(url "$(cat "$cluster/port")")"
  [ -f "$url_file" ] && [ "$(cat "$url_file")" = "$want" ] || echo "$want" > "$url_file"
  exit 0
fi

mkdir -p "$cluster"
[ "$owner" = "$(id -un)" ] || chown "$owner" "$cluster"
if [ ! -f "$data/PG_VERSION" ]; then
  rm -rf "$data"
  as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-instructions >/dev/null
fi
if [ ! -f "$cluster/port" ]; then
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
    > "$cluster/port"
fi
port="$(cat "$cluster/port")"
# Loopback only, no unix socket (its path length would depend on the checkout's), small.
as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 -o \
  "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c max_connections=200" \
  start >/dev/null || { cat "$log" >&2; exit 1; }
ready "$port"
url "$port" > "$url_file.tmp"
mv "$url_file.tmp" "$url_file"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster $data); URL in $url_file" >&2
