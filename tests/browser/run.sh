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

# shellcheck source=../support/serve.sh
. "$root/tests/support/serve.sh"
start_server browser
subject="browser-test"
token="$(admin_token "$subject" "Browser test")"
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
