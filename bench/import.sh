#!/usr/bin/env bash
# Importing a national-scale council (issue 19): CHILDREN synthetic children (100,000 by
# default) in one council, with their plans, open assessments and advice, are exported in the
# import templates' format and imported into an empty PostgreSQL database; then the same
# files again (nothing changes), and the new database's export is compared with the first.
# Prints each step's wall time and peak memory.
#
#   bench/import.sh                                   # databases bench_import_src, _dst
#   CHILDREN=10000 CONCURRENCY=4 bench/import.sh
#
# It drops and re-creates the two databases on 127.0.0.1:5432 (user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
CHILDREN="${CHILDREN:-100000}"
CONCURRENCY="${CONCURRENCY:-8}"
PG="postgres://postgres@127.0.0.1:5432"
work="$PWD/target/bench-import"
rm -rf "$work"
mkdir -p "$work"
export EHCP_JWT_SECRET="${EHCP_JWT_SECRET:-bench-secret-that-is-long-enough-for-hs256-signing}"
export RUST_LOG=warn
cargo build --release -q
ehcp="$PWD/target/release/ehcp"
for db in bench_import_src bench_import_dst; do
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
timed() { /usr/bin/time -f "$1: %e s, peak RSS %M KB" "${@:2}"; }

export DATABASE_URL="$PG/bench_import_src"
"$ehcp" seed-synthetic --children "$CHILDREN" --las 1
la=$(psql -At "$DATABASE_URL" -c "SELECT code FROM local_authority LIMIT 1")
timed "export" "$ehcp" export council --la "$la" --dir "$work/export"

export DATABASE_URL="$PG/bench_import_dst"
timed "import" "$ehcp" import --la "$la" --la-name "Synthetic LA $la" \
  --concurrency "$CONCURRENCY" --report "$work/report.json" "$work"/export/*.csv
timed "import again" "$ehcp" import --la "$la" --concurrency "$CONCURRENCY" "$work"/export/*.csv
timed "export of the new database" "$ehcp" export council --la "$la" --dir "$work/again" >/dev/null
for f in "$work"/export/*.csv; do
  if cmp -s <(sort "$f") <(sort "$work/again/$(basename "$f")"); then
    echo "same: $(basename "$f")"
  else
    echo "DIFFERS: $(basename "$f")"
    exit 1
  fi
done
