# Shell functions the benchmark scripts share; sourced, never run.

# start_ide LOG ARGS...: starts `build/release/ide serve ARGS` on 127.0.0.1 and a free port, its
# output in LOG, and waits for its "listening on" line. Sets started_pid and started_url; returns
# non-zero (the log on stderr) when the server exits or does not listen within 20 s.
start_ide() {
  local log=$1 port="" _
  shift
  build/release/ide serve --host 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
  started_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$log")
    [[ -n "$port" ]] && break
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z "$port" ]]; then
    echo "bench: the server did not start:" >&2
    cat "$log" >&2
    kill -KILL "$started_pid" 2>/dev/null
    return 1
  fi
  started_url="http://127.0.0.1:$port"
  grep -q 'isolation: usable' "$log" || echo "bench: WARNING the server runs without full isolation"
}

# stop_ide PID: SIGTERM (the server drains) and wait.
stop_ide() {
  kill -TERM "$1" 2>/dev/null && wait "$1" 2>/dev/null
  return 0
}

# free_port: a TCP port on 127.0.0.1 nothing listens on now.
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
