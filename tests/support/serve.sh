# Sourced by the scripts that test the built server from outside (tests/http-audit,
# tests/browser): starts `$bin serve` on a free port against a temporary SQLite database and
# stops it on exit. After `start_server NAME`, `$address` is the host:port it bound, `$tmp`
# its scratch folder (server.log inside); `admin_token SUBJECT NAME` prints an admin token for
# a subject it first gives a record (tokens are honoured only for subjects with one).
# Needs `bin` set to the ehcp binary.

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

start_server() {
  local name="$1"
  export DATABASE_URL="sqlite://$tmp/$name.db?mode=rwc"
  export EHCP_JWT_SECRET="$name-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  unset EHCP_JWKS EHCP_GRAPHIQL EHCP_INTROSPECTION
  # Port 0 picks a free port; the server logs the address it bound.
  EHCP_BIND=127.0.0.1:0 EHCP_LOG_FORMAT=json RUST_LOG=info "$bin" serve >"$tmp/server.log" 2>&1 &
  server_pid=$!
  address=""
  for _ in $(seq 1 100); do
    address="$(grep -o '"address":"[^"]*"' "$tmp/server.log" | head -n 1 | cut -d'"' -f4 || true)"
    [ -n "$address" ] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$tmp/server.log"
      echo "the server did not start" >&2
      exit 1
    fi
    sleep 0.2
  done
  cat "$tmp/server.log"
  echo "the server did not report its address" >&2
  exit 1
}

admin_token() {
  "$bin" admin add --subject "$1" --name "$2" >/dev/null && "$bin" token --role admin --sub "$1"
}
