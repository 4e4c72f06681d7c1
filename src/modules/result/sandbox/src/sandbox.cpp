#include "sandbox/sandbox.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string_view>

#include <fmt/core.h>

#include "boxes_dir.hpp"
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
/// that two servers (or test processes) never share a uid. The locks live in kLockDir, which
/// only root may enter (open_private_dir checks it).
class UidLease {
 public:
  core::Result<void> acquire(unsigned count) {
    auto dir = detail::open_private_dir(kLockDir);
    if (!dir) return core::fail(ErrorCode::unavailable, "uid locks: " + dir.error().message);
    dir_ = std::move(*dir);
    for (unsigned uid = detail::kUidPoolFirst;
         uid < detail::kUidPoolFirst + detail::kUidPoolSize && uids_.size() < count; ++uid) {
      if (uid_is_taken(uid)) continue;
      std::string name = lock_name(uid);
      detail::Fd lock(
          openat(dir_.get(), name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
      if (!lock) {
        return core::fail(ErrorCode::unavailable,
                          errno_message(fmt::format("{}/{}", kLockDir, name), errno));
      }
      if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) continue;
      locks_.push_back(std::move(lock));
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

  bool ours(unsigned long uid) const {
    return std::find(uids_.begin(), uids_.end(), uid) != uids_.end();
  }

  /// True when another live sandbox holds `uid` (its lock cannot be taken).
  bool held_elsewhere(unsigned long uid) const {
    if (ours(uid)) return false;
    detail::Fd lock(openat(dir_.get(), lock_name(uid).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    return lock && flock(lock.get(), LOCK_EX | LOCK_NB) != 0;
  }

 private:
  static std::string lock_name(unsigned long uid) { return fmt::format("uid-{}.lock", uid); }

  detail::Fd dir_;
  std::vector<detail::Fd> locks_;
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
  detail::Fd boxes_fd;  // options.boxes_dir, checked once: every box step is relative to it
  detail::Fd init_fd;   // the embedded ide-sandbox-init, as a sealed memfd
  std::mutex mutex;
  std::vector<bool> slot_open;
};

// An entry of the boxes dir, whatever it is now: every mount stacked on it detached, then removed
// with everything in it, all relative to the boxes dir's descriptor and never through a symlink.
void remove_box_entry(int boxes_fd, const std::string& name) {
  detail::detach_mounts_at(boxes_fd, name);
  detail::remove_tree_at(boxes_fd, name);
}

// "box-<uid>" -> uid, or nullopt.
std::optional<unsigned long> box_uid(std::string_view name) {
  if (!name.starts_with("box-") || name.size() == 4) return std::nullopt;
  unsigned long uid = 0;
  auto [end, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), uid);
  if (ec != std::errc() || end != name.data() + name.size()) return std::nullopt;
  return uid;
}

bool pool_uid(unsigned long uid) {
  return uid >= detail::kUidPoolFirst && uid < detail::kUidPoolFirst + detail::kUidPoolSize;
}

// Work dirs (and their tmpfs mounts) left by a server that died: box-<uid> whose uid nobody
// holds any more.
void remove_stale_boxes(int boxes_fd, const UidLease& lease) {
  for (const std::string& name : detail::list_entries(boxes_fd)) {
    auto uid = box_uid(name);
    if (uid && !lease.held_elsewhere(*uid)) remove_box_entry(boxes_fd, name);
  }
}

struct MountEntry {
  std::string point;
  std::string fs_type;
  std::string source;
  std::string options;  // the file system's (super block) options
};

// One line of /proc/self/mountinfo: "id parent major:minor root point opts [tags] - type source
// super-opts".
std::optional<MountEntry> parse_mountinfo_line(std::string_view line) {
  auto fields = [](std::string_view text) {
    std::vector<std::string_view> parts;
    for (std::size_t i = 0; i <= text.size();) {
      std::size_t j = std::min(text.find(' ', i), text.size());
      parts.push_back(text.substr(i, j - i));
      i = j + 1;
    }
    return parts;
  };
  std::size_t dash = line.find(" - ");
  if (dash == std::string_view::npos) return std::nullopt;
  auto before = fields(line.substr(0, dash));
  auto after = fields(line.substr(dash + 3));
  if (before.size() < 5 || after.size() < 3) return std::nullopt;
  return MountEntry{std::string(before[4]), std::string(after[0]), std::string(after[1]),
                    std::string(after[2])};
}

// A box tmpfs: at .../box-<pool uid>, made by this sandbox (source "ide-box") or by an older
// version (the uid in its options). Its uid, or nullopt.
std::optional<unsigned long> box_mount_uid(const MountEntry& entry) {
  if (entry.fs_type != "tmpfs" || entry.point.find('\\') != std::string::npos) return std::nullopt;
  auto uid = box_uid(fs::path(entry.point).filename().string());
  if (!uid || !pool_uid(*uid)) return std::nullopt;
  const bool legacy = (entry.options + ",").find(fmt::format("uid={},", *uid)) != std::string::npos;
  if (entry.source != "ide-box" && !legacy) return std::nullopt;
  return uid;
}

// Box tmpfs mounts of a server killed with -9 stay in the host's mount table, wherever its
// boxes dir was. They are detached at start once no live sandbox holds their uid, through a
// descriptor of their parent opened without following symlinks: a path some other user could
// change is not followed.
void detach_orphan_box_mounts(const UidLease& lease) {
  auto text = detail::read_text("/proc/self/mountinfo");
  if (!text) return;
  std::string_view rest = *text;
  while (!rest.empty()) {
    std::size_t end = std::min(rest.find('\n'), rest.size());
    auto entry = parse_mountinfo_line(rest.substr(0, end));
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (!entry) continue;
    auto uid = box_mount_uid(*entry);
    if (!uid || lease.held_elsewhere(*uid)) continue;
    fs::path point(entry->point);
    auto parent = detail::open_trusted_dir(point.parent_path());
    if (!parent) {
      core::log::warn("left the box mount {} alone: {}", entry->point, parent.error().message);
      continue;
    }
    std::string name = point.filename().string();
    detail::detach_mounts_at(parent->get(), name);
    unlinkat(parent->get(), name.c_str(), AT_REMOVEDIR);
  }
}

class BoxImpl final : public Box {
 public:
  BoxImpl(std::shared_ptr<State> state, unsigned slot, std::string name, detail::Fd dir_fd,
          unsigned long dir_flags)
      : state_(std::move(state)),
        slot_(slot),
        name_(std::move(name)),
        dir_(state_->options.boxes_dir / name_),
        dir_fd_(std::move(dir_fd)),
        dir_flags_(dir_flags),
        stack_(256 * 1024) {}

  ~BoxImpl() override {
    uid_t uid = host_uid();
    // Isolated runs leave nothing (each pid namespace dies with its pid 1); insecure runs may
    // have left processes that escaped their process group.
    if (state_->options.insecure && state_->root && uid != 0) detail::kill_all_of_uid(uid, uid);
    // Through the descriptor: the tmpfs goes even if its directory was renamed meanwhile.
    if (!state_->options.insecure) detail::detach_mount_of(dir_fd_.get());
    dir_fd_.reset();
    remove_box_entry(state_->boxes_fd.get(), name_);
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
    if (unlinkat(dir_fd_.get(), file.c_str(), 0) != 0 && errno != ENOENT) {
      return core::fail(ErrorCode::invalid_argument, errno_message("replace " + file, errno));
    }
    int fd = openat(dir_fd_.get(), file.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
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
    context.work_dir_fd = dir_fd_.get();
    context.work_dir_path = dir_.string();
    context.child_stack_top = stack_ ? stack_.top() : nullptr;
    context.control = &control_;
    context.work_dir_flags = dir_flags_;
    context.tmp_bytes = state_->options.tmp_bytes;
    context.cpu_weight = state_->options.run_cpu_weight;
    context.last_cap = state_->last_cap;
    if (context.secure) {
      context.seccomp = &*state_->seccomp;
      context.cgroups = &*state_->cgroups;
      context.rootfs = &*state_->rootfs;
      context.cgroup_name = fmt::format("run-{}", host_uid());
      context.init_fd = state_->init_fd.get();
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
  std::string name_;  // box-<uid>, in the boxes dir
  fs::path dir_;      // for pid 1, which reopens it as root (the boxes dir is root-only)
  detail::Fd dir_fd_;
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
    const uid_t uid = s.root ? s.uids.uids()[slot] : geteuid();
    const std::string name = fmt::format("box-{}", uid);
    const int boxes = s.boxes_fd.get();
    // A leftover of a crashed server that held this uid.
    remove_box_entry(boxes, name);
    if (mkdirat(boxes, name.c_str(), 0700) != 0) {
      return core::fail(ErrorCode::unavailable,
                        errno_message("mkdir " + (s.options.boxes_dir / name).string(), errno));
    }
    auto work = prepare_work_dir(name, uid);
    if (!work) {
      remove_box_entry(boxes, name);
      return core::Unexpected(work.error());
    }
    unsigned long flags = detail::RootfsTemplate::kept_mount_flags(detail::fd_path(work->get()));
    return std::unique_ptr<Box>(
        std::make_unique<BoxImpl>(state_, slot, name, std::move(*work), flags));
  }

  // The work dir in the fresh directory `name` of the boxes dir, owned by `uid`: in secure mode
  // a tmpfs of its own (the size cap holds for every stage, and nothing in it can be a hard link
  // to a host file), mounted through a descriptor of the directory checked here.
  core::Result<detail::Fd> prepare_work_dir(const std::string& name, uid_t uid) {
    State& s = *state_;
    auto failed = [](std::string_view what, int err) {
      return core::fail(ErrorCode::unavailable, errno_message(what, err));
    };
    detail::Fd spot(
        openat(s.boxes_fd.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!spot) return failed("open work dir", errno);
    detail::Fd work;
    if (!s.options.insecure) {
      auto mounted = detail::mount_box_tmpfs(spot.get(), s.options.work_dir_bytes);
      if (!mounted) return core::Unexpected(mounted.error());
      work = std::move(*mounted);
    } else {
      work.reset(openat(spot.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!work) return failed("open work dir", errno);
    }
    // Owned by the slot's uid, which no mount option shows (a run reads its mountinfo).
    if (s.root && fchown(work.get(), uid, uid) != 0) {
      int err = errno;
      if (!s.options.insecure) detail::detach_mount_of(work.get());
      return failed("chown work dir", err);
    }
    // Never 0-2: the insecure child moves its stdio there before it enters the work dir.
    if (work.get() <= 2) work.reset(fcntl(work.get(), F_DUPFD_CLOEXEC, 3));
    return work;
  }

  std::shared_ptr<State> state_;
};

// Opens and checks the boxes dir, leases the slots' uids and removes what a dead server left.
core::Result<void> prepare_boxes(State& state) {
  const fs::path& path = state.options.boxes_dir;
  // Runs of an insecure root server use their slot's uid on the host and reach their work dir
  // by its path: they need to pass through the boxes dir (never to list or change it).
  const mode_t mode = state.root && state.options.insecure ? 0711 : 0700;
  auto boxes = detail::open_private_dir(path, mode);
  if (!boxes) {
    return core::fail(ErrorCode::unavailable, fmt::format("refusing the boxes dir {}: {}",
                                                          path.string(), boxes.error().message));
  }
  state.boxes_fd = std::move(*boxes);
  if (!state.root) return {};
  if (auto acquired = state.uids.acquire(state.options.slots); !acquired) {
    return core::Unexpected(acquired.error());
  }
  state.report.uid_range = describe_uids(state.uids.uids());
  detach_orphan_box_mounts(state.uids);
  remove_stale_boxes(state.boxes_fd.get(), state.uids);
  return {};
}

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

fs::path default_boxes_dir(std::string_view key, bool insecure) {
  if (geteuid() == 0 && !insecure) return fs::path(kLockDir) / fmt::format("boxes-{}", key);
  // Not in the root-only kLockDir: their runs must pass through the boxes dir's parent.
  if (geteuid() == 0) return fs::path("/run") / fmt::format("ide-insecure-boxes-{}", key);
  // A non-root server runs without isolation, as itself: its boxes stay in its own places.
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime != nullptr && fs::path(runtime).is_absolute()) {
    return fs::path(runtime) / fmt::format("ide-boxes-{}", key);
  }
  return fs::temp_directory_path() / fmt::format("ide-boxes-{}-{}", geteuid(), key);
}

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
    if (auto prepared = prepare_boxes(*state); !prepared) return core::Unexpected(prepared.error());
    if (!options.insecure) {
      auto seccomp = detail::SeccompProgram::build();
      if (!seccomp) return core::Unexpected(seccomp.error());
      state->seccomp.emplace(std::move(*seccomp));
      auto rootfs = detail::RootfsTemplate::build();
      if (!rootfs) return core::Unexpected(rootfs.error());
      state->rootfs.emplace(std::move(*rootfs));
      auto init = load_init_executable();
      if (!init) return core::Unexpected(init.error());
      state->init_fd.reset(*init);
      auto cgroups = detail::CgroupParent::create(probe.cgroups, options.run_cpu_weight);
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
