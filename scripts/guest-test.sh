#!/usr/bin/env bash
# The cgroup v2 stage: runs the host-built sandbox, result, durability and e2e test binaries
# inside a Debian 12 guest whose only cgroup hierarchy is the unified v2 one, as root in a
# systemd service with Delegate=yes (the way docs/SANDBOX.md deploys `ide serve`).
#
#   scripts/guest-test.sh [BUILD_DIR]  run the suites of BUILD_DIR (default build/test) in a guest
#   scripts/guest-test.sh --can-boot   exit 0 when this host can boot the guest, else say why, 77
#   scripts/guest-test.sh --image      build (or reuse) the cached image only
#   (the guest's service runs `scripts/guest-test.sh --inside`, from the read-only checkout)
#
# The image is built once from Debian's packages with mmdebstrap and cached outside the
# checkout, in $IDE_GUEST_CACHE (default /var/cache/ide-guest), keyed by a hash of its recipe
# (the functions below that make it, the package list, the backend and the UML kernel's
# version), so a change to the recipe rebuilds it and nothing else does. A boot never changes
# the image: writes go to a copy-on-write file (UML) or a snapshot (KVM) that is thrown away.
#
# Backends: KVM (qemu, the image's own Debian kernel, checkout over virtio-9p) where /dev/kvm
# has hardware virtualisation (vmx/svm); otherwise User-Mode Linux (Debian's 6.1 linux.uml,
# one CPU, checkout over hostfs). Either way the guest has no network device, and boots with
# cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1.
#
# Env: IDE_GUEST=0 (skip the stage), IDE_GUEST_SUITES (e.g. "sandbox_tests e2e_tests": only
#      those), IDE_GUEST_CACHE, IDE_GUEST_BACKEND (uml|kvm), IDE_GUEST_MEM (MiB, default 3072),
#      IDE_GUEST_TIMEOUT (seconds for the whole boot, default 2700),
#      IDE_TEST_TIME_SCALE (how much wider the timing-sensitive tests' limits are, and those of
#      the `ide serve` they start; default 4 under UML, 1 under KVM),
#      IDE_GUEST_APT_SOURCES (default: the host's Debian sources).
# Exit: 0 every test passed; 1 a test failed or the guest did not report; 2 usage or setup
# error; 77 this host cannot boot the guest (the reason is printed).
set -euo pipefail

readonly CANNOT_BOOT=77
cache=${IDE_GUEST_CACHE:-/var/cache/ide-guest}
guest_mem=${IDE_GUEST_MEM:-3072}
guest_timeout=${IDE_GUEST_TIMEOUT:-2700}
# The suites the stage runs, as paths under the build dir; `ide` is what e2e/durability start.
readonly ALL_SUITES="tests/sandbox/sandbox_tests tests/modules/result/result_tests
tests/durability/durability_tests tests/e2e/e2e_tests"
SUITES=$ALL_SUITES

# What the guest holds: systemd as PID 1, the shared libraries our binaries link (ldd on the
# host; the guest checks again before running anything), the toolchains the language tests
# run (python3, gcc, g++, node, bash) and the tools the durability tests call (mkfs.ext4,
# mount with loop devices).
readonly GUEST_PACKAGES="systemd-sysv udev kmod util-linux mount procps e2fsprogs
libseccomp2 libssl3 libfmt9 libboost-json1.81.0 libsqlite3-0 libpq5 libstdc++6
python3 gcc g++ libc6-dev nodejs bash"
readonly KVM_PACKAGES="linux-image-amd64 initramfs-tools"

