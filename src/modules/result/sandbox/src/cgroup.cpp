#include "cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/core.h>

#include "sys_util.hpp"

namespace ide::sandbox::detail {
namespace {

using Version = CgroupLayout::Version;

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(separator, pos);
    if (end == std::string_view::npos) end = text.size();
    parts.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return parts;
}

bool contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

struct CgroupMount {
  std::string root;  // the mount's root inside the hierarchy
  std::string mount_point;
  bool v2 = false;
  std::vector<std::string> options;  // super options: v1 controllers among them
};

std::vector<CgroupMount> cgroup_mounts() {
  std::vector<CgroupMount> mounts;
  auto text = read_text("/proc/self/mountinfo");
  if (!text) return mounts;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto before = split(line.substr(0, dash), ' ');
    auto after = split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    if (after[0] != "cgroup" && after[0] != "cgroup2") continue;
    CgroupMount mount;
    mount.root = before[3];
    mount.mount_point = before[4];
    mount.v2 = after[0] == "cgroup2";
    mount.options = split(after[2], ',');
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

// "/a/b" inside a mount whose root is "/a" and mount point "/m" lives at "/m/b".
std::string join_mount(const CgroupMount& mount, const std::string& path) {
  std::string relative = path;
  if (mount.root != "/" && relative.rfind(mount.root, 0) == 0) {
    relative = relative.substr(mount.root.size());
  }
  if (relative.empty() || relative == "/") return mount.mount_point;
  return mount.mount_point + relative;
}

bool writable_dir(const std::string& path) { return access(path.c_str(), W_OK | X_OK) == 0; }

std::int64_t read_int_file(const std::string& path) {
  auto text = read_text(path);
  if (!text) return -1;
  std::int64_t value = -1;
  std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

std::int64_t pread_cpu(int fd, Version version) {
  if (fd < 0) return -1;
  char buffer[512];
  ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return -1;
  std::string_view text(buffer, static_cast<std::size_t>(n));
  if (version == Version::v1) {
    std::int64_t ns = -1;
    std::from_chars(text.data(), text.data() + text.size(), ns);
    return ns < 0 ? -1 : ns / 1000;
  }
  return find_keyed_value(text, "usage_usec").value_or(-1);
}


std::vector<pid_t> listed_pids(const std::string& procs_file) {
  std::vector<pid_t> pids;
  auto text = read_text(procs_file);
  if (!text) return pids;
  for (const auto& entry : split(*text, '\n')) {
    pid_t pid = 0;
    auto [ptr, ec] = std::from_chars(entry.data(), entry.data() + entry.size(), pid);
    if (ec == std::errc() && pid > 0) pids.push_back(pid);
  }
  return pids;
}

void kill_listed(const std::string& procs_file) {
  for (pid_t pid : listed_pids(procs_file)) ::kill(pid, SIGKILL);
}

bool has_tasks(const std::string& dir) {
  auto text = read_text(dir + "/cgroup.procs");
  return text && !text->empty();
}

// Removes `dir` and its child cgroups, killing what is left in them.
void remove_tree(const std::string& dir) {
  // A run's cgroup is empty and childless once its pid 1 has exited (cgroupfs is not mounted
  // inside a run): one rmdir, without listing the directory first, is the common case.
  if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
  if (DIR* handle = opendir(dir.c_str())) {
    std::vector<std::string> children;
    while (dirent* entry = readdir(handle)) {
      if (entry->d_type == DT_DIR && entry->d_name[0] != '.') children.emplace_back(entry->d_name);
    }
    closedir(handle);
    for (const auto& child : children) remove_tree(dir + "/" + child);
  }
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) return;
    write_text(dir + "/cgroup.kill", "1");
    kill_listed(dir + "/cgroup.procs");
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 20 ? 1 : 10));
  }
}

// Leftovers of sandboxes whose process died (ide-<pid>-<n> with <pid> gone).
void remove_stale(const std::string& base) {
  DIR* handle = opendir(base.c_str());
  if (handle == nullptr) return;
  std::vector<std::string> stale;
  while (dirent* entry = readdir(handle)) {
    std::string_view name = entry->d_name;
    if (entry->d_type != DT_DIR || name.rfind("ide-", 0) != 0) continue;
    std::string_view rest = name.substr(4);
    pid_t pid = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (ec != std::errc() || ptr == rest.data() + rest.size() || *ptr != '-') continue;
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) stale.emplace_back(name);
  }
  closedir(handle);
  for (const auto& name : stale) remove_tree(base + "/" + name);
}

