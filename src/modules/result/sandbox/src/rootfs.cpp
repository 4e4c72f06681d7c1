#include "rootfs.hpp"

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sys_util.hpp"

namespace ide::sandbox::detail {
namespace {

using Kind = MountOp::Kind;

constexpr unsigned long kReadOnly = MS_RDONLY | MS_NOSUID | MS_NODEV;

// Runs see uid 1000 ("runner", home /box); root and nobody exist so tools can name them.
constexpr const char kPasswd[] =
    "root:x:0:0:root:/root:/usr/sbin/nologin\n"
    "runner:x:1000:1000:runner:/box:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
constexpr const char kGroup[] = "root:x:0:\nrunner:x:1000:\nnogroup:x:65534:\n";
constexpr const char kHosts[] = "127.0.0.1 localhost box\n::1 localhost\n";
constexpr const char kNsswitch[] = "passwd: files\ngroup: files\nhosts: files\n";

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

core::Result<RootfsTemplate> RootfsTemplate::build() {
  RootfsTemplate t;
  auto& ops = t.before_box_;
  auto mkdir_op = [&](const std::string& target, unsigned mode = 0755) {
    MountOp op;
    op.kind = Kind::mkdir;
    op.target = t.keep(target);
    op.mode = mode;
    ops.push_back(op);
  };
  auto bind_ro = [&](const std::string& host, const std::string& target, bool is_dir,
                     bool optional) {
    if (is_dir) {
      mkdir_op(target);
    } else {
      MountOp touch;
      touch.kind = Kind::touch;
      touch.target = t.keep(target);
      ops.push_back(touch);
    }
    MountOp op;
    op.kind = Kind::bind;
    op.source = t.keep(host);
    op.target = t.keep(target);
    op.remount = true;
    op.flags = kept_mount_flags(host) | kReadOnly;
    op.optional = optional;
    ops.push_back(op);
  };
  auto symlink_op = [&](const std::string& link_target, const std::string& target) {
    MountOp op;
    op.kind = Kind::symlink;
    op.source = t.keep(link_target);
    op.target = t.keep(target);
    ops.push_back(op);
  };
  auto write_op = [&](const char* content, std::size_t size, const std::string& target) {
    MountOp op;
    op.kind = Kind::write_file;
    op.data = content;
    op.size = size;
    op.mode = 0444;
    op.target = t.keep(target);
    ops.push_back(op);
  };

  // The toolchains: /usr, and /bin, /lib* as on the host (links on a merged-/usr system).
  struct stat st {};
  if (stat("/usr", &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::fail(core::ErrorCode::unavailable, "the host has no /usr directory");
  }
  bind_ro("/usr", "usr", true, false);
  for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string host = std::string("/") + name;
    if (lstat(host.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      symlink_op(read_link(host), name);
    } else if (S_ISDIR(st.st_mode)) {
      bind_ro(host, name, true, false);
    }
  }

  // A minimal /etc: our own passwd/group/hosts, and only the host files the loader and the
  // toolchains read (never shadow, never the rest of the host's configuration).
  mkdir_op("etc");
  write_op(kPasswd, sizeof kPasswd - 1, "etc/passwd");
  write_op(kGroup, sizeof kGroup - 1, "etc/group");
  write_op(kHosts, sizeof kHosts - 1, "etc/hosts");
  write_op(kNsswitch, sizeof kNsswitch - 1, "etc/nsswitch.conf");
  for (const char* name : {"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives"}) {
    std::string host = std::string("/etc/") + name;
    if (lstat(host.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) continue;
    bind_ro(host, std::string("etc/") + name, S_ISDIR(st.st_mode), false);
  }
  if (lstat("/etc/localtime", &st) == 0 && S_ISLNK(st.st_mode)) {
    symlink_op(read_link("/etc/localtime"), "etc/localtime");
  }
  // Runtime configuration that /usr links into (/usr/lib/jvm/*/conf -> /etc/java-*, Python's
  // sitecustomize -> /etc/python3.*).
  if (DIR* dir = opendir("/etc")) {
    std::vector<std::string> names;
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name.rfind("java-", 0) == 0 || name.rfind("python3", 0) == 0) names.push_back(name);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::string host = "/etc/" + name;
      if (lstat(host.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        bind_ro(host, "etc/" + name, true, false);
      }
    }
  }

  // /dev: a tmpfs with the harmless device nodes bound from the host, then made read-only.
  mkdir_op("dev");
  {
    MountOp op;
    op.kind = Kind::tmpfs;
    op.target = t.keep("dev");
    op.data = t.keep("size=64k,nr_inodes=64,mode=0755");
    op.flags = MS_NOSUID | MS_NOEXEC;
    ops.push_back(op);
  }
  for (const char* name : {"null", "zero", "full", "random", "urandom"}) {
    std::string host = std::string("/dev/") + name;
    if (stat(host.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) continue;
    MountOp touch;
    touch.kind = Kind::touch;
    touch.target = t.keep(std::string("dev/") + name);
    ops.push_back(touch);
    MountOp op;
    op.kind = Kind::bind;
    op.source = t.keep(host);
    op.target = t.keep(std::string("dev/") + name);
    ops.push_back(op);
  }
  symlink_op("/proc/self/fd", "dev/fd");
  symlink_op("/proc/self/fd/0", "dev/stdin");
  symlink_op("/proc/self/fd/1", "dev/stdout");
  symlink_op("/proc/self/fd/2", "dev/stderr");
  mkdir_op("dev/shm");

  // The rest comes after the per-run parts (see operations()).
  auto& tail = t.after_box_;
  {
    MountOp op;
    op.kind = Kind::remount;
    op.target = t.keep("dev");
    op.flags = MS_RDONLY | MS_NOSUID | MS_NOEXEC;
    tail.push_back(op);
  }
  MountOp proc_dir;
  proc_dir.kind = Kind::mkdir;
  proc_dir.target = t.keep("proc");
  proc_dir.mode = 0555;
  tail.push_back(proc_dir);
  MountOp proc;
  proc.kind = Kind::proc;
  proc.target = t.keep("proc");
  proc.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  tail.push_back(proc);
  return t;
}

std::vector<MountOp> RootfsTemplate::operations(const std::string& box_source,
                                                unsigned long box_flags,
                                                const std::string& tmp_options) const {
  std::vector<MountOp> ops = before_box_;
  MountOp shm;
  shm.kind = Kind::tmpfs;
  shm.target = "dev/shm";
  shm.data = tmp_options.c_str();
  shm.flags = MS_NOSUID | MS_NODEV;
  ops.push_back(shm);
  MountOp box_dir;
  box_dir.kind = Kind::mkdir;
  box_dir.target = "box";
  ops.push_back(box_dir);
  MountOp box;
  box.kind = Kind::bind;
  box.source = box_source.c_str();
  box.target = "box";
  box.remount = true;
  box.flags = box_flags | MS_NOSUID | MS_NODEV;
  ops.push_back(box);
  MountOp tmp_dir;
  tmp_dir.kind = Kind::mkdir;
  tmp_dir.target = "tmp";
  ops.push_back(tmp_dir);
  MountOp tmp;
  tmp.kind = Kind::tmpfs;
  tmp.target = "tmp";
  tmp.data = tmp_options.c_str();
  tmp.flags = MS_NOSUID | MS_NODEV;
  ops.push_back(tmp);
  for (const auto& op : after_box_) ops.push_back(op);
  return ops;
}

}  // namespace ide::sandbox::detail