log() { printf 'guest-test: %s\n' "$*" >&2; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die() { log "$*"; exit 2; }

# --- host side ---------------------------------------------------------------------------------

backend() {
  if [ -n "${IDE_GUEST_BACKEND:-}" ]; then
    echo "$IDE_GUEST_BACKEND"
  # A /dev/kvm without vmx/svm (a software backend such as kvm_pvm) cannot boot a stock kernel.
  elif [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
    echo kvm
  else
    echo uml
  fi
}

# Prints why the guest cannot boot here; nothing when it can.
cannot_boot_reason() {
  [ "${IDE_GUEST:-1}" != 0 ] || { echo "IDE_GUEST=0"; return; }
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "not an x86_64 Linux host"; return; }
  [ "$(id -u)" = 0 ] || { echo "not root (mmdebstrap, loop-free image build and UML need it)"; return; }
  local be
  be=$(backend)
  case $be in
    kvm | uml) ;;
    *) echo "IDE_GUEST_BACKEND=$be is neither kvm nor uml"; return ;;
  esac
  if ! command -v apt-get >/dev/null && ! host_tools_present "$be"; then
    echo "no apt-get to install the $be guest's host tools, and they are not all present"
    return
  fi
  if [ "$be" = uml ] && ! grep -q . /proc/sys/vm/mmap_min_addr; then
    echo "no /proc/sys/vm (User-Mode Linux needs a normal Linux host)"
  fi
}

# Debian 12's UML (6.1) cannot run a single process on some hosts: on CPUs with AMX, whose XSAVE
# state it does not handle, every process it starts dies of SIGSEGV, init first. A boot of the
# host's own /bin/true as init (hostfs root, read-only, a second or two) tells: it must end with
# exit code 0. Prints why not, or nothing.
uml_cannot_run_reason() {
  local dir console
  dir=$(mktemp -d)
  console=$(TMPDIR=$dir timeout -k 5 60 linux.uml mem=128M uml_dir="$dir" root=/dev/root \
    rootfstype=hostfs rootflags=/ ro init=/bin/true con=null con0=null,fd:1 </dev/null 2>&1 || true)
  rm -rf "$dir"
  grep -q 'exitcode=0x00000000' <<<"$console" && return
  echo "User-Mode Linux cannot run a process on this host: /bin/true as its init ended with" \
    "$(grep -o 'exitcode=0x[0-9a-f]*' <<<"$console" | head -1 || echo 'no exit code')" \
    "(the known case: a CPU with AMX, whose XSAVE state Debian 12's UML does not handle)"
}

host_tools_present() {
  command -v mmdebstrap >/dev/null && command -v mkfs.ext4 >/dev/null || return 1
  if [ "$1" = kvm ]; then command -v qemu-system-x86_64 >/dev/null; else command -v linux.uml >/dev/null; fi
}

install_host_tools() {
  local be=$1
  host_tools_present "$be" && return
  local packages="mmdebstrap e2fsprogs"
  if [ "$be" = kvm ]; then packages+=" qemu-system-x86"; else packages+=" user-mode-linux"; fi
  log "installing $packages"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
}

apt_sources() {
  if [ -n "${IDE_GUEST_APT_SOURCES:-}" ]; then echo "$IDE_GUEST_APT_SOURCES"; return; fi
  local file
  for file in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [ -s "$file" ]; then echo "$file"; return; fi
  done
  die "no Debian apt sources on this host; set IDE_GUEST_APT_SOURCES"
}

uml_kernel_version() { dpkg-query -W -f '${Version}' user-mode-linux 2>/dev/null || echo none; }

# The modules of the UML kernel (loop for the durability tests) go into the image.
uml_modules_dir() { find /usr/lib/uml/modules -mindepth 1 -maxdepth 1 -type d | head -n 1; }

