#include "boxes_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <vector>

#include <fmt/core.h>

#include "sys_util.hpp"

namespace ide::sandbox::detail {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

// Directory levels remove_tree_at descends (one descriptor each) before it moves what is deeper
// up to the top, so that no tree exhausts the descriptors.
constexpr int kMaxRemoveDepth = 32;

core::Unexpected unsafe(const fs::path& path, std::string_view what) {
  return core::fail(ErrorCode::unavailable, fmt::format("{}: {}", path.string(), what));
}

// An ancestor may be shared with other users (like /tmp), but none of them may rename or
// replace what is in it: only root or we own it, and it is sticky if others can write to it.
core::Result<void> check_ancestor(const fs::path& path, const struct stat& st) {
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return unsafe(path, fmt::format("owned by uid {}; every directory above it must be owned by "
                                    "root or by uid {}, which runs the server",
                                    st.st_uid, geteuid()));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return unsafe(path, fmt::format("writable by group or others (mode {:04o}) and not sticky, "
                                    "so another user could replace what is in it",
                                    st.st_mode & 07777));
  }
  return {};
}

core::Result<void> check_private(const fs::path& path, const struct stat& st) {
  if (st.st_uid != geteuid()) {
    return unsafe(path, fmt::format("owned by uid {}, not by uid {}, which runs the server",
                                    st.st_uid, geteuid()));
  }
  if ((st.st_mode & 066) != 0) {
    return unsafe(path, fmt::format("mode {:04o} lets group or others read or write it; it must "
                                    "be 0700",
                                    st.st_mode & 07777));
  }
  return {};
}

core::Result<std::vector<std::string>> components(const fs::path& path) {
  if (!path.is_absolute()) return unsafe(path, "not an absolute path");
  std::vector<std::string> names;
  for (const fs::path& part : path.relative_path()) {
    std::string name = part.string();
    if (name.empty() || name == "." || name == "..") {
      return unsafe(path, "not a normal path (no '.', '..' or trailing '/')");
    }
    names.push_back(std::move(name));
  }
  if (names.empty()) return unsafe(path, "not a directory of its own");
  return names;
}

