#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: a private cluster in a temporary folder,
# on a free loopback port, removed afterwards. Needs PostgreSQL's binaries (Debian: apt-get
# install -y postgresql); does not touch any system cluster.
#   scripts/with-postgres.sh npm run test:unit
# The command sees TEST_DATABASE_URL=postgres://gateway@127.0.0.1:<port>/gateway_test,
# TEST_DATABASE_SOCKET_URL (the same server through its Unix socket, as a gateway on the
# database's host may reach it), and
# TEST_PG_CONTROL, a script that stops (`stop`: fast shutdown, connections cut) and starts
# (`start`: same port and options, waits until it accepts connections) that server, for tests
# of a database outage.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL binaries not found. Install them: sudo apt-get install -y postgresql" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/gateway-pg.XXXXXX)
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
run_as=()
if [ "$(id -u)" = "0" ]; then
  chown postgres "$dir"
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U gateway --auth=trust -E UTF8 >/dev/null
cat >"$dir/control.sh" <<CONTROL
#!/usr/bin/env bash
# stop | start the throwaway PostgreSQL server of scripts/with-postgres.sh
set -euo pipefail
case "\$1" in
  start) ${run_as[*]} "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
           -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ;;
  stop) ${run_as[*]} "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  *) echo "usage: \$0 start|stop" >&2; exit 2 ;;
esac
CONTROL
chmod 755 "$dir/control.sh"
"$dir/control.sh" start
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U gateway gateway_test
export TEST_DATABASE_URL="postgres://gateway@127.0.0.1:$port/gateway_test"
export TEST_DATABASE_SOCKET_URL="postgres://gateway@localhost:$port/gateway_test?host=$dir"
export TEST_PG_CONTROL="$dir/control.sh"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
