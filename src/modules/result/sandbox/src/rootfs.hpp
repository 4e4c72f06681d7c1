// The minimal root file system of a run, planned once in the parent and built by each run's pid 1.
#pragma once

#include <sys/types.h>

#include <array>
#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "child.hpp"
#include "core/error.hpp"
#include "sys_util.hpp"

namespace ide::sandbox::detail {

/// The tmpfs mounts of one run, made by the server (host root, in the host's user namespace) as
/// detached mounts that the run's pid 1 attaches. A tmpfs mounted inside the run's user
/// namespace would show the slot's host uid in its options, and device nodes bound from the
/// host's devtmpfs would show its options (the host's RAM): /dev holds the server's own nodes.
struct RunMounts {
  Fd root;   // the root: mount points, /etc's own files, the host's links (read-only later)
  Fd dev;    // null, zero, full, random, urandom, the fd links and an empty shm/
  Fd shm;    // /dev/shm
  Fd tmp;    // /tmp
  Fd empty;  // empty and read-only: laid over the masked /proc directories
  std::array<int, ChildPlan::kMaxMountFds> fds() const {
    return {dev.get(), shm.get(), tmp.get(), empty.get()};
  }
};

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

  /// The detached mounts of one run, filled; `tmp_options` are the tmpfs options of /tmp and
  /// /dev/shm.
  /// Errors: unavailable.
  core::Result<RunMounts> make_run_mounts(const std::string& tmp_options) const;

  /// The mounts pid 1 does for one run in its root (`mounts.root`, attached). `box_source` is a
  /// path naming the work dir (e.g. /proc/self/fd/N), `box_flags` its mount flags to keep.
  /// `box_source` and `mounts` must outlive the returned operations.
  std::vector<MountOp> operations(const std::string& box_source, unsigned long box_flags,
                                  const RunMounts& mounts) const;

  /// The MS_* flags a bind remount of `path` must keep (locked in a user namespace).
  static unsigned long kept_mount_flags(const std::string& path);

 private:
  RootfsTemplate() = default;
  const char* keep(std::string text);
  void add_mkdir(const std::string& target, unsigned mode = 0755);
  void add_bind_read_only(const std::string& host, const std::string& target, bool is_dir);
  void add_symlink(const std::string& link_target, const std::string& target);
  void add_file(std::string_view content, const std::string& target);  // content is static
  void plan_toolchains();
  void plan_etc();
  void plan_dev();
  void plan_proc_masks();
  std::list<std::string> strings_;  // stable addresses for the operations' pointers
  // The root's content (mount points, /etc's files, links) and the binds of /usr, /lib*, /etc.
  std::vector<MountOp> host_parts_;
  std::vector<std::pair<const char*, dev_t>> devices_;  // the nodes of /dev, as on the host
  // What of the run's /proc is masked, as container runtimes do (those this kernel has).
  std::vector<const char*> masked_files_;    // /dev/null bound over them
  std::vector<const char*> masked_dirs_;     // the empty read-only tmpfs over them
  std::vector<const char*> read_only_dirs_;  // bound read-only over themselves
};

}  // namespace ide::sandbox::detail