std::atomic<unsigned> instance_counter{0};

// The leaf a server moves its delegated cgroup's processes into (see enable_v2_controllers).
constexpr std::string_view kServerLeaf = "ide-server";

// A server in <cgroup>/ide-server works from <cgroup>, as it did before moving (and so do the
// processes it starts, which inherit the leaf).
std::string without_server_leaf(std::string path) {
  const std::string suffix = "/" + std::string(kServerLeaf);
  if (path.size() >= suffix.size() &&
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    path.resize(path.size() - suffix.size());
    if (path.empty()) path = "/";
  }
  return path;
}

// Moves every process of cgroup `dir` into its child `leaf`. Under Delegate=yes the subtree is
// the service's, so all its processes are the server's (or its parent script's). Returns 0 or
// errno; a process that exits meanwhile (ESRCH) is not an error.
int move_processes_into_leaf(const std::string& dir, const std::string& leaf) {
  if (mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST) return errno;
  for (int round = 0; round < 10; ++round) {
    auto pids = listed_pids(dir + "/cgroup.procs");
    if (pids.empty()) return 0;
    for (pid_t pid : pids) {
      int err = write_text(leaf + "/cgroup.procs", std::to_string(pid));
      if (err != 0 && err != ESRCH) return err;
    }
  }
  return EBUSY;  // processes keep appearing (something forks in a loop there)
}

// "+memory +pids +cpu" (cpu only where the layout offers it).
std::string v2_controllers_to_enable(const CgroupLayout& layout) {
  std::string text = "+memory +pids";
  if (contains(layout.controllers, "cpu")) text += " +cpu";
  return text;
}

// Controllers reach a cgroup only through its parent's cgroup.subtree_control, and a non-root
// cgroup that holds processes cannot enable any ("no internal processes": EBUSY). A server in a
// delegated cgroup (systemd's Delegate=yes) therefore first moves that cgroup's processes into
// the leaf <own>/ide-server, then enables the controllers on <own> and on its instance dir.
int enable_v2_controllers(const CgroupLayout& layout, const std::string& instance_dir) {
  const std::string& own = layout.memory_dir;
  const std::string controllers = v2_controllers_to_enable(layout);
  int err = write_text(own + "/cgroup.subtree_control", controllers);
  if (err == EBUSY) {
    err = move_processes_into_leaf(own, own + "/" + std::string(kServerLeaf));
    if (err == 0) err = write_text(own + "/cgroup.subtree_control", controllers);
  }
  if (err == 0) err = write_text(instance_dir + "/cgroup.subtree_control", controllers);
  return err;
}

}  // namespace

