#include "sandbox/sandbox.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <system_error>

#include <fmt/core.h>

#include "cgroup.hpp"
#include "core/log.hpp"
#include "probe.hpp"
#include "rootfs.hpp"
#include "runner.hpp"
#include "seccomp_filter.hpp"
#include "sys_util.hpp"

namespace ide::sandbox {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using detail::errno_message;

constexpr const char* kLockDir = "/run/ide-sandbox";

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // Linux 6.3: ask for an executable memfd explicitly
#endif

// The ide-sandbox-init executable, embedded at build time (init_blob.S).
extern "C" const unsigned char ide_sandbox_init_blob[];
extern "C" const unsigned char ide_sandbox_init_blob_end[];

// The init executable as a sealed memfd: nothing on disk to tamper with or to clean up.
core::Result<int> load_init_executable() {
  int fd = memfd_create("ide-sandbox-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL)
    fd = memfd_create("ide-sandbox-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return core::fail(ErrorCode::unavailable, errno_message("memfd for init", errno));
  const auto* data = ide_sandbox_init_blob;
  std::size_t size = static_cast<std::size_t>(ide_sandbox_init_blob_end - ide_sandbox_init_blob);
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(fd);
      return core::fail(ErrorCode::unavailable, errno_message("write init", err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
    int err = errno;
    close(fd);
    return core::fail(ErrorCode::unavailable, errno_message("seal init", err));
  }
  return fd;
}

bool uid_is_taken(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  char buffer[4096];
  return getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr;
}

/// Host uids held by this sandbox, one per slot, each reserved by an flock on its lock file so
/// that two servers (or test processes) never share a uid.
class UidLease {
 public:
  UidLease() = default;
  UidLease(const UidLease&) = delete;
  UidLease& operator=(const UidLease&) = delete;
  ~UidLease() {
    for (int fd : locks_) close(fd);
  }

  core::Result<void> acquire(unsigned count) {
    if (mkdir(kLockDir, 0700) != 0 && errno != EEXIST) {
      return core::fail(ErrorCode::unavailable, errno_message(kLockDir, errno));
    }
    for (unsigned uid = detail::kUidPoolFirst;
         uid < detail::kUidPoolFirst + detail::kUidPoolSize && uids_.size() < count; ++uid) {
      if (uid_is_taken(uid)) continue;
      std::string path = fmt::format("{}/uid-{}.lock", kLockDir, uid);
      int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0) return core::fail(ErrorCode::unavailable, errno_message(path, errno));
      if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        continue;
      }
      locks_.push_back(fd);
      uids_.push_back(uid);
    }
    if (uids_.size() < count) {
      return core::fail(
          ErrorCode::unavailable,
          fmt::format("only {} of {} sandbox uids are free in {}-{}", uids_.size(), count,
                      detail::kUidPoolFirst, detail::kUidPoolFirst + detail::kUidPoolSize - 1));
    }
    return {};
  }

  const std::vector<uid_t>& uids() const { return uids_; }

  /// True when no live sandbox holds `uid` (its lock can be taken).
  static bool held_elsewhere(uid_t uid) {
    std::string path = fmt::format("{}/uid-{}.lock", kLockDir, uid);
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    bool held = flock(fd, LOCK_EX | LOCK_NB) != 0;
    close(fd);
    return held;
  }

 private:
  std::vector<int> locks_;
  std::vector<uid_t> uids_;
};

std::string describe_uids(const std::vector<uid_t>& uids) {
  if (uids.empty()) return {};
  std::string text;
  std::size_t i = 0;
  while (i < uids.size()) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!text.empty()) text += ",";
    text += j == i ? fmt::format("{}", uids[i]) : fmt::format("{}-{}", uids[i], uids[j]);
    i = j + 1;
  }
  return text;
}

/// What the sandbox and its boxes share; boxes keep it alive.
struct State {
  SandboxOptions options;
  IsolationReport report;
  bool root = false;
  int last_cap = 40;
  UidLease uids;
  std::optional<detail::SeccompProgram> seccomp;
  std::optional<detail::RootfsTemplate> rootfs;
  std::optional<detail::CgroupParent> cgroups;
  int init_fd = -1;  // the embedded ide-sandbox-init, as a sealed memfd
  ~State() {
    if (init_fd >= 0) close(init_fd);
  }
  std::mutex mutex;
  std::vector<bool> slot_open;
};

