#!/usr/bin/env bash
# Builds the Debian package with cargo-deb from the built binary, installs it with dpkg, starts
# the installed /usr/bin/ehcp as the packaged ehcp user with the packaged settings
# (/etc/ehcp/ehcp.env) on a fresh database in /var/lib/ehcp, checks it serves and signs a
# token in, then purges the package. Needs root (dpkg); installs cargo-deb if it is missing.
# Usage: tests/deb/run.sh [profile]   (default: dev, the binary CI has already built)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
profile="${1:-dev}"
cd "$root"
if [ "$(id -u)" -ne 0 ]; then
  echo "tests/deb/run.sh installs a package: run it as root (CI does)" >&2
  exit 1
fi
if ! command -v cargo-deb >/dev/null 2>&1; then
  echo "installing cargo-deb" >&2
  cargo install cargo-deb --locked --version 3.8.0 >/dev/null
fi
if dpkg -s ehcp >/dev/null 2>&1; then
  echo "an ehcp package is already installed here; remove it first (dpkg --purge ehcp)" >&2
  exit 1
fi

deb="$(cargo deb --no-build --strip --profile "$profile" --output "$(mktemp -d)" 2>/dev/null | tail -n 1)"
[ -f "$deb" ] || { echo "cargo deb made no package" >&2; exit 1; }
echo "built $deb"
dpkg-deb --info "$deb" | grep -E "Package|Version|Depends"
contents="$(dpkg-deb --contents "$deb")"
unit=./usr/lib/systemd/system/ehcp.service
for path in ./usr/bin/ehcp ./etc/ehcp/ehcp.env "$unit" ./usr/share/doc/ehcp/copyright; do
  grep -q " $path\$" <<<"$contents" || { echo "the package lacks $path" >&2; echo "$contents" >&2; exit 1; }
done

server_pid=""
log="$(mktemp)"
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  dpkg --purge ehcp >/dev/null 2>&1 || true
  if getent passwd ehcp >/dev/null; then
    echo "purging the package left the ehcp user behind" >&2
    rc=1
  fi
  rm -rf /var/lib/ehcp
  rm -f "$log"
  exit "$rc"
}
trap cleanup EXIT

# A fresh machine's install: no data directory, no user, no earlier settings.
rm -rf /var/lib/ehcp
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb"
getent passwd ehcp >/dev/null || { echo "the package made no ehcp user" >&2; exit 1; }
[ "$(stat -c '%U %a' /var/lib/ehcp)" = "ehcp 750" ] || { echo "bad data directory: $(stat -c '%U %a' /var/lib/ehcp)" >&2; exit 1; }
[ "$(stat -c '%G %a' /etc/ehcp/ehcp.env)" = "ehcp 640" ] || { echo "bad settings file: $(stat -c '%G %a' /etc/ehcp/ehcp.env)" >&2; exit 1; }
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify /usr/lib/systemd/system/ehcp.service 2>&1 | grep -v "^$" || true
fi
/usr/bin/ehcp --version

# What the unit runs: /usr/bin/ehcp serve as ehcp, in /var/lib/ehcp, with the packaged
# settings (only the port moved to a free one, so CI machines with 8080 taken still pass).
# setpriv execs: the server is this script's child, and stopping it stops the server.
as_service() {
  setpriv --reuid=ehcp --regid=ehcp --init-groups env -i PATH=/usr/bin:/bin HOME=/var/lib/ehcp \
    bash -c 'cd /var/lib/ehcp; set -a; . /etc/ehcp/ehcp.env; set +a; export EHCP_BIND=127.0.0.1:0 EHCP_LOG_FORMAT=json; exec "$@"' ehcp "$@"
}
setpriv --reuid=ehcp --regid=ehcp --init-groups env -i PATH=/usr/bin:/bin HOME=/var/lib/ehcp \
  bash -c 'cd /var/lib/ehcp; set -a; . /etc/ehcp/ehcp.env; set +a; export EHCP_BIND=127.0.0.1:0 EHCP_LOG_FORMAT=json; exec /usr/bin/ehcp serve' >"$log" 2>&1 &
server_pid=$!
address=""
for _ in $(seq 1 100); do
  address="$(grep -o '"address":"[^"]*"' "$log" | head -n 1 | cut -d'"' -f4 || true)"
  [ -n "$address" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "the installed server did not start" >&2; exit 1; }
  sleep 0.2
done
[ -n "$address" ] || { cat "$log"; echo "the installed server did not report its address" >&2; exit 1; }
[ -f /var/lib/ehcp/ehcp.db ] || { echo "no database in /var/lib/ehcp" >&2; exit 1; }
[ "$(stat -c '%U' /var/lib/ehcp/ehcp.db)" = "ehcp" ] || { echo "the database is not the ehcp user's" >&2; exit 1; }
curl -fsS "http://$address/healthz" | grep -q '"ok"'
curl -fsS "http://$address/readyz" | grep -q '"ready"'
as_service /usr/bin/ehcp admin add --subject package-test --name "Package test" >/dev/null
token="$(as_service /usr/bin/ehcp token --role admin --sub package-test)"
answer="$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"query":"{ me { subject role } }"}' "http://$address/graphql")"
grep -q '"role":"ADMIN"' <<<"$answer" || { echo "unexpected answer: $answer" >&2; exit 1; }
# GraphiQL is off in the packaged settings.
status="$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "http://$address/graphql")"
[ "$status" = "404" ] || { echo "GraphiQL answered $status with the packaged settings" >&2; exit 1; }
echo "PASS deb: installed $(basename "$deb"), served on $address as ehcp from /var/lib/ehcp with /etc/ehcp/ehcp.env"
