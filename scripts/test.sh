#!/usr/bin/env bash
# Installs what is missing, builds ide with warnings as errors and runs every test:
#   1. the whole suite (unit, HTTP, e2e, sandbox, browser) with ctest, then the sandbox, result,
#      durability and e2e binaries again in a cgroup v2 guest (skipped, saying why, where none boots);
#   2. the unit and HTTP suites again under AddressSanitizer + UndefinedBehaviorSanitizer (clang);
#   3. the libFuzzer target over the request path for a minute (IDE_FUZZ_SECONDS to change it).
# docs/TESTING.md says how long each step takes and how to run one area or fuzz longer.
# Sandbox tests need root or user namespaces; where the machine has neither they say so and skip.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

step() { printf '\n=== %s\n' "$*"; }

step "setup"
scripts/setup.sh --for-tests

step "build (warnings are errors)"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIDE_WERROR=ON >/dev/null
cmake --build build/test -j "$jobs"

step "tests"
ctest --test-dir build/test --output-on-failure -j "$jobs" --timeout 600

# The same binaries again where only cgroup v2 exists: a Debian 12 guest (UML, or KVM where the
# host has hardware virtualisation), as root in a systemd service with Delegate=yes.
step "sandbox, result, durability and e2e tests in a cgroup v2 guest (scripts/guest-test.sh)"
if guest_reason=$(scripts/guest-test.sh --can-boot); then
  scripts/guest-test.sh build/test
else
  echo "SKIPPED the cgroup v2 guest stage: $guest_reason"
fi

# Both sanitizer builds use clang: GCC 12 with sanitizers reports false -Wmaybe-uninitialized in
# Catch2's headers. Warnings are step 1's job, so these builds do not make them errors (clang
# warns about libseccomp's macros). -O1 with line tables only: Beast code builds far faster than
# at -O2 with full debug info, and reports still name file and line.
sanitizer_flags="-O1 -gline-tables-only"
sanitizer_build() {  # sanitizer_build DIR OPTION TARGET...
  local dir=$1 option=$2
  shift 2
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -D"$option"=ON -DIDE_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$sanitizer_flags" \
    -DCMAKE_C_FLAGS_DEBUG="$sanitizer_flags" >/dev/null
  cmake --build "$dir" -j "$jobs" --target "$@"
}
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

step "unit and HTTP tests under AddressSanitizer + UndefinedBehaviorSanitizer"
sanitizer_build build/asan IDE_SANITIZE \
  core_tests submission_tests result_tests url_tests problem_tests access_tests compose_tests \
  http_tests
ctest --test-dir build/asan --output-on-failure -j "$jobs" --timeout 600 \
  -L '^(core|submission|result|url|problem|access|compose|http)$'

step "fuzzing the request path (HTTP parsing, routing, JSON, validation, submission store)"
sanitizer_build build/fuzz IDE_FUZZ http_request_fuzzer
# On tmpfs when there is one. The harness's SQLite data dirs go in it too (IDE_FUZZ_TMPDIR), so
# even a crash leaves nothing behind once the trap has run.
fuzz_dir=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
export IDE_FUZZ_TMPDIR=$fuzz_dir
trap 'chmod -R u+w "$fuzz_dir"; rm -rf "$fuzz_dir"' EXIT
# New inputs go to a scratch corpus; the seeds are a read-only copy, so the repository's stays
# small and untouched.
mkdir "$fuzz_dir/corpus" "$fuzz_dir/seeds" "$fuzz_dir/artifacts"
cp tests/fuzz/corpus/request/* "$fuzz_dir/seeds/"
chmod -R a-w "$fuzz_dir/seeds"
rm -rf build/fuzz/findings
fuzz_status=0
build/fuzz/tests/fuzz/http_request_fuzzer -max_total_time="${IDE_FUZZ_SECONDS:-60}" \
  -timeout=10 -rss_limit_mb=2048 -max_len=8192 -dict=tests/fuzz/http.dict \
  -print_final_stats=1 -artifact_prefix="$fuzz_dir/artifacts/" \
  "$fuzz_dir/corpus" "$fuzz_dir/seeds" >"$fuzz_dir/log" 2>&1 || fuzz_status=$?
grep -E '^(Done|stat::)' "$fuzz_dir/log" || true
if ((fuzz_status != 0)); then
  tail -n 80 "$fuzz_dir/log"
  mkdir -p build/fuzz/findings
  cp "$fuzz_dir"/artifacts/* build/fuzz/findings/ 2>/dev/null || true
  echo "fuzzing found a problem (exit $fuzz_status); the input is in build/fuzz/findings/" >&2
  exit 1
fi