void detach_and_remove(const fs::path& dir, bool mounted) {
  if (mounted) {
    // Lazily: even a busy mount leaves the host's mount table.
    umount2(dir.c_str(), MNT_DETACH);
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

// Work dirs (and their tmpfs mounts) left by a server that died: box-<uid> whose uid nobody
// holds any more.
void remove_stale_boxes(const fs::path& boxes_dir, const UidLease& ours) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(boxes_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("box-", 0) != 0) continue;
    char* end = nullptr;
    unsigned long uid = std::strtoul(name.c_str() + 4, &end, 10);
    if (end == nullptr || *end != '\0') continue;
    bool mine = std::find(ours.uids().begin(), ours.uids().end(), uid) != ours.uids().end();
    if (!mine && UidLease::held_elsewhere(static_cast<uid_t>(uid))) continue;
    // A stacked mount may hide another: detach until none is left.
    for (int i = 0; i < 8 && umount2(entry.path().c_str(), MNT_DETACH) == 0; ++i) {
    }
    detach_and_remove(entry.path(), false);
  }
}

// Box tmpfs mounts of a server killed with -9 stay in the host's mount table, wherever its
// boxes dir was. They are recognisable (tmpfs at .../box-<uid> with uid=<uid>, a pool uid) and
// detached at start once no live sandbox holds that uid.
void detach_orphan_box_mounts(const UidLease& ours) {
  auto text = detail::read_text("/proc/self/mountinfo");
  if (!text) return;
  std::size_t pos = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    std::size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::vector<std::string> before;
    for (std::size_t i = 0, j; i < dash; i = j + 1) {
      j = line.find(' ', i);
      if (j == std::string::npos || j > dash) j = dash;
      before.push_back(line.substr(i, j - i));
    }
    std::string after = line.substr(dash + 3);
    if (before.size() < 5 || after.rfind("tmpfs ", 0) != 0) continue;
    const std::string& point = before[4];
    std::size_t slash = point.rfind('/');
    if (point.find('\\') != std::string::npos || slash == std::string::npos ||
        point.compare(slash + 1, 4, "box-") != 0) {
      continue;
    }
    char* tail = nullptr;
    unsigned long uid = std::strtoul(point.c_str() + slash + 5, &tail, 10);
    if (tail == nullptr || *tail != '\0' || uid < detail::kUidPoolFirst ||
        uid >= detail::kUidPoolFirst + detail::kUidPoolSize) {
      continue;
    }
    std::string owner = fmt::format("uid={},", uid);
    if ((after + ",").find(owner) == std::string::npos) continue;
    bool mine = std::find(ours.uids().begin(), ours.uids().end(), uid) != ours.uids().end();
    if (!mine && UidLease::held_elsewhere(static_cast<uid_t>(uid))) continue;
    if (umount2(point.c_str(), MNT_DETACH) == 0) rmdir(point.c_str());
  }
}

class BoxImpl final : public Box {
 public:
  BoxImpl(std::shared_ptr<State> state, unsigned slot, fs::path dir, int dir_fd,
          unsigned long dir_flags)
      : state_(std::move(state)),
        slot_(slot),
        dir_(std::move(dir)),
        dir_fd_(dir_fd),
        dir_flags_(dir_flags),
        stack_(256 * 1024) {}

  ~BoxImpl() override {
    uid_t uid = host_uid();
    // Isolated runs leave nothing (each pid namespace dies with its pid 1); insecure runs may
    // have left processes that escaped their process group.
    if (state_->options.insecure && state_->root && uid != 0) detail::kill_all_of_uid(uid, uid);
    close(dir_fd_);
    detach_and_remove(dir_, !state_->options.insecure);
    std::lock_guard lock(state_->mutex);
    state_->slot_open[slot_] = false;
  }

