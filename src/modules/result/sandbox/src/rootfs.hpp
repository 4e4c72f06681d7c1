// The minimal root file system of a run, planned once in the parent and built by each run's pid 1.
#pragma once

#include <list>
#include <string>
#include <vector>

#include "child.hpp"
#include "core/error.hpp"

namespace ide::sandbox::detail {

/// The host parts every run sees (read-only /usr and friends, a minimal /etc, /dev nodes), plus
/// slots for the per-run parts (the work dir at /box, /tmp and /dev/shm with a size cap).
class RootfsTemplate {
 public:
  /// Looks at the host (which of /bin, /lib*, ... are links or directories, mount flags).
  /// Errors: unavailable.
  static core::Result<RootfsTemplate> build();
  // Operations point into strings_: moving keeps the list's nodes, copying would not.
  RootfsTemplate(RootfsTemplate&&) = default;
  RootfsTemplate(const RootfsTemplate&) = delete;
  RootfsTemplate& operator=(const RootfsTemplate&) = delete;

  /// The operations for one run. `box_source` is a path naming the work dir (e.g.
  /// /proc/self/fd/N), `box_flags` its mount flags to keep, `tmp_options` the tmpfs options of
  /// /tmp and /dev/shm. The strings must outlive the returned operations.
  std::vector<MountOp> operations(const std::string& box_source, unsigned long box_flags,
                                  const std::string& tmp_options) const;

  /// The MS_* flags a bind remount of `path` must keep (locked in a user namespace).
  static unsigned long kept_mount_flags(const std::string& path);

 private:
  RootfsTemplate() = default;
  const char* keep(std::string text);
  std::list<std::string> strings_;  // stable addresses for the operations' pointers
  std::vector<MountOp> before_box_;
  std::vector<MountOp> after_box_;
};

}  // namespace ide::sandbox::detail
