// The boxes dir and the work dirs in it, handled through directory descriptors only: a path is
// resolved once, component by component without following a symlink, and every later step is
// relative to a verified descriptor, so that nobody can redirect a mount, an unmount or a removal
// by swapping a directory for a symlink (docs/SANDBOX.md, "Where boxes live").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "sys_util.hpp"

namespace ide::sandbox::detail {

/// "/proc/self/fd/<fd>": names exactly what `fd` refers to, whatever happened to its path since.
std::string fd_path(int fd);

/// Opens (O_RDONLY | O_DIRECTORY) a directory that only this process's euid can list or change,
/// creating missing components with `mode` (0700, or 0711 where other uids must pass through it).
/// Refused (unavailable, naming the path and what is wrong) unless `path` is absolute and normal,
/// no component is a symlink, every ancestor is owned by root or the euid and is not writable by
/// group or others unless sticky (like /tmp), and `path` itself is a real directory owned by the
/// euid that group and others can neither read nor write. Its search bits are then set to `mode`.
core::Result<Fd> open_private_dir(const std::filesystem::path& path, mode_t mode = 0700);

/// Opens an existing directory as O_PATH, with the ancestor checks of open_private_dir applied to
/// every component (`path` included), creating nothing.
core::Result<Fd> open_trusted_dir(const std::filesystem::path& path);

/// Mounts a fresh tmpfs (source "ide-box", nosuid, nodev, mode 0700, capped at `bytes`) onto the
/// directory `mount_point_fd` refers to, and returns its root, opened O_RDONLY | O_DIRECTORY.
core::Result<Fd> mount_box_tmpfs(int mount_point_fd, std::int64_t bytes);

/// The names in the directory `dir_fd` ("." and ".." left out), read through a descriptor of
/// its own.
std::vector<std::string> list_entries(int dir_fd);

/// Lazily detaches the mount whose root `root_fd` refers to, wherever it is now.
bool detach_mount_of(int root_fd);

/// Detaches every mount stacked on the entry `name` of `dir_fd`, never following a symlink there.
void detach_mounts_at(int dir_fd, const std::string& name);

/// Removes the entry `name` of `dir_fd` and, if it is a directory, everything under it, never
/// following a symlink nor crossing into a mount. True when it is gone (or never was there).
bool remove_tree_at(int dir_fd, const std::string& name);

}  // namespace ide::sandbox::detail
