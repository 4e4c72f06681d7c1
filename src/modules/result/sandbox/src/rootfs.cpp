#include "rootfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <string_view>
#include <utility>

#include <fmt/core.h>

#include "sys_util.hpp"

namespace ide::sandbox::detail {
namespace {

using Kind = MountOp::Kind;

constexpr unsigned long kReadOnly = MS_RDONLY | MS_NOSUID | MS_NODEV;

// Runs see uid 1000 ("runner", home /box); root and nobody exist so tools can name them.
constexpr std::string_view kPasswd =
    "root:x:0:0:root:/root:/usr/sbin/nologin\n"
    "runner:x:1000:1000:runner:/box:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
constexpr std::string_view kGroup = "root:x:0:\nrunner:x:1000:\nnogroup:x:65534:\n";
constexpr std::string_view kHosts = "127.0.0.1 localhost box\n::1 localhost\n";
constexpr std::string_view kNsswitch = "passwd: files\ngroup: files\nhosts: files\n";

std::string read_link(const std::string& path) {
  char buffer[4096];
  ssize_t n = readlink(path.c_str(), buffer, sizeof buffer);
  return n < 0 ? std::string() : std::string(buffer, static_cast<std::size_t>(n));
}

}  // namespace

unsigned long RootfsTemplate::kept_mount_flags(const std::string& path) {
  struct statvfs info {};
  if (statvfs(path.c_str(), &info) != 0) return 0;
  unsigned long flags = 0;
  if (info.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  if (info.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (info.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

const char* RootfsTemplate::keep(std::string text) {
  strings_.push_back(std::move(text));
  return strings_.back().c_str();
}

void RootfsTemplate::add_mkdir(const std::string& target, unsigned mode) {
  MountOp op;
  op.kind = Kind::mkdir;
  op.target = keep(target);
  op.mode = mode;
  host_parts_.push_back(op);
}

void RootfsTemplate::add_bind_read_only(const std::string& host, const std::string& target,
                                        bool is_dir) {
  if (is_dir) {
    add_mkdir(target);
  } else {
    MountOp touch;
    touch.kind = Kind::touch;
    touch.target = keep(target);
    host_parts_.push_back(touch);
  }
  MountOp op;
  op.kind = Kind::bind;
  op.source = keep(host);
  op.target = keep(target);
  op.remount = true;
  op.flags = kept_mount_flags(host) | kReadOnly;
  host_parts_.push_back(op);
}

void RootfsTemplate::add_symlink(const std::string& link_target, const std::string& target) {
  MountOp op;
  op.kind = Kind::symlink;
  op.source = keep(link_target);
  op.target = keep(target);
  host_parts_.push_back(op);
}

void RootfsTemplate::add_file(std::string_view content, const std::string& target) {
  MountOp op;
  op.kind = Kind::write_file;
  op.data = content.data();
  op.size = content.size();
  op.mode = 0444;
  op.target = keep(target);
  host_parts_.push_back(op);
}

core::Result<RootfsTemplate> RootfsTemplate::build() {
  RootfsTemplate t;
  struct stat st {};
  if (stat("/usr", &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::fail(core::ErrorCode::unavailable, "the host has no /usr directory");
  }
  t.plan_toolchains();
  t.plan_etc();
  t.plan_dev();
  t.add_mkdir("box");
  t.add_mkdir("tmp");
  t.add_mkdir("proc", 0555);
  t.plan_proc_masks();
  return t;
}

void RootfsTemplate::plan_toolchains() {
  // /usr, and /bin, /lib* as on the host (links on a merged-/usr system).
  add_bind_read_only("/usr", "usr", true);
  struct stat st {};
  for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string host = std::string("/") + name;
    if (lstat(host.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      add_symlink(read_link(host), name);
    } else if (S_ISDIR(st.st_mode)) {
      add_bind_read_only(host, name, true);
    }
  }
}

namespace {

// Runtime configuration that /usr links into or that a toolchain reads from /etc:
// /usr/lib/jvm/*/conf -> /etc/java-*, Python's sitecustomize -> /etc/python3.*,
// /usr/lib/R/etc -> /etc/R, Mono's /etc/mono (machine.config), Free Pascal's /etc/fpc*.cfg.
bool is_toolchain_config(std::string_view name) {
  return name.starts_with("java-") || name.starts_with("python3") || name == "R" ||
         name == "mono" || (name.starts_with("fpc") && name.ends_with(".cfg"));
}

}  // namespace

void RootfsTemplate::plan_etc() {
  // A minimal /etc: our own passwd/group/hosts, and only the host files the loader and the
  // toolchains read (never shadow, never the rest of the host's configuration).
  add_mkdir("etc");
  add_file(kPasswd, "etc/passwd");
  add_file(kGroup, "etc/group");
  add_file(kHosts, "etc/hosts");
  add_file(kNsswitch, "etc/nsswitch.conf");
  struct stat st {};
  for (const char* name : {"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives"}) {
    std::string host = std::string("/etc/") + name;
    if (lstat(host.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) continue;
    add_bind_read_only(host, std::string("etc/") + name, S_ISDIR(st.st_mode));
  }
  if (lstat("/etc/localtime", &st) == 0 && S_ISLNK(st.st_mode)) {
    add_symlink(read_link("/etc/localtime"), "etc/localtime");
  }
  std::vector<std::string> names;
  if (DIR* dir = opendir("/etc")) {
    while (dirent* entry = readdir(dir)) {
      if (is_toolchain_config(entry->d_name)) names.emplace_back(entry->d_name);
    }
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string host = "/etc/" + name;
    if (lstat(host.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      add_symlink(read_link(host), "etc/" + name);  // e.g. fpc.cfg -> /etc/alternatives/fpc.cfg
    } else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
      add_bind_read_only(host, "etc/" + name, S_ISDIR(st.st_mode));
    }
  }
}

void RootfsTemplate::plan_dev() {
  // The mount point of the run's own /dev (RunMounts), and the host's harmless nodes it copies.
  add_mkdir("dev");
  struct stat st {};
  for (const char* name : {"null", "zero", "full", "random", "urandom"}) {
    std::string host = std::string("/dev/") + name;
    if (stat(host.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) continue;
    devices_.emplace_back(keep(name), st.st_rdev);
  }
}

void RootfsTemplate::plan_proc_masks() {
  // As runc/Docker's maskedPaths and readonlyPaths, plus what names the host's kernel and
  // boot (cmdline, config.gz, kallsyms, modules) or its physical memory layout.
  constexpr const char* kMaskedFiles[] = {
      "bootconfig",    "cmdline",    "config.gz",     "interrupts", "iomem",       "ioports",
      "kallsyms",      "kcore",      "key-users",     "keys",       "kmsg",        "kpagecgroup",
      "kpagecount",    "kpageflags", "latency_stats", "modules",    "sched_debug", "slabinfo",
      "sysrq-trigger", "timer_list", "timer_stats",   "vmallocinfo"};
  constexpr const char* kMaskedDirs[] = {"acpi",          "asound",   "driver",
                                         "dynamic_debug", "firmware", "scsi"};
  constexpr const char* kReadOnlyDirs[] = {"bus", "fs", "irq", "sys"};
  // The run's procfs is of the same kernel: what the host's lacks, the run's lacks too.
  struct stat st {};
  auto present = [&](const char* name, bool dir) {
    std::string host = std::string("/proc/") + name;
    return lstat(host.c_str(), &st) == 0 && S_ISDIR(st.st_mode) == dir;
  };
  for (const char* name : kMaskedFiles) {
    if (present(name, false)) masked_files_.push_back(keep(std::string("proc/") + name));
  }
  for (const char* name : kMaskedDirs) {
    if (present(name, true)) masked_dirs_.push_back(keep(std::string("proc/") + name));
  }
  for (const char* name : kReadOnlyDirs) {
    if (present(name, true)) read_only_dirs_.push_back(keep(std::string("proc/") + name));
  }
}

namespace {

core::Unexpected fill_failure(const char* mount, const char* what, const char* name) {
  return core::fail(core::ErrorCode::unavailable,
                    errno_message(fmt::format("{} of the run: {} {}", mount, what, name), errno));
}

bool fills_the_root(const MountOp& op) {
  return op.kind == Kind::mkdir || op.kind == Kind::touch || op.kind == Kind::symlink ||
         op.kind == Kind::write_file;
}

/// Does one of the root-filling operations in the (fresh, ours) tmpfs `root`. 0 or errno.
int fill(int root, const MountOp& op) {
  int rc = 0;
  switch (op.kind) {
    case Kind::mkdir:
      rc = mkdirat(root, op.target, op.mode);
      break;
    case Kind::symlink:
      rc = symlinkat(op.source, root, op.target);
      break;
    case Kind::touch:
    case Kind::write_file: {
      Fd file(openat(root, op.target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     op.kind == Kind::touch ? 0444 : op.mode));
      if (!file) return errno;
      for (std::size_t done = 0; done < op.size;) {
        ssize_t n = write(file.get(), op.data + done, op.size - done);
        if (n <= 0) return n < 0 ? errno : EIO;
        done += static_cast<std::size_t>(n);
      }
      break;
    }
    default:
      return EINVAL;
  }
  return rc == 0 ? 0 : errno;
}

}  // namespace

core::Result<RunMounts> RootfsTemplate::make_run_mounts(const std::string& tmp_options) const {
  RunMounts mounts;
  auto root = detached_tmpfs("tmpfs", "size=1m,nr_inodes=4096,mode=0755",
                             MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (!root) return core::Unexpected(root.error());
  mounts.root = std::move(*root);
  for (const MountOp& op : host_parts_) {
    if (!fills_the_root(op)) continue;
    if (int err = fill(mounts.root.get(), op); err != 0) {
      errno = err;
      return fill_failure("the root", "create", op.target);
    }
  }
  auto dev = detached_tmpfs("tmpfs", "size=64k,nr_inodes=64,mode=0755",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
  if (!dev) return core::Unexpected(dev.error());
  mounts.dev = std::move(*dev);
  const int dir = mounts.dev.get();
  for (const auto& [name, device] : devices_) {
    // fchmodat: the server's umask must not take the nodes' write bits.
    if (mknodat(dir, name, S_IFCHR | 0666, device) != 0) return fill_failure("/dev", "mknod", name);
    if (fchmodat(dir, name, 0666, 0) != 0) return fill_failure("/dev", "chmod", name);
  }
  for (const auto& [target, link] :
       {std::pair{"fd", "/proc/self/fd"}, std::pair{"stdin", "/proc/self/fd/0"},
        std::pair{"stdout", "/proc/self/fd/1"}, std::pair{"stderr", "/proc/self/fd/2"}}) {
    if (symlinkat(link, dir, target) != 0) return fill_failure("/dev", "symlink", target);
  }
  if (mkdirat(dir, "shm", 0755) != 0) return fill_failure("/dev", "mkdir", "shm");
  for (Fd* fd : {&mounts.shm, &mounts.tmp}) {
    auto tmp = detached_tmpfs("tmpfs", tmp_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    if (!tmp) return core::Unexpected(tmp.error());
    *fd = std::move(*tmp);
  }
  auto empty =
      detached_tmpfs("tmpfs", "size=4k,nr_inodes=1,mode=0555",
                     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (!empty) return core::Unexpected(empty.error());
  mounts.empty = std::move(*empty);
  return mounts;
}

std::vector<MountOp> RootfsTemplate::operations(const std::string& box_source,
                                                unsigned long box_flags,
                                                const RunMounts& mounts) const {
  std::vector<MountOp> ops;
  std::copy_if(host_parts_.begin(), host_parts_.end(), std::back_inserter(ops),
               [](const MountOp& op) { return !fills_the_root(op); });
  auto attach = [&](const char* target, const Fd& fd) {
    MountOp op;
    op.kind = Kind::attach;
    op.target = target;
    op.fd = fd.get();
    ops.push_back(op);
  };
  auto bind = [&](const char* source, const char* target, unsigned long flags) {
    MountOp op;
    op.kind = Kind::bind;
    op.source = source;
    op.target = target;
    op.remount = flags != 0;
    op.flags = flags;
    ops.push_back(op);
  };
  attach("dev", mounts.dev);
  attach("dev/shm", mounts.shm);
  bind(box_source.c_str(), "box", box_flags | MS_NOSUID | MS_NODEV);
  attach("tmp", mounts.tmp);
  MountOp dev_read_only;
  dev_read_only.kind = Kind::remount;
  dev_read_only.target = "dev";
  dev_read_only.flags = MS_RDONLY | MS_NOSUID | MS_NOEXEC;
  ops.push_back(dev_read_only);
  MountOp proc;
  proc.kind = Kind::proc;
  proc.target = "proc";
  proc.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  ops.push_back(proc);
  for (const char* file : masked_files_) bind("dev/null", file, 0);
  // One empty tmpfs: attached over the first masked directory, bound over the others.
  for (std::size_t i = 0; i < masked_dirs_.size(); ++i) {
    if (i == 0) {
      attach(masked_dirs_[0], mounts.empty);
    } else {
      bind(masked_dirs_[0], masked_dirs_[i], kReadOnly | MS_NOEXEC);
    }
  }
  for (const char* dir : read_only_dirs_) bind(dir, dir, kReadOnly | MS_NOEXEC);
  return ops;
}

}  // namespace ide::sandbox::detail