# Files baked into the image: the service that runs the stage and its entry point.
write_guest_files() {
  local root=$1
  mkdir -p "$root/usr/local/sbin" "$root/etc/systemd/system/multi-user.target.wants"
  # Reads the checkout path, the output dir and the backend from the kernel command line, mounts
  # the checkout read-only at the same path (the binaries name their own absolute paths) and the
  # output dir writable, then runs the checkout's own script. Its exit status is the stage's.
  cat >"$root/usr/local/sbin/ide-guest-entry" <<'EOF'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"; }
src=$(arg ide_src); out=$(arg ide_out); backend=$(arg ide_backend)
mkdir -p "$src" /run/ide-guest-out
if [ "$backend" = kvm ]; then
  modprobe -q 9p 2>/dev/null; modprobe -q 9pnet_virtio 2>/dev/null
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro src "$src" &&
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /run/ide-guest-out
else
  mount -t hostfs -o ro,"$src" none "$src" && mount -t hostfs -o "$out" none /run/ide-guest-out
fi || { echo "ide-guest-entry: cannot mount the host's directories" >/dev/console; exit 99; }
bash "$src/scripts/guest-test.sh" --inside 2>&1 | tee /run/ide-guest-out/guest.log
rc=$(cat /run/ide-guest-out/rc 2>/dev/null || echo 98)
sync
exit "$rc"
EOF
  chmod 755 "$root/usr/local/sbin/ide-guest-entry"
  # As a deployment runs ide: root, its own delegated cgroup subtree, nothing else in it.
  cat >"$root/etc/systemd/system/ide-guest-tests.service" <<'EOF'
[Unit]
Description=ide test suites under cgroup v2
After=local-fs.target systemd-modules-load.service
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/ide-guest-entry
Delegate=yes
TimeoutStartSec=infinity
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
[Install]
WantedBy=multi-user.target
EOF
  ln -sf /etc/systemd/system/ide-guest-tests.service \
    "$root/etc/systemd/system/multi-user.target.wants/ide-guest-tests.service"
  # No logins on the console: the service owns it.
  ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
  ln -sf /dev/null "$root/etc/systemd/system/serial-getty@.service"
}

image_key() {
  local be=$1
  {
    declare -f write_guest_files build_image
    echo "$GUEST_PACKAGES" "$be"
    if [ "$be" = kvm ]; then echo "$KVM_PACKAGES"; else uml_kernel_version; fi
  } | sha256sum | cut -c1-16
}

# build_image BACKEND DIR: rootfs.ext4 (and for KVM vmlinuz + initrd.img) in DIR.
build_image() {
  local be=$1 dir=$2 packages=$GUEST_PACKAGES staging modules
  [ "$be" = kvm ] && packages+=" $KVM_PACKAGES"
  staging=$dir/staging
  mkdir -p "$staging/files"
  write_guest_files "$staging/files"
  if [ "$be" = uml ]; then
    modules=$(uml_modules_dir)
    [ -n "$modules" ] || die "the user-mode-linux package has no modules dir"
    # usr/lib: in Debian 12 /lib is a symlink to it.
    mkdir -p "$staging/files/usr/lib/modules"
    cp -a "$modules" "$staging/files/usr/lib/modules/"
  else
    # A small initramfs that finds an ext4 root on virtio-blk.
    mkdir -p "$staging/files/etc/initramfs-tools/conf.d" \
      "$staging/files/usr/share/initramfs-tools/modules.d"
    echo 'MODULES=list' >"$staging/files/etc/initramfs-tools/conf.d/ide-guest.conf"
    printf '%s\n' virtio_pci virtio_blk ext4 >"$staging/files/usr/share/initramfs-tools/modules.d/ide-guest"
  fi
  # shellcheck disable=SC2016,SC2086 # the hooks' $1 is mmdebstrap's; the list is split on purpose
  mmdebstrap --variant=apt --mode=root --format=directory --quiet \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --include="$(echo $packages | tr ' ' ',')" \
    --essential-hook="cp -a '$staging/files/.' \"\$1/\"" \
    --customize-hook='echo ide-guest >"$1/etc/hostname"; : >"$1/etc/fstab"' \
    --customize-hook='for v in "$1"/usr/lib/modules/*; do [ ! -d "$v" ] || chroot "$1" depmod "${v##*/}"; done' \
    bookworm "$staging/rootfs" "$(apt_sources)"
  if [ "$be" = kvm ]; then
    cp -L "$staging/rootfs/vmlinuz" "$dir/vmlinuz"
    cp -L "$staging/rootfs/initrd.img" "$dir/initrd.img"
  fi
  local megabytes
  megabytes=$(du -sm "$staging/rootfs" | cut -f1)
  # Room for the tests' scratch files (durability makes ext4 images) on top of the system.
  mkfs.ext4 -q -F -L ide-guest -d "$staging/rootfs" "$dir/rootfs.ext4" "$((megabytes + 1024))M"
  rm -rf "$staging"
}

