#!/usr/bin/env bash
# Scale-out on one queue: Python hello world runs/s through the server with 1 and with 2 worker
# processes on one PostgreSQL result store (issue 10), beside 1 process with 2 workers (the same
# worker threads in one process: what the second process should reach).
#
#   bench/workers.sh SECONDS RESULTS_DIR      (from scripts/bench.sh, after its Release build)
#
# Starts a throwaway PostgreSQL cluster (initdb in a temp dir, as `postgres` when run as root,
# loopback only), fresh databases per case. Process A serves the API the load is sent to and
# runs jobs; process B, in the 2-process case, only shares A's stores and claims jobs from the
# same queue. The load: bench_load lanes on 4 lanes, so the queue never runs dry.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=$1 out=$2
bench_load=build/release/bench/bench_load

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir=$(mktemp -d /tmp/ide-bench-pg.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_ide "$pid"; done
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT

# Default durability (fsync on): the figures are for a real deployment, not a test cluster.
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U ide -E UTF8 >"$pg_dir/initdb.log"
pg_port=$(free_port)
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir" start >/dev/null

# stores CASE: the --*-store flags of three new databases for CASE.
stores() {
  local module flags=()
  for module in submission result url; do
    "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U ide -d postgres \
      -c "CREATE DATABASE ${1}_${module}"
    flags+=("--$module-store" "postgresql://ide@127.0.0.1:$pg_port/${1}_${module}")
  done
  echo "${flags[@]}"
}

# run_case NAME PROCESSES WORKERS_EACH: the lanes' runs/s into RESULTS_DIR/workers-NAME.json.
run_case() {
  local name=$1 processes=$2 workers=$3 api_url="" i
  local store_flags
  read -ra store_flags <<<"$(stores "$name")"
  for ((i = 0; i < processes; i++)); do
    mkdir -p "$out/workers-$name-$i"
    start_ide "$out/workers-$name-$i.log" --data-dir "$out/workers-$name-$i" \
      --workers "$workers" --rate-limit-per-minute 0 --max-connections-per-client 0 \
      --max-queued-per-client 0 "${store_flags[@]}"
    pids+=("$started_pid")
    [[ -z "$api_url" ]] && api_url=$started_url
  done
  local status=0
  $bench_load lanes --url "$api_url" --lanes 4 --language python --duration "$seconds" \
    --json "$out/workers-$name.json" || status=1
  for pid in "${pids[@]}"; do stop_ide "$pid"; done
  pids=()
  return "$status"
}

failed=0
run_case one 1 1 || failed=1
run_case two 2 1 || failed=1
run_case threads 1 2 || failed=1
exit "$failed"
