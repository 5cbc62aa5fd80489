#!/usr/bin/env bash
# Starts the built server on a free port against a temporary SQLite database, runs the
# GraphQL-over-HTTP audit against /graphql with an admin token, and stops the server.
# Usage: tests/http-audit/run.sh [path/to/ehcp]   (default: target/debug/ehcp)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/ehcp}"

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

export DATABASE_URL="sqlite://$tmp/audit.db?mode=rwc"
export EHCP_JWT_SECRET="audit-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
unset EHCP_JWKS

# Port 0 picks a free port; the server logs the address it bound.
EHCP_BIND=127.0.0.1:0 EHCP_LOG_FORMAT=json RUST_LOG=info "$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
address=""
for _ in $(seq 1 100); do
  address="$(grep -o '"address":"[^"]*"' "$tmp/server.log" | head -n 1 | cut -d'"' -f4 || true)"
  [ -n "$address" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$tmp/server.log"
    echo "the server did not start" >&2
    exit 1
  fi
  sleep 0.2
done
if [ -z "$address" ]; then
  cat "$tmp/server.log"
  echo "the server did not report its address" >&2
  exit 1
fi

# Tokens are honoured only for subjects with a record: the audit's administrator first.
"$bin" admin add --subject audit --name "HTTP audit" >/dev/null
token="$("$bin" token --role admin --sub audit)"
cd "$here"
if [ ! -d node_modules/graphql-http ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
EHCP_AUDIT_URL="http://$address/graphql" EHCP_AUDIT_TOKEN="$token" node audit.mjs