  core::Result<void> write_file(std::string_view name, std::string_view content) override {
    if (name.empty() || name == "." || name == ".." || name.size() > 255 ||
        name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
      return core::fail(ErrorCode::invalid_argument,
                        fmt::format("not a plain file name: '{}'", name));
    }
    std::string file(name);
    // What a previous stage left under this name (a symlink, a FIFO) is replaced, never
    // followed or opened.
    if (unlinkat(dir_fd_, file.c_str(), 0) != 0 && errno != ENOENT) {
      return core::fail(ErrorCode::invalid_argument, errno_message("replace " + file, errno));
    }
    int fd =
        openat(dir_fd_, file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return core::fail(ErrorCode::internal, errno_message("create " + file, errno));
    if (state_->root) fchown(fd, host_uid(), host_uid());
    std::size_t done = 0;
    int err = 0;
    while (done < content.size()) {
      ssize_t n = write(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = n < 0 ? errno : EIO;
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    close(fd);
    if (err == ENOSPC || err == EFBIG || err == EDQUOT) {
      return core::fail(ErrorCode::payload_too_large,
                        fmt::format("'{}' does not fit in the box's work dir", file));
    }
    if (err != 0) return core::fail(ErrorCode::internal, errno_message("write " + file, err));
    return {};
  }

  StageOutcome run(const StageSpec& spec) override {
    detail::RunContext context;
    context.secure = !state_->options.insecure;
    context.host_uid = host_uid();
    context.host_gid = host_uid();
    context.change_identity = state_->root;
    context.work_dir_fd = dir_fd_;
    context.work_dir_path = dir_.string();
    context.child_stack_top = stack_ ? stack_.top() : nullptr;
    context.control = &control_;
    context.work_dir_flags = dir_flags_;
    context.tmp_bytes = state_->options.tmp_bytes;
    context.last_cap = state_->last_cap;
    if (context.secure) {
      context.seccomp = &*state_->seccomp;
      context.cgroups = &*state_->cgroups;
      context.rootfs = &*state_->rootfs;
      context.cgroup_name = fmt::format("run-{}", host_uid());
      context.init_fd = state_->init_fd;
    }
    try {
      return detail::run_stage(context, spec);
    } catch (const std::exception& e) {
      StageOutcome outcome;
      outcome.error = std::string("sandbox: ") + e.what();
      return outcome;
    }
  }

  void cancel() override { control_.cancel(); }

  std::uint32_t host_uid() const override {
    if (!state_->root) return static_cast<std::uint32_t>(geteuid());
    return state_->uids.uids()[slot_];
  }

 private:
  std::shared_ptr<State> state_;
  unsigned slot_;
  fs::path dir_;
  int dir_fd_;
  unsigned long dir_flags_;
  detail::ChildStack stack_;
  detail::RunControl control_;
};

class SandboxImpl final : public Sandbox {
 public:
  explicit SandboxImpl(std::shared_ptr<State> state) : state_(std::move(state)) {}

  core::Result<std::unique_ptr<Box>> open_box(unsigned slot) override {
    State& s = *state_;
    if (slot >= s.options.slots) {
      return core::fail(ErrorCode::invalid_argument,
                        fmt::format("slot {} out of range (slots: {})", slot, s.options.slots));
    }
    {
      std::lock_guard lock(s.mutex);
      if (s.slot_open[slot]) {
        return core::fail(ErrorCode::unavailable, fmt::format("slot {} already has a box", slot));
      }
      s.slot_open[slot] = true;
    }
    auto box = create_box(slot);
    if (!box) {
      std::lock_guard lock(s.mutex);
      s.slot_open[slot] = false;
    }
    return box;
  }

  const IsolationReport& isolation() const override { return state_->report; }

 private:
  core::Result<std::unique_ptr<Box>> create_box(unsigned slot) {
    State& s = *state_;
    const bool secure = !s.options.insecure;
    uid_t uid = s.root ? s.uids.uids()[slot] : geteuid();
    fs::path dir = s.options.boxes_dir / fmt::format("box-{}", uid);
    // A leftover of a crashed server that held this uid.
    detach_and_remove(dir, secure);
    if (mkdir(dir.c_str(), 0700) != 0) {
      return core::fail(ErrorCode::unavailable, errno_message("mkdir " + dir.string(), errno));
    }
    if (secure) {
      // A tmpfs of its own: the size cap holds for every stage, and nothing in it can be a
      // hard link to a host file.
      std::string options =
          fmt::format("size={},nr_inodes=65536,mode=0700,uid={},gid={}",
                      std::max<std::int64_t>(s.options.work_dir_bytes, 4096), uid, uid);
      if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
        int err = errno;
        detach_and_remove(dir, false);
        return core::fail(ErrorCode::unavailable, errno_message("mount work dir", err));
      }
    } else if (s.root) {
      if (chown(dir.c_str(), uid, uid) != 0) {
        int err = errno;
        detach_and_remove(dir, false);
        return core::fail(ErrorCode::unavailable, errno_message("chown work dir", err));
      }
    }
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      detach_and_remove(dir, secure);
      return core::fail(ErrorCode::unavailable, errno_message("open work dir", err));
    }
    if (fd <= 2) {
      int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
      close(fd);
      fd = moved;
    }
    unsigned long flags = detail::RootfsTemplate::kept_mount_flags(dir.string());
    return std::unique_ptr<Box>(std::make_unique<BoxImpl>(state_, slot, dir, fd, flags));
  }

  std::shared_ptr<State> state_;
};

// Proves that a real run works end to end before anyone relies on it.
core::Result<void> self_test(Sandbox& sandbox) {
  auto box = sandbox.open_box(0);
  if (!box) return core::fail(ErrorCode::unavailable, box.error().message);
  StageSpec spec;
  spec.argv = {"/bin/true"};
  spec.limits.cpu_ms = 2000;
  spec.limits.wall_ms = 5000;
  StageOutcome outcome = (*box)->run(spec);
  if (outcome.termination == Termination::exited && outcome.exit_code == 0) return {};
  std::string why = outcome.error.empty() ? "/bin/true did not exit 0" : outcome.error;
  return core::fail(ErrorCode::unavailable, "isolation self-test failed: " + why);
}

}  // namespace

