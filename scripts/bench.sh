#!/usr/bin/env bash
# The benchmarks of issue 8 in one command, each beside a reference measured in the same run:
#   a. the seed workload, open loop (bench_load seed), with the server's VmRSS each second;
#   b. bytes on disk per stored submission vs `zstd -3` of the same code, stdin and stdout;
#   c. a finished result read by wrk vs nginx serving the same JSON as a static file;
#   d. hello world runs/s through the server (bench_load lanes) vs bare (bench_load bare),
#      Python and C compile + run;
#   e. the sandbox's /bin/true vs a bare clone with 7 namespaces + exec (bench_sandbox, as root);
#   f. hello world runs/s with 1 and with 2 worker processes on one PostgreSQL queue, beside one
#      process with 2 workers (bench/workers.sh).
# Installs what is missing (scripts/setup.sh --for-bench), builds Release in build/release, runs
# the server on 127.0.0.1 with a fresh data dir (build/bench-data) and writes the generated part
# of docs/BENCHMARKS.md. Raw figures stay in build/bench-results/*.json.
#
#   scripts/bench.sh [--quick]      --quick: every duration shortened, for development
#
# A benchmark, not a test: it times things and is no part of scripts/test.sh. Exits non-zero when
# an answer was wrong or failed (a missed target only shows in the table).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

quick=0
for flag in "$@"; do
  case "$flag" in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench: unknown flag $flag (--quick)" >&2; exit 2 ;;
  esac
done
if ((quick)); then
  seed_s=10 wrk_s=3 lanes_s=3 sandbox_args=(--runs 100 --python-runs 5 --throughput-runs 50)
else
  seed_s=60 wrk_s=10 lanes_s=10 sandbox_args=(--runs 300 --python-runs 10 --throughput-runs 100)
fi
command_line="scripts/bench.sh${*:+ $*}"
started=$(date +%s)

step() { printf '\n=== %s\n' "$*"; }

step "setup and Release build"
scripts/setup.sh --for-bench
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DIDE_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build build/release --target ide bench_load bench_sandbox
bench_load=build/release/bench/bench_load

out=build/bench-results
data=build/bench-data
rm -rf "$out" "$data"
mkdir -p "$out" "$data"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
failed=0

server_pid=""
nginx_dir=""
cleanup() {
  [[ -n "$server_pid" ]] && stop_ide "$server_pid"
  [[ -n "$nginx_dir" && -f "$nginx_dir/nginx.pid" ]] && kill -QUIT "$(cat "$nginx_dir/nginx.pid")" 2>/dev/null
  [[ -n "$nginx_dir" ]] && rm -rf "$nginx_dir"
  return 0
}
trap cleanup EXIT

step "server"
# No per-client caps: the load comes from one address. --max-unsent: wrk's 64 connections each
# wait for a 1.5 MB result at once, past the default 64 MiB of answers in flight (then 503).
start_ide "$out/server.log" --data-dir "$data" \
  --rate-limit-per-minute 0 --max-connections-per-client 0 --max-queued-per-client 0 \
  --max-unsent 268435456
server_pid=$started_pid
url=$started_url
echo "server pid $server_pid at $url"

step "a. seed workload, ${seed_s} s"
$bench_load seed --url "$url" --duration "$seed_s" --processes 2 --read-pool 40 \
  --server-pid "$server_pid" --sample-dir "$out/sample" --json "$out/seed.json" || failed=1

step "b. storage"
stored=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["submissions_stored"])' "$out/seed.json" || echo 0)
disk_bytes() {
  local total=0 file
  for file in "$data"/{submissions,results,urls}.db{,-wal,-shm}; do
    [[ -f "$file" ]] && total=$((total + $(stat -c %s "$file")))
  done
  echo "$total"
}
zstd_bytes=0
raw_bytes=0
for file in "$out"/sample/{code.py,stdin.txt,stdout.txt}; do
  zstd_bytes=$((zstd_bytes + $(zstd -3 -q -c "$file" | wc -c)))
  raw_bytes=$((raw_bytes + $(stat -c %s "$file")))
done
disk_running=$(disk_bytes)
ls -l "$data" >"$out/data-dir.txt"
echo "stored $stored submissions in $disk_running bytes; zstd -3 of one: $zstd_bytes (raw $raw_bytes)"