# Prints the image dir for BACKEND, building it first when the recipe changed.
ensure_image() {
  local be=$1 key dir started
  key=$(image_key "$be")
  dir=$cache/image-$be-$key
  mkdir -p "$cache"
  exec 9>"$cache/lock"
  flock 9
  if [ ! -f "$dir/rootfs.ext4" ]; then
    log "building the $be guest image $key in $cache (once per recipe)"
    started=$(date +%s)
    rm -rf "$dir.partial"
    build_image "$be" "$dir.partial" >&2
    mv "$dir.partial" "$dir"
    # Older recipes' images are never used again.
    find "$cache" -mindepth 1 -maxdepth 1 -name 'image-*' ! -name "image-$be-$key" \
      -exec rm -rf {} +
    log "image built in $(($(date +%s) - started)) s ($(du -sm "$dir/rootfs.ext4" | cut -f1) MiB)"
  fi
  flock -u 9
  echo "$dir"
}

boot_uml() {
  local image=$1 src=$2 out=$3 append=$4
  # UML maps its RAM from a file in TMPDIR: keep it in the cache dir, not in a small /tmp.
  # shellcheck disable=SC2086 # $append is a list of kernel arguments
  TMPDIR=$out timeout -k 10 "$guest_timeout" linux.uml mem="${guest_mem}M" uml_dir="$out/uml" \
    ubd0="$out/root.cow,$image/rootfs.ext4" root=/dev/ubda rw con=null con0=null,fd:1 \
    $append ide_src="$src" ide_out="$out" ide_backend=uml </dev/null
}

boot_kvm() {
  local image=$1 src=$2 out=$3 append=$4
  timeout -k 10 "$guest_timeout" qemu-system-x86_64 -enable-kvm -cpu host -m "$guest_mem" \
    -smp "$(nproc)" -nodefaults -no-user-config -display none -no-reboot -monitor none \
    -serial stdio -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=/dev/vda rw rootfstype=ext4 console=ttyS0 panic=-1 $append ide_src=$src ide_out=$out ide_backend=kvm" \
    -drive file="$image/rootfs.ext4",if=virtio,format=raw,snapshot=on \
    -virtfs local,path="$src",mount_tag=src,security_model=none,readonly=on \
    -virtfs local,path="$out",mount_tag=out,security_model=none \
    -nic none </dev/null
}