CgroupLayout CgroupLayout::detect() {
  CgroupLayout layout;
  auto mounts = cgroup_mounts();
  auto own = read_text("/proc/self/cgroup");
  if (!own || mounts.empty()) {
    layout.reason = "no cgroup file system is mounted";
    return layout;
  }
  std::string v2_path;
  std::vector<std::pair<std::vector<std::string>, std::string>> v1_paths;
  for (const auto& line : split(*own, '\n')) {
    auto first = line.find(':');
    auto second = first == std::string::npos ? std::string::npos : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (line.substr(0, first) == "0" && controllers.empty()) {
      v2_path = without_server_leaf(path);
    } else {
      v1_paths.emplace_back(split(controllers, ','), path);
    }
  }

  // cgroup v2 with the memory and pids controllers available to this process's cgroup.
  if (!v2_path.empty()) {
    for (const auto& mount : mounts) {
      if (!mount.v2) continue;
      std::string dir = join_mount(mount, v2_path);
      auto available = read_text(dir + "/cgroup.controllers");
      if (!available) continue;
      std::string trimmed = *available;
      while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
      std::vector<std::string> controllers;
      for (auto& c : split(trimmed, ' ')) {
        if (!c.empty()) controllers.push_back(c);
      }
      if (contains(controllers, "memory") && contains(controllers, "pids") && writable_dir(dir) &&
          path_exists(dir + "/cpu.stat")) {
        layout.version = Version::v2;
        layout.memory_dir = dir;
        layout.controllers = {"memory", "pids"};
        // CPU time comes from cpu.stat either way; the cpu controller is enabled when offered.
        layout.controllers.emplace_back(contains(controllers, "cpu") ? "cpu" : "cpu.stat");
        return layout;
      }
      layout.reason = fmt::format(
          "cgroup v2 at {} (cgroup {}) has not the memory and pids controllers ({}) or is not "
          "writable",
          mount.mount_point, v2_path, trimmed.empty() ? "none" : trimmed);
    }
  }

  // cgroup v1: one hierarchy per controller.
  auto v1_dir = [&](std::string_view controller) -> std::string {
    for (const auto& [controllers, path] : v1_paths) {
      if (!contains(controllers, controller)) continue;
      for (const auto& mount : mounts) {
        if (!mount.v2 && contains(mount.options, controller)) return join_mount(mount, path);
      }
    }
    return {};
  };
  layout.memory_dir = v1_dir("memory");
  layout.pids_dir = v1_dir("pids");
  layout.cpuacct_dir = v1_dir("cpuacct");
  std::vector<std::string> missing;
  if (!layout.memory_dir.empty() && writable_dir(layout.memory_dir)) {
    layout.controllers.emplace_back("memory");
  } else {
    missing.emplace_back("memory");
  }
  if (!layout.pids_dir.empty() && writable_dir(layout.pids_dir)) {
    layout.controllers.emplace_back("pids");
  } else {
    missing.emplace_back("pids");
  }
  if (!layout.cpuacct_dir.empty() && writable_dir(layout.cpuacct_dir)) {
    layout.controllers.emplace_back("cpuacct");
  } else {
    missing.emplace_back("cpuacct");
  }
  // Optional: without it runs get the default CPU share (the setting then has no effect).
  layout.cpu_dir = v1_dir("cpu");
  if (!layout.cpu_dir.empty() && writable_dir(layout.cpu_dir)) {
    layout.controllers.emplace_back("cpu");
  } else {
    layout.cpu_dir.clear();
  }
  layout.memsw = path_exists(layout.memory_dir + "/memory.memsw.limit_in_bytes");
  if (missing.empty()) {
    layout.version = Version::v1;
    layout.reason.clear();
    return layout;
  }
  std::string joined;
  for (const auto& m : missing) joined += (joined.empty() ? "" : ", ") + m;
  std::string v1_reason = fmt::format("cgroup v1 lacks (or this user cannot write) {}", joined);
  layout.reason = layout.reason.empty() ? v1_reason : layout.reason + "; " + v1_reason;
  return layout;
}

bool CgroupLayout::usable() const { return version != Version::none; }

std::string CgroupLayout::version_name() const {
  switch (version) {
    case Version::v1:
      return "v1";
    case Version::v2:
      return "v2";
    case Version::none:
      break;
  }
  return "none";
}

std::int64_t cpu_shares_of_weight(unsigned weight) {
  return std::max<std::int64_t>(2, static_cast<std::int64_t>(weight) * 1024 / 100);
}

std::optional<std::string> CgroupParent::cpu_weight_file(const std::vector<std::string>& dirs,
                                                         unsigned weight) const {
  if (weight == 0) return std::nullopt;
  if (layout_.version == Version::v2) {
    if (!contains(layout_.controllers, "cpu")) return std::nullopt;
    return dirs[0] + "/cpu.weight";
  }
  if (layout_.cpu_dir.empty()) return std::nullopt;
  // cpu and cpuacct are often mounted together: then the cpuacct directory has cpu.shares.
  return (layout_.cpu_dir == layout_.cpuacct_dir ? dirs[2] : dirs[3]) + "/cpu.shares";
}

int CgroupParent::set_cpu_weight(const std::vector<std::string>& dirs, unsigned weight) const {
  auto file = cpu_weight_file(dirs, weight);
  if (!file) return 0;
  std::int64_t value =
      layout_.version == Version::v2 ? std::clamp(weight, 1u, 10000u) : cpu_shares_of_weight(weight);
  return write_text(*file, std::to_string(value));
}