core::Result<std::unique_ptr<Sandbox>> make_sandbox(const SandboxOptions& options) {
  try {
    if (options.slots == 0) return core::fail(ErrorCode::invalid_argument, "slots must be >= 1");
    if (options.boxes_dir.empty()) {
      return core::fail(ErrorCode::invalid_argument, "boxes_dir must be set");
    }
    auto state = std::make_shared<State>();
    state->options = options;
    state->root = geteuid() == 0;
    state->slot_open.assign(options.slots, false);
    auto probe = detail::probe_host();
    state->report = probe.report;
    state->last_cap = probe.last_cap;
    if (!options.insecure && !probe.report.usable) {
      return core::fail(ErrorCode::unavailable, "no usable isolation: " + probe.report.reason);
    }
    std::error_code ec;
    fs::create_directories(options.boxes_dir, ec);
    if (ec) {
      return core::fail(ErrorCode::unavailable,
                        fmt::format("boxes dir {}: {}", options.boxes_dir.string(), ec.message()));
    }
    if (state->root) {
      if (auto acquired = state->uids.acquire(options.slots); !acquired)
        return core::Unexpected(acquired.error());
      state->report.uid_range = describe_uids(state->uids.uids());
      detach_orphan_box_mounts(state->uids);
      remove_stale_boxes(options.boxes_dir, state->uids);
    }
    if (!options.insecure) {
      auto seccomp = detail::SeccompProgram::build();
      if (!seccomp) return core::Unexpected(seccomp.error());
      state->seccomp.emplace(std::move(*seccomp));
      auto rootfs = detail::RootfsTemplate::build();
      if (!rootfs) return core::Unexpected(rootfs.error());
      state->rootfs.emplace(std::move(*rootfs));
      auto init = load_init_executable();
      if (!init) return core::Unexpected(init.error());
      state->init_fd = *init;
      auto cgroups = detail::CgroupParent::create(probe.cgroups);
      if (!cgroups) return core::Unexpected(cgroups.error());
      state->cgroups.emplace(std::move(*cgroups));
    }
    auto sandbox = std::make_unique<SandboxImpl>(state);
    if (!options.insecure) {
      if (auto tested = self_test(*sandbox); !tested) {
        state->report.usable = false;
        state->report.reason = tested.error().message;
        return core::Unexpected(tested.error());
      }
    }
    return std::unique_ptr<Sandbox>(std::move(sandbox));
  } catch (const std::exception& e) {
    return core::fail(ErrorCode::internal, std::string("make_sandbox: ") + e.what());
  }
}

}  // namespace ide::sandbox