// Opens the entry `name` of `parent` (a directory, never a symlink) and makes sure the
// descriptor is what lstat saw.
core::Result<Fd> open_component(int parent, const std::string& name, const fs::path& path,
                                int mode_flag, struct stat& st) {
  if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return unsafe(path, errno_message("lstat", errno));
  }
  if (S_ISLNK(st.st_mode)) return unsafe(path, "a symlink (refused: give the real path)");
  if (!S_ISDIR(st.st_mode)) return unsafe(path, "not a directory");
  Fd fd(openat(parent, name.c_str(), mode_flag | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return unsafe(path, errno_message("open", errno));
  struct stat opened {};
  if (fstat(fd.get(), &opened) != 0) return unsafe(path, errno_message("fstat", errno));
  if (opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
    return unsafe(path, "replaced while it was being opened");
  }
  return fd;
}

enum class Walk { create_private, open_trusted };

core::Result<Fd> walk(const fs::path& path, Walk how, mode_t mode) {
  auto names = components(path);
  if (!names) return core::Unexpected(names.error());
  Fd dir(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  struct stat st {};
  if (!dir || fstat(dir.get(), &st) != 0) return unsafe("/", errno_message("open", errno));
  if (auto checked = check_ancestor("/", st); !checked) return core::Unexpected(checked.error());
  fs::path walked = "/";
  for (std::size_t i = 0; i < names->size(); ++i) {
    const std::string& name = (*names)[i];
    walked /= name;
    const bool private_dir = how == Walk::create_private && i + 1 == names->size();
    if (how == Walk::create_private && mkdirat(dir.get(), name.c_str(), mode) != 0 &&
        errno != EEXIST) {
      return unsafe(walked, errno_message("mkdir", errno));
    }
    auto next = open_component(dir.get(), name, walked, private_dir ? O_RDONLY : O_PATH, st);
    if (!next) return core::Unexpected(next.error());
    auto checked = private_dir ? check_private(walked, st) : check_ancestor(walked, st);
    if (!checked) return core::Unexpected(checked.error());
    if (private_dir && (st.st_mode & 07777) != mode && fchmod(next->get(), mode) != 0) {
      return unsafe(walked, errno_message("chmod", errno));
    }
    dir = std::move(*next);
  }
  return dir;
}

struct Emptying {
  int top;             // the directory being removed
  dev_t device;        // its file system: a mount inside is not entered
  unsigned moved = 0;  // directories moved up to `top` in this pass
  unsigned long serial = 0;
};

void empty_dir(int dir, int depth, Emptying& state) {
  for (const std::string& name : list_entries(dir)) {
    if (unlinkat(dir, name.c_str(), 0) == 0 || errno != EISDIR) continue;
    if (depth + 1 >= kMaxRemoveDepth) {
      std::string up = fmt::format(".removing-{}", state.serial++);
      if (renameat2(dir, name.c_str(), state.top, up.c_str(), RENAME_NOREPLACE) == 0) ++state.moved;
      continue;
    }
    Fd child(openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!child || fstat(child.get(), &st) != 0 || st.st_dev != state.device) continue;
    empty_dir(child.get(), depth + 1, state);
    unlinkat(dir, name.c_str(), AT_REMOVEDIR);
  }
}

}  // namespace

std::vector<std::string> list_entries(int dir_fd) {
  std::vector<std::string> names;
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* stream = fdopendir(fd);
  if (stream == nullptr) {
    close(fd);
    return names;
  }
  while (const dirent* entry = readdir(stream)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  closedir(stream);
  return names;
}

std::string fd_path(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

core::Result<Fd> open_private_dir(const fs::path& path, mode_t mode) {
  return walk(path, Walk::create_private, mode);
}

core::Result<Fd> open_trusted_dir(const fs::path& path) {
  return walk(path, Walk::open_trusted, 0);
}

core::Result<Fd> mount_box_tmpfs(int mount_point_fd, std::int64_t bytes) {
  auto failed = [](std::string_view what) {
    return core::fail(ErrorCode::unavailable, errno_message(what, errno));
  };
  // Attached to the directory the descriptor holds, never to whatever a path names by then. No
  // uid=/gid= option: a run reads its mount options.
  auto mount = detached_tmpfs(
      "ide-box",
      fmt::format("size={},nr_inodes=65536,mode=0700", std::max<std::int64_t>(bytes, 4096)),
      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (!mount) return core::Unexpected(mount.error());
  if (move_mount(mount->get(), "", mount_point_fd, "",
                 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    return failed("mount work dir");
  }
  Fd root(openat(mount->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    int err = errno;
    detach_mount_of(mount->get());
    return core::fail(ErrorCode::unavailable, errno_message("open work dir", err));
  }
  return root;
}

bool detach_mount_of(int root_fd) {
  // Following /proc/self/fd/N is following the descriptor itself, not a name anyone can swap.
  return umount2(fd_path(root_fd).c_str(), MNT_DETACH) == 0;
}

void detach_mounts_at(int dir_fd, const std::string& name) {
  const std::string path = fd_path(dir_fd) + "/" + name;
  // A stacked mount may hide another: detach until none is left (bounded).
  for (int i = 0; i < 8 && umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0; ++i) {
  }
}

bool remove_tree_at(int dir_fd, const std::string& name) {
  if (unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return true;
  if (errno != EISDIR) return false;
  Fd top(openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  struct stat parent {};
  if (!top) return errno == ENOENT;
  if (fstat(top.get(), &st) != 0 || fstat(dir_fd, &parent) != 0) return false;
  if (st.st_dev == parent.st_dev) {  // not a mount point: its content is ours to remove
    Emptying state{.top = top.get(), .device = st.st_dev};
    do {
      state.moved = 0;
      empty_dir(top.get(), 0, state);
    } while (state.moved > 0);
  }
  return unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT;
}

}  // namespace ide::sandbox::detail
