#!/usr/bin/env bash
# Starts the built server on a free port against a temporary SQLite database, opens GraphiQL at
# /graphql in Debian's Chromium (offline: any request elsewhere fails the test), signs in with an
# admin token through the Headers editor, runs a query and browses the Docs; stops the server.
# Usage: tests/browser/run.sh [path/to/ehcp]   (default: target/debug/ehcp)
# Needs Chromium: installed with apt-get when `chromium` is not on PATH (as root), or set
# EHCP_BROWSER_CHROMIUM to a Chromium binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/ehcp}"

chromium="${EHCP_BROWSER_CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$chromium" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is not installed: apt-get install chromium (as root), or set EHCP_BROWSER_CHROMIUM" >&2
    exit 1
  fi
  echo "installing Debian's chromium" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  chromium="$(command -v chromium)"
fi

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

export DATABASE_URL="sqlite://$tmp/browser.db?mode=rwc"
export EHCP_JWT_SECRET="browser-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
unset EHCP_JWKS EHCP_GRAPHIQL EHCP_INTROSPECTION

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

# Tokens are honoured only for subjects with a record: the test's administrator first.
subject="browser-test"
"$bin" admin add --subject "$subject" --name "Browser test" >/dev/null
token="$("$bin" token --role admin --sub "$subject")"
cd "$here"
pinned="$(node -p 'require("./package.json").dependencies["playwright-core"]')"
installed="$(node -p 'try { require("./node_modules/playwright-core/package.json").version } catch { "" }')"
if [ "$installed" != "$pinned" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
status=0
EHCP_BROWSER_URL="http://$address/graphql" EHCP_BROWSER_TOKEN="$token" \
  EHCP_BROWSER_SUBJECT="$subject" EHCP_BROWSER_CHROMIUM="$chromium" node graphiql.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$tmp/server.log" >&2
fi
exit "$status"
