#!/usr/bin/env bash
# Installs what ide needs on Debian 12, and nothing that is already there. Idempotent; silent when
# everything is present. Usage: scripts/setup.sh [--for-tests] [--for-bench]
#   (default)    build dependencies and the default language toolchains (README: Languages)
#   --for-tests  also what the test suite needs: clang's fuzzing/sanitizer runtime, Chromium and
#                the web page's npm packages (playwright-core)
#   --for-bench  also what scripts/bench.sh needs: wrk, nginx (the static-file reference), zstd
#                (the compression reference), perf (profiles) and PostgreSQL (the shared queue)
# IDE_EXTRA_LANGUAGES=1 also installs the large ones: go, ocaml, kotlin and racket.
set -euo pipefail
cd "$(dirname "$0")/.."

build_packages=(cmake ninja-build g++ pkg-config libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev libpq-dev libfmt-dev catch2 libcli11-dev libseccomp-dev libzstd-dev libssl-dev
  zlib1g-dev)
# 21 languages of config/languages.json, about 750 MB installed beyond the build's own packages;
# the extras (Go, OCaml, Kotlin, Racket) are about 1.6 GB more. ld comes with gcc (binutils).
language_packages=(python3 gcc g++ bash nodejs default-jdk-headless rustc ruby lua5.4 php-cli perl
  node-typescript gfortran fpc nasm sqlite3 guile-3.0 r-base-core mono-mcs erlang-nox elixir)
extra_language_packages=(golang ocaml-nox kotlin racket)
test_packages=(clang libclang-rt-14-dev chromium sqlite3 postgresql bubblewrap util-linux procps)
bench_packages=(wrk nginx-light zstd linux-perf curl procps postgresql)

wanted=("${build_packages[@]}" "${language_packages[@]}")
for flag in "$@"; do
  case "$flag" in
    --for-tests) wanted+=("${test_packages[@]}") ;;
    --for-bench) wanted+=("${bench_packages[@]}") ;;
    *) echo "setup: unknown flag $flag (--for-tests, --for-bench)" >&2; exit 2 ;;
  esac
done
[[ "${IDE_EXTRA_LANGUAGES:-0}" == "1" ]] && wanted+=("${extra_language_packages[@]}")
# The web page is bundled with npm; Debian's nodejs ships without it, NodeSource's with it.
command -v npm >/dev/null 2>&1 || wanted+=(npm)

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
# nodejs from another repository (NodeSource) counts as present.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<< "${missing[*]}"

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The web page's npm packages (CodeMirror, esbuild, playwright-core), pinned by the lock file.
if [[ -f web/package-lock.json ]]; then
  if [[ ! -d web/node_modules || web/package-lock.json -nt web/node_modules/.package-lock.json ]]
  then
    echo "setup: installing the web page's npm packages"
    npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
  fi
fi