step "c. read: wrk on a finished result vs nginx static"
result_id=$(/usr/bin/python3 bench/submit_sample.py "$url" "$out/sample")
result_url="$url/api/v1/submissions/$result_id/result"
curl -sf -D "$out/result.headers" -o "$out/result.json" "$result_url"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$out/result.headers")
not_modified=""
[[ -n "$etag" ]] && not_modified=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$result_url")
nginx_dir=$(mktemp -d /tmp/ide-bench-nginx.XXXXXX)
chmod 755 "$nginx_dir"
mkdir -p "$nginx_dir/root"
cp "$out/result.json" "$nginx_dir/root/result.json"
chmod 644 "$nginx_dir/root/result.json"
nginx_port=$(free_port)
cat >"$nginx_dir/nginx.conf" <<EOF
worker_processes 2;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $nginx_dir/tmp;
  proxy_temp_path $nginx_dir/tmp;
  fastcgi_temp_path $nginx_dir/tmp;
  uwsgi_temp_path $nginx_dir/tmp;
  scgi_temp_path $nginx_dir/tmp;
  types { application/json json; }
  server { listen 127.0.0.1:$nginx_port; root $nginx_dir/root; }
}
EOF
nginx -c "$nginx_dir/nginx.conf" -p "$nginx_dir"
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/result.json" && break; sleep 0.1; done
cmp -s "$out/result.json" <(curl -s "http://127.0.0.1:$nginx_port/result.json") || { echo "bench: nginx serves another body" >&2; failed=1; }
wrk -t2 -c64 -d"${wrk_s}s" --latency "$result_url" | tee "$out/wrk-ide.txt"
wrk -t2 -c64 -d"${wrk_s}s" --latency "http://127.0.0.1:$nginx_port/result.json" | tee "$out/wrk-nginx.txt"
kill -QUIT "$(cat "$nginx_dir/nginx.pid")"
/usr/bin/python3 - "$out" "$etag" "$not_modified" "$(stat -c %s "$out/result.json")" <<'EOF'
import json, re, sys
out, etag, not_modified, body_bytes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def parse(path):
    text = open(path).read()
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    p99 = re.search(r"^\s*99%\s+(\S+)", text, re.M)
    return {"requests_per_s": rate, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else "", "p99": p99.group(1) if p99 else ""}
json.dump({"ide": parse(f"{out}/wrk-ide.txt"), "nginx": parse(f"{out}/wrk-nginx.txt"),
           "etag": etag, "if_none_match_status": not_modified, "body_bytes": body_bytes},
          open(f"{out}/read.json", "w"))
EOF

step "d. execution: hello world on 2 lanes, through the server vs bare"
for language in python c; do
  $bench_load lanes --url "$url" --lanes 2 --language "$language" --duration "$lanes_s" \
    --json "$out/lanes-$language.json" || failed=1
  $bench_load bare --lanes 2 --language "$language" --duration "$lanes_s" \
    --json "$out/bare-$language.json" || failed=1
done

step "stop the server"
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
disk_stopped=$(disk_bytes)
/usr/bin/python3 - "$out" "$stored" "$disk_running" "$disk_stopped" "$zstd_bytes" "$raw_bytes" <<'EOF'
import json, sys
out, stored, running, stopped, zstd, raw = sys.argv[1], *map(int, sys.argv[2:])
json.dump({"submissions_stored": stored, "disk_bytes": running, "disk_bytes_after_stop": stopped,
           "zstd3_bytes_per_submission": zstd, "raw_bytes_per_submission": raw},
          open(f"{out}/storage.json", "w"))
EOF

step "e. sandbox"
if [[ $(id -u) -eq 0 ]]; then
  build/release/bench/bench_sandbox "${sandbox_args[@]}" --json "$out/sandbox.json" | tee "$out/sandbox.txt"
else
  echo "bench: the sandbox benchmark needs root; skipped"
fi

step "f. one PostgreSQL queue: 1 vs 2 worker processes, ${lanes_s} s each"
bench/workers.sh "$lanes_s" "$out" || failed=1

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD)
[[ -n "$(git status --porcelain --untracked-files=no)" ]] && commit="$commit+dirty"
/usr/bin/python3 - "$out/meta.json" <<EOF
import json, sys
json.dump({"date": "$(date -u '+%Y-%m-%d %H:%M UTC')", "commit": "$commit", "nproc": "$(nproc)",
           "cpu": "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)",
           "kernel": "$(uname -sr)", "load_start": "$load_start", "load_end": "$load_end",
           "command": "$command_line", "seconds": $(($(date +%s) - started)), "quick": $quick,
           "seed_command": "bench_load seed --duration $seed_s --processes 2 --read-pool 40",
           "wrk_seconds": $wrk_s, "lanes_seconds": $lanes_s,
           "sandbox_command": "bench_sandbox ${sandbox_args[*]}"}, open(sys.argv[1], "w"))
EOF
/usr/bin/python3 bench/render.py "$out" docs/BENCHMARKS.md
step "done in $(($(date +%s) - started)) s: docs/BENCHMARKS.md (generated part), raw figures in $out"
exit "$failed"