run_host() {
  local build=$1 src be image append started rc=0
  src=$(pwd -P)
  case $src in *[[:space:]]*) die "the checkout's path has white space: $src" ;; esac
  build=$(cd "$build" && pwd -P)
  if [ -n "${IDE_GUEST_SUITES:-}" ]; then
    SUITES=$(for suite in $ALL_SUITES; do
      case " $IDE_GUEST_SUITES " in *" ${suite##*/} "*) echo "$suite" ;; esac
    done)
    # shellcheck disable=SC2086 # a list
    [ -n "$SUITES" ] || die "IDE_GUEST_SUITES names none of: $(basename -a $ALL_SUITES | tr '\n' ' ')"
  fi
  case $build in "$src"/*) ;; *) die "the build dir must be inside the checkout: $build" ;; esac
  local suite
  for suite in $SUITES ide; do
    [ -x "$build/$suite" ] || die "missing $build/$suite: build it first"
  done
  be=$(backend)
  install_host_tools "$be"
  if [ "$be" = uml ]; then
    local reason
    reason=$(uml_cannot_run_reason)
    [ -z "$reason" ] || { log "cannot boot here: $reason"; exit "$CANNOT_BOOT"; }
  fi
  image=$(ensure_image "$be")
  out=$(mktemp -d "$cache/run.XXXXXX")  # global: the EXIT trap removes it
  trap 'rm -rf "$out"' EXIT
  # The inside half finds the build dir and the suites here and writes rc and report.txt back.
  echo "${build#"$src"/}" >"$out/build_dir"
  echo "$SUITES" >"$out/suites"
  echo "${IDE_TEST_TIME_SCALE:-$([ "$be" = uml ] && echo 4 || echo 1)}" >"$out/time_scale"
  append="quiet loglevel=3 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 systemd.show_status=0"
  log "booting the $be guest (no network, cgroup v2 only); console below"
  started=$(date +%s)
  if [ "$be" = kvm ]; then boot_kvm "$image" "$src" "$out" "$append" || rc=$?
  else boot_uml "$image" "$src" "$out" "$append" || rc=$?; fi
  log "guest ran $(($(date +%s) - started)) s (exit $rc)"
  if [ ! -f "$out/rc" ]; then
    log "FAILED: the guest ended without a result (timeout ${guest_timeout}s, or it broke)"
    return 1
  fi
  printf '\n=== guest report\n'
  cat "$out/report.txt"
  if [ -n "$(ls "$out/logs")" ]; then
    rm -rf "$build/guest-logs"
    cp -r "$out/logs" "$build/guest-logs"
    log "the failing suites' whole logs are in $build/guest-logs"
  fi
  return "$(cat "$out/rc")"
}

# --- inside the guest --------------------------------------------------------------------------

# Checks that fail the stage before any test runs: the guest is what the stage claims it is.
check_guest() {
  local problems=0
  if grep -qE '^[^ ]+ [^ ]+ cgroup ' /proc/mounts; then
    echo "FAIL: a cgroup v1 hierarchy is mounted"; problems=1
  fi
  if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
    echo "FAIL: /sys/fs/cgroup is not cgroup2"; problems=1
  fi
  local c
  for c in memory pids cpu; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || { echo "FAIL: no $c controller"; problems=1; }
  done
  local interfaces="" interface
  for interface in /sys/class/net/*; do
    [ "${interface##*/}" = lo ] || interfaces+=" ${interface##*/}"
  done
  [ -z "$interfaces" ] || { echo "FAIL: network interfaces: $interfaces"; problems=1; }
  local binary
  for binary in "$@"; do
    if ldd "$binary" | grep -q 'not found'; then
      echo "FAIL: $binary: $(ldd "$binary" | grep 'not found' | tr '\n' ' ')"; problems=1
    fi
  done
  return "$problems"
}

# The isolation line of `ide doctor` must say cgroup v2 with memory, pids and cpu.
check_doctor() {
  local ide=$1 scratch=$2 text line
  text=$("$ide" doctor --data-dir "$scratch/doctor-data" 2>&1) || true
  echo "$text" | sed 's/^/  doctor: /'
  line=$(echo "$text" | grep -m1 '^cgroup: ' || true)
  echo "isolation: $line"
  case $line in
    "cgroup: v2 (memory, pids, cpu)") ;;
    *) echo "FAIL: the sandbox does not report cgroup v2 with memory, pids and cpu"; return 1 ;;
  esac
  echo "$text" | grep -q '^isolation: usable' || { echo "FAIL: isolation not usable"; return 1; }
}

# run_suite BINARY NAME LOG: runs one Catch2 suite; prints "NAME: <counts>" and returns its status.
run_suite() {
  local binary=$1 name=$2 logfile=$3 rc=0 summary
  # [not-in-guest]: what measures the host process rather than the sandbox (the e2e case that
  # bounds the server's VmRSS: the guest's one slow CPU and allocator give it other numbers).
  "$binary" --order decl '~[not-in-guest]' >"$logfile" 2>&1 || rc=$?
  summary=$(grep -E '^(All tests passed|test cases:)' "$logfile" | tail -n 1)
  [ -n "$summary" ] || summary="no Catch2 summary (exit $rc)"
  # A skipped sandbox case would be a silent fallback: here every case must really run.
  if grep -q 'SKIPPED' "$logfile"; then
    summary+="; SKIPPED cases: $(grep -c 'SKIPPED' "$logfile")"
    rc=1
  fi
  echo "$name: $summary"
  if [ "$rc" != 0 ]; then
    # The failures (each from its case's header on), not the servers' logs around them.
    grep -B12 -A20 -E 'FAILED|SKIPPED' "$logfile" | grep -vE '^[0-9T:.-]+Z (info|warn) ' |
      head -n 300
    cp "$logfile" /run/ide-guest-out/logs/
  fi
  return "$rc"
}

