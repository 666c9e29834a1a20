# Sourced by scripts/test: starts a throwaway PostgreSQL (15 or newer) cluster on 127.0.0.1 and
# exports XUKE_TEST_DATABASE_URL; the cluster is stopped and deleted when the shell exits.
# PostgreSQL refuses to run as root, so as root the server runs as an unprivileged user.

pg_bin_dir() {
  local dir
  dir=$(dirname "$(command -v pg_ctl 2>/dev/null)" 2>/dev/null)
  if [ -z "$dir" ] || [ "$dir" = "." ]; then
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  echo "$dir"
}

PG_BIN=$(pg_bin_dir)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
  echo "== installing the PostgreSQL server from Debian packages"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(pg_bin_dir)
fi
PG_VERSION=$("$PG_BIN/pg_ctl" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
if [ "$PG_VERSION" -lt 15 ]; then
  echo "PostgreSQL 15 or newer is needed, found $PG_VERSION in $PG_BIN" >&2
  exit 1
fi

PG_DIR=$(mktemp -d /tmp/xuke-pg.XXXXXX)
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PG_AS=()
if [ "$(id -u)" -eq 0 ]; then
  id -u xukepg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin xukepg
  chown xukepg "$PG_DIR"
  PG_AS=(runuser -u xukepg --)
fi

"${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start -o \
  "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null \
  || { cat "$PG_DIR/server.log" >&2; exit 1; }

stop_throwaway_postgres() {
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_throwaway_postgres EXIT

export XUKE_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
echo "== throwaway PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT"
