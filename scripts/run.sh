#!/usr/bin/env bash
# Installs what is missing, builds ide (Release) and starts the server on the SQLite default.
# Any arguments go to `ide serve`, e.g. scripts/run.sh --port 9000 --workers 4
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DIDE_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target ide
exec build/release/ide serve "$@"
