#!/usr/bin/env bash
# Starts the built server on a free port against a temporary SQLite database, runs the
# GraphQL-over-HTTP audit against /graphql with an admin token, and stops the server.
# Usage: tests/http-audit/run.sh [path/to/ehcp]   (default: target/debug/ehcp)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/ehcp}"

# shellcheck source=../support/serve.sh
. "$root/tests/support/serve.sh"
start_server audit
token="$(admin_token audit "HTTP audit")"
cd "$here"
if [ ! -d node_modules/graphql-http ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
EHCP_AUDIT_URL="http://$address/graphql" EHCP_AUDIT_TOKEN="$token" node audit.mjs