core::Result<CgroupParent> CgroupParent::create(const CgroupLayout& layout, unsigned cpu_weight) {
  CgroupParent parent;
  parent.layout_ = layout;
  std::string name = fmt::format("ide-{}-{}", getpid(), instance_counter.fetch_add(1));
  std::vector<std::string> bases;
  if (layout.version == Version::v1) {
    bases = {layout.memory_dir, layout.pids_dir, layout.cpuacct_dir};
    if (!layout.cpu_dir.empty() && layout.cpu_dir != layout.cpuacct_dir) {
      bases.push_back(layout.cpu_dir);
    }
  } else if (layout.version == Version::v2) {
    bases = {layout.memory_dir};
  } else {
    return core::fail(core::ErrorCode::unavailable, "no usable cgroups: " + layout.reason);
  }
  for (const auto& base : bases) {
    remove_stale(base);
    std::string dir = base + "/" + name;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return core::fail(core::ErrorCode::unavailable, errno_message("mkdir " + dir, errno));
    }
    parent.dirs_.push_back(dir);
  }
  if (layout.version == Version::v2) {
    if (int err = enable_v2_controllers(layout, parent.dirs_[0]); err != 0) {
      return core::fail(core::ErrorCode::unavailable,
                        errno_message(fmt::format("cannot enable {} under {} (run ide in a "
                                                  "cgroup of its own: systemd Delegate=yes)",
                                                  v2_controllers_to_enable(layout),
                                                  layout.memory_dir),
                                      err));
    }
  }
  // The server is this directory's sibling: all runs together weigh `cpu_weight` against it.
  if (int err = parent.set_cpu_weight(parent.dirs_, cpu_weight); err != 0) {
    return core::fail(core::ErrorCode::unavailable, errno_message("cgroup cpu weight", err));
  }
  return parent;
}

CgroupParent::CgroupParent(CgroupParent&& other) noexcept
    : layout_(std::move(other.layout_)), dirs_(std::exchange(other.dirs_, {})) {}

CgroupParent& CgroupParent::operator=(CgroupParent&& other) noexcept {
  if (this != &other) {
    for (const auto& dir : dirs_) remove_tree(dir);
    layout_ = std::move(other.layout_);
    dirs_ = std::exchange(other.dirs_, {});
  }
  return *this;
}

CgroupParent::~CgroupParent() {
  for (const auto& dir : dirs_) remove_tree(dir);
}

core::Result<RunCgroup> RunCgroup::create(const CgroupParent& parent, const std::string& name,
                                          const CgroupLimits& limits) {
  RunCgroup run;
  run.version_ = parent.layout().version;
  for (const auto& base : parent.dirs()) {
    std::string dir = base + "/" + name;
    if (mkdir(dir.c_str(), 0755) != 0) {
      int err = errno;
      if (err != EEXIST) {
        run.remove();
        return core::fail(core::ErrorCode::unavailable, errno_message("mkdir " + dir, err));
      }
      // A leftover of an interrupted run: start from a fresh cgroup.
      remove_tree(dir);
      if (mkdir(dir.c_str(), 0755) != 0) {
        err = errno;
        run.remove();
        return core::fail(core::ErrorCode::unavailable, errno_message("mkdir " + dir, err));
      }
    }
    run.dirs_.push_back(dir);
  }
  auto set = [&](const std::string& file, const std::string& value, bool required) -> int {
    int err = write_text(file, value);
    return required ? err : 0;
  };
  std::string memory = std::to_string(limits.memory_bytes);
  std::string pids = std::to_string(limits.max_pids);
  int err = 0;
  std::string failed;
  if (run.version_ == Version::v1) {
    const std::string& mem = run.dirs_[0];
    if ((err = set(mem + "/memory.limit_in_bytes", memory, true)) != 0) {
      failed = "memory.limit_in_bytes";
    } else if (parent.layout().memsw &&
               (err = set(mem + "/memory.memsw.limit_in_bytes", memory, true)) != 0) {
      failed = "memory.memsw.limit_in_bytes";
    } else if ((err = set(run.dirs_[1] + "/pids.max", pids, true)) != 0) {
      failed = "pids.max";
    }
    if (err == 0) {
      // Without swap accounting, at least keep the kernel from swapping the run out.
      if (!parent.layout().memsw) set(mem + "/memory.swappiness", "0", false);
      failed = "cpuacct.usage";
      err = run.open_cpu_file(run.dirs_[2] + "/cpuacct.usage");
    }
  } else {
    const std::string& dir = run.dirs_[0];
    if ((err = set(dir + "/memory.max", memory, true)) != 0) {
      failed = "memory.max";
    } else if (path_exists(dir + "/memory.swap.max") &&
               (err = set(dir + "/memory.swap.max", "0", true)) != 0) {
      failed = "memory.swap.max";
    } else if ((err = set(dir + "/pids.max", pids, true)) != 0) {
      failed = "pids.max";
    }
    // One OOM kill takes the whole run, as a judge expects.
    if (err == 0 && (err = set(dir + "/memory.oom.group", "1", true)) != 0) {
      failed = "memory.oom.group";
    }
    if (err == 0) {
      failed = "cpu.stat";
      err = run.open_cpu_file(dir + "/cpu.stat");
    }
  }
  // Also on the run itself, so that it holds beside runs of other weights (and shows there).
  if (err == 0 && (err = parent.set_cpu_weight(run.dirs_, limits.cpu_weight)) != 0) {
    failed = "cpu weight";
  }
  if (err != 0) {
    run.remove();
    return core::fail(core::ErrorCode::unavailable, errno_message("cgroup " + failed, err));
  }
  return run;
}

