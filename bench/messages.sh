#!/usr/bin/env bash
# Messages from commit to an SMTP server's receipt (issue 18): COUNT messages (100,000 by
# default) written to the outbox while WORKERS `ehcp deliver` processes send them to a real
# SMTP server (aiosmtpd, installed from PyPI into target/). Prints throughput and the latency
# from each message's commit to its receipt. CONCURRENCY (8) sets each worker's deliveries
# at once; RATE (0: all at once) paces the commits, in messages a second.
#
#   bench/messages.sh                                   # SQLite, a fresh file
#   DATABASE_URL=postgres://postgres@127.0.0.1/bench_messages bench/messages.sh
#
# On PostgreSQL, give it a database of its own: the run adds a demo LA and its messages.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${COUNT:-100000}"
WORKERS="${WORKERS:-2}"
work="$PWD/target/bench-messages"
rm -rf "$work/maildir" "$work/ehcp.db"*
mkdir -p "$work"
export DATABASE_URL="${DATABASE_URL:-sqlite://$work/ehcp.db?mode=rwc}"
export EHCP_JWT_SECRET="${EHCP_JWT_SECRET:-bench-secret-that-is-long-enough-for-hs256-signing}"
cargo build --release --bin ehcp
if ! PYTHONPATH="$work/py" python3 -c "import aiosmtpd" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$work/py" aiosmtpd==1.4.6
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PYTHONPATH="$work/py" python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$work/maildir" &
pids=($!)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
target/release/ehcp seed-demo >/dev/null
for _ in $(seq "$WORKERS"); do
  EHCP_SMTP_URL="smtp://127.0.0.1:$port" EHCP_DELIVERY_POLL=50ms RUST_LOG=warn \
    EHCP_DELIVERY_CONCURRENCY="${CONCURRENCY:-8}" target/release/ehcp deliver &
  pids+=($!)
done
target/release/ehcp bench-messages --count "$COUNT" --rate "${RATE:-0}" --batch "${BATCH:-500}" --maildir "$work/maildir"