# The `ide serve` that the e2e and durability suites start inherits these: the time limits of
# config/ide.toml (IDE_* variables win over the file), times the scale.
scale_server_limits() {
  local key value
  for key in cpu_ms wall_ms max_cpu_ms max_wall_ms compile_cpu_ms compile_wall_ms; do
    value=$(sed -n "s/^$key = \([0-9]*\)\$/\1/p" config/ide.toml)
    [ -n "$value" ] || { echo "FAIL: no $key in config/ide.toml"; return 1; }
    export "IDE_${key^^}=$((value * IDE_TEST_TIME_SCALE))"
  done
}

run_inside() {
  local out=/run/ide-guest-out src build scratch failed=0 report
  src=$(cd "$(dirname "$0")/.." && pwd)
  build=$src/$(cat "$out/build_dir")
  SUITES=$(cat "$out/suites")
  report=$out/report.txt
  export IDE_TEST_TIME_SCALE IDE_EXPECT_CGROUP=v2
  IDE_TEST_TIME_SCALE=$(cat "$out/time_scale")
  # Writable scratch inside the guest (its disk is a throwaway copy); the checkout is read-only.
  scratch=/var/tmp/ide-guest
  rm -rf "$scratch"; mkdir -p "$scratch" "$out/logs"
  export TMPDIR=$scratch
  modprobe -q loop 2>/dev/null || true
  {
    echo "kernel: $(uname -r)"
    echo "cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
    echo "service cgroup: $(cat /proc/self/cgroup)"
    echo "checkout: $src (read-only: $(touch "$src/.ro-check" 2>/dev/null && echo NO || echo yes))"
    echo "time scale: $IDE_TEST_TIME_SCALE"
  } | tee "$report"
  local binaries=("$build/ide")
  local suite
  for suite in $SUITES; do binaries+=("$build/$suite"); done
  # pipefail: each pipeline's status is its checker's.
  check_guest "${binaries[@]}" | tee -a "$report" || failed=1
  cd "$src"  # as ctest runs them (config/ and tests/ are found from here)
  scale_server_limits >>"$report" || failed=1
  echo "server limits: $(env | grep -E '^IDE_[A-Z_]+_MS=' | sort | tr '\n' ' ')" | tee -a "$report"
  check_doctor "$build/ide" "$scratch" | tee -a "$report" || failed=1
  for suite in $SUITES; do
    local started=$SECONDS
    run_suite "$build/$suite" "${suite##*/}" "$scratch/${suite##*/}.log" | tee -a "$report" ||
      failed=1
    echo "  (${suite##*/} took $((SECONDS - started)) s)" | tee -a "$report"
  done
  echo "guest uptime at the end: $(cut -d' ' -f1 /proc/uptime) s" | tee -a "$report"
  if [ "$failed" = 0 ]; then echo "RESULT: PASS" | tee -a "$report"
  else echo "RESULT: FAIL" | tee -a "$report"; fi
  echo "$failed" >"$out/rc"
}

# --- main --------------------------------------------------------------------------------------

case ${1:-} in
  --inside) run_inside ;;
  --can-boot)
    reason=$(cannot_boot_reason)
    if [ -z "$reason" ] && [ "$(backend)" = uml ]; then
      install_host_tools uml >&2
      reason=$(uml_cannot_run_reason)
    fi
    if [ -n "$reason" ]; then echo "$reason"; exit "$CANNOT_BOOT"; fi
    echo "can boot a $(backend) guest"
    ;;
  --image)
    reason=$(cannot_boot_reason)
    [ -z "$reason" ] || { log "cannot boot here: $reason"; exit "$CANNOT_BOOT"; }
    install_host_tools "$(backend)"
    ensure_image "$(backend)"
    ;;
  -h | --help) usage ;;
  -*) usage >&2; exit 2 ;;
  *)
    cd "$(dirname "$0")/.."
    reason=$(cannot_boot_reason)
    [ -z "$reason" ] || { log "cannot boot here: $reason"; exit "$CANNOT_BOOT"; }
    run_host "${1:-build/test}"
    ;;
esac
