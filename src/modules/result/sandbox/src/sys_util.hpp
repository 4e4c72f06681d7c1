// Small system helpers shared by the sandbox's parent-side code (never used in a child).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"

namespace ide::sandbox::detail {

/// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  /// Closes the descriptor held, if any, and holds `fd` instead.
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// A detached tmpfs (the new mount API), named `source` in mountinfo, with `options`
/// ("key=value,...") and MOUNT_ATTR_* `attributes`, held above descriptors 0-2. Errors:
/// unavailable.
core::Result<Fd> detached_tmpfs(std::string_view source, std::string_view options,
                                unsigned attributes);

/// Writes `text` to an existing file (a cgroup or /proc control file). Returns 0 or errno.
int write_text(const std::string& path, std::string_view text);
/// The whole content of a (small) file, or nullopt.
std::optional<std::string> read_text(const std::string& path);
/// "what: strerror(err)".
std::string errno_message(std::string_view what, int err);
/// The integer after `key` and a space in a "key value" per line file, or nullopt.
std::optional<std::int64_t> find_keyed_value(std::string_view text, std::string_view key);
bool path_exists(const std::string& path);

}  // namespace ide::sandbox::detail