RunCgroup::RunCgroup(RunCgroup&& other) noexcept
    : version_(other.version_),
      dirs_(std::exchange(other.dirs_, {})),
      cpu_fd_(std::exchange(other.cpu_fd_, -1)) {}

RunCgroup& RunCgroup::operator=(RunCgroup&& other) noexcept {
  if (this != &other) {
    remove();
    version_ = other.version_;
    dirs_ = std::exchange(other.dirs_, {});
    cpu_fd_ = std::exchange(other.cpu_fd_, -1);
  }
  return *this;
}

RunCgroup::~RunCgroup() { remove(); }

core::Result<void> RunCgroup::add(pid_t pid) {
  std::string text = std::to_string(pid);
  for (const auto& dir : dirs_) {
    int err = write_text(dir + "/cgroup.procs", text);
    if (err != 0) {
      return core::fail(core::ErrorCode::unavailable,
                        errno_message("cannot move the run into " + dir, err));
    }
  }
  return {};
}

std::int64_t RunCgroup::cpu_us() const { return pread_cpu(cpu_fd_, version_); }

CgroupUsage RunCgroup::usage() const {
  CgroupUsage usage;
  if (dirs_.empty()) return usage;
  usage.cpu_us = cpu_us();
  const std::string& mem = dirs_[0];
  if (version_ == Version::v1) {
    std::int64_t peak = read_int_file(mem + "/memory.max_usage_in_bytes");
    if (peak >= 0) usage.memory_peak_kb = peak / 1024;
    if (auto text = read_text(mem + "/memory.oom_control")) {
      usage.oom_kills = find_keyed_value(*text, "oom_kill").value_or(0);
    }
  } else {
    std::int64_t peak = read_int_file(mem + "/memory.peak");
    if (peak >= 0) usage.memory_peak_kb = peak / 1024;
    if (auto text = read_text(mem + "/memory.events")) {
      usage.oom_kills = find_keyed_value(*text, "oom_kill").value_or(0);
    }
  }
  return usage;
}

void RunCgroup::kill_all() {
  if (dirs_.empty()) return;
  if (version_ == Version::v2 && write_text(dirs_[0] + "/cgroup.kill", "1") == 0) return;
  // v1 has no cgroup.kill; the pid namespace's pid 1 takes the rest along anyway.
  for (int round = 0; round < 3 && has_tasks(dirs_.back()); ++round) {
    kill_listed(dirs_.back() + "/cgroup.procs");
  }
}

int RunCgroup::open_cpu_file(const std::string& path) {
  // Without it the CPU limit would rest on RLIMIT_CPU alone, which children escape by forking.
  cpu_fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (cpu_fd_ < 0) return errno;
  return pread_cpu(cpu_fd_, version_) >= 0 ? 0 : EIO;
}

void RunCgroup::close_fds() {
  if (cpu_fd_ >= 0) close(cpu_fd_);
  cpu_fd_ = -1;
}

void RunCgroup::remove() {
  close_fds();
  for (const auto& dir : dirs_) remove_tree(dir);
  dirs_.clear();
}

}  // namespace ide::sandbox::detail
