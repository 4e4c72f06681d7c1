#include "runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "cgroup.hpp"
#include "child.hpp"
#include "plan_codec.hpp"
#include "rootfs.hpp"
#include "seccomp_filter.hpp"
#include "sys_util.hpp"

namespace ide::sandbox::detail {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;

constexpr int kSecureCloneFlags =
    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;

struct Pipe {
  Fd read;
  Fd write;
};

// Pipes live above 2 even if the server runs without stdin/stdout/stderr, so that dup2 onto
// 0-2 in the child never clobbers one of them.
std::optional<Pipe> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  Pipe p{Fd(fds[0]), Fd(fds[1])};
  for (Fd* end : {&p.read, &p.write}) {
    if (end->get() <= 2) {
      int moved = fcntl(end->get(), F_DUPFD_CLOEXEC, 3);
      if (moved < 0) return std::nullopt;
      *end = Fd(moved);
    }
  }
  return p;
}

Fd dup_high(int fd) { return Fd(fcntl(fd, F_DUPFD_CLOEXEC, 3)); }

// stdin is a sealed memfd: any size, no deadlock against the output pipes, no SIGPIPE in the
// server, and the program cannot write to it.
std::optional<Fd> make_sealed_memfd(const char* name, std::string_view data) {
  Fd memfd(memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!memfd) return std::nullopt;
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(memfd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    done += static_cast<std::size_t>(n);
  }
  if (fcntl(memfd.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) !=
      0) {
    return std::nullopt;
  }
  // A read-only description of the same file, starting at offset 0.
  Fd reader(open(fmt::format("/proc/self/fd/{}", memfd.get()).c_str(), O_RDONLY | O_CLOEXEC));
  if (!reader) return std::nullopt;
  return reader.get() <= 2 ? dup_high(reader.get()) : std::move(reader);
}

std::optional<Fd> make_stdin(std::string_view data) {
  if (data.empty()) {
    Fd null(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null) return std::nullopt;
    return null.get() <= 2 ? dup_high(null.get()) : std::move(null);
  }
  return make_sealed_memfd("ide-stdin", data);
}

/// Interactive stdin (LiveChannel): one end of a socket pair is the program's stdin, the other
/// is written here. A socket, not a pipe: send() with MSG_NOSIGNAL cannot raise SIGPIPE in the
/// server when the program has closed its end.
struct StdinFeed {
  Fd fd;                   // the server's end; closed once stdin has ended
  std::string pending;     // taken, not yet written
  bool close_after = false;  // the channel asked to close once `pending` is written
  LiveChannel* live = nullptr;

  bool open() const { return static_cast<bool>(fd); }
  /// Polled for POLLOUT with bytes to write, else the channel's descriptor for POLLIN.
  pollfd poll_entry() const {
    if (!pending.empty()) return pollfd{fd.get(), POLLOUT, 0};
    return pollfd{live->stdin_ready_fd(), POLLIN, 0};
  }
  void take() {
    StdinTake taken = live->take_stdin();
    pending += taken.bytes;
    close_after = close_after || taken.close;
    finish_if_done();
  }
  void write_pending() {
    while (!pending.empty()) {
      ssize_t n = send(fd.get(), pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n <= 0) return end();  // the program closed its stdin: the rest is dropped
      pending.erase(0, static_cast<std::size_t>(n));
    }
    finish_if_done();
  }
  void finish_if_done() {
    if (pending.empty() && close_after) end();
  }
  void end() {
    fd.reset();
    pending.clear();
  }
};

/// A socket pair for interactive stdin: the program's end, and `feed` gets the other with
/// `initial` to write first. nullopt on failure.
std::optional<Fd> make_interactive_stdin(std::string_view initial, LiveChannel* live,
                                         StdinFeed& feed) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return std::nullopt;
  Fd program(fds[0]);
  feed.fd = Fd(fds[1]);
  // The program reads its end only; what it might write there is refused.
  shutdown(feed.fd.get(), SHUT_RD);
  shutdown(program.get(), SHUT_WR);
  feed.pending = std::string(initial);
  feed.live = live;
  if (feed.fd.get() <= 2) feed.fd = dup_high(feed.fd.get());
  return program.get() <= 2 ? dup_high(program.get()) : std::move(program);
}

StageOutcome setup_failure(std::string message) {
  StageOutcome outcome;
  outcome.termination = Termination::setup_failed;
  outcome.error = std::move(message);
  return outcome;
}

rlim_t clamp_to_hard(int resource, rlim_t wanted) {
  rlimit current{};
  if (getrlimit(static_cast<__rlimit_resource>(resource), &current) != 0) return wanted;
  if (current.rlim_max != RLIM_INFINITY && wanted > current.rlim_max) return current.rlim_max;
  return wanted;
}

void add_rlimit(ChildPlan& plan, int resource, rlim_t soft, rlim_t hard) {
  hard = clamp_to_hard(resource, hard);
  soft = std::min(soft, hard);
  plan.rlimits[plan.rlimit_count++] = RlimitSetting{resource, rlimit{soft, hard}};
}

void plan_rlimits(ChildPlan& plan, const StageSpec& spec, bool secure, bool limit_nproc) {
  const auto& limits = spec.limits;
  const rlim_t memory = static_cast<rlim_t>(std::max<std::int64_t>(limits.memory_kb, 1024)) * 1024;
  // A backstop: the supervisor measures CPU over the whole run and kills first.
  rlim_t cpu_seconds = static_cast<rlim_t>((std::max<std::int64_t>(limits.cpu_ms, 1) + 999) / 1000);
  add_rlimit(plan, RLIMIT_CPU, cpu_seconds + 1, cpu_seconds + 2);
  // Secure mode: the run's memory cgroup is the limit, and touching too much ends as its OOM
  // kill, the memory verdict. An address-space limit as well would refuse big allocations
  // instead (MemoryError, bad_alloc, NULL): a runtime error that hid why the program failed.
  // Insecure mode has no cgroup, so RLIMIT_AS is the memory limit there.
  if (!secure && spec.limit_address_space) {
    rlim_t address_space = memory + (64u << 20);
    add_rlimit(plan, RLIMIT_AS, address_space, address_space);
  }
  rlim_t file_size = static_cast<rlim_t>(std::max<std::int64_t>(limits.file_size_bytes, 0));
  add_rlimit(plan, RLIMIT_FSIZE, file_size, file_size);
  add_rlimit(plan, RLIMIT_NOFILE, 512, 512);
  rlim_t stack = std::min<rlim_t>(memory, 64u << 20);
  add_rlimit(plan, RLIMIT_STACK, stack, stack);
  add_rlimit(plan, RLIMIT_CORE, 0, 0);
  add_rlimit(plan, RLIMIT_MSGQUEUE, 0, 0);
  if (limit_nproc) {
    rlim_t processes = static_cast<rlim_t>(std::max<std::int64_t>(limits.max_processes, 1));
    add_rlimit(plan, RLIMIT_NPROC, processes, processes);
  }
}

/// Blocks every signal in the calling thread while the child is created, so that no handler of
/// the server runs in the child before it resets them.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t saved_{};
};

enum class KillReason { none, time, output };

/// Reads one output stream into its string, up to the cap (+1 byte to tell "exactly at the
/// cap" from "over it").
struct Capture {
  Fd fd;
  std::string* data = nullptr;
  std::int64_t cap = 0;
  bool truncated = false;
  LiveChannel* live = nullptr;  // told each captured chunk
  OutputStream stream = OutputStream::stdout_stream;
  bool open() const { return static_cast<bool>(fd); }

  void tell_live(std::size_t from) const {
    if (live != nullptr && data->size() > from) {
      live->output(stream, std::string_view(*data).substr(from));
    }
  }

  // Returns false at EOF or error (the descriptor is then closed).
  bool read_available() {
    for (;;) {
      // Never more than cap + 1 bytes in total: the string holds at most cap between reads.
      std::size_t old = data->size();
      std::size_t room = static_cast<std::size_t>(std::max<std::int64_t>(cap, 0)) + 1 - old;
      std::size_t chunk = std::min(kReadChunk, room);
      data->resize(old + chunk);
      ssize_t n = read(fd.get(), data->data() + old, chunk);
      if (n < 0) {
        data->resize(old);
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return true;
        fd.reset();
        return false;
      }
      data->resize(old + static_cast<std::size_t>(n));
      if (n == 0) {
        fd.reset();
        return false;
      }
      if (static_cast<std::int64_t>(data->size()) > cap) {
        data->resize(static_cast<std::size_t>(cap));
        truncated = true;
        fd.reset();
        tell_live(old);
        return false;
      }
      tell_live(old);
      if (static_cast<std::size_t>(n) < chunk) return true;
    }
  }
};

std::int64_t elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

std::int64_t timeval_us(const timeval& tv) {
  return static_cast<std::int64_t>(tv.tv_sec) * 1'000'000 + tv.tv_usec;
}

template <typename T>
bool read_record(int fd, T& record) {
  std::size_t done = 0;
  auto* bytes = reinterpret_cast<char*>(&record);
  while (done < sizeof record) {
    ssize_t n = read(fd, bytes + done, sizeof record - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

/// How a stage ended, as the supervisor saw it.
struct EndOfRun {
  KillReason killed = KillReason::none;
  bool oom_killed = false;   // the cgroup's OOM killer struck
  bool over_cpu = false;     // the CPU total exceeds the limit
  bool have_status = false;  // pid 1 reported the program's wait status
  int program_status = 0;
};

/// The termination, in order: our output or time kill, the cgroup's OOM kill, the CPU total,
/// a missing report, then the program's own status.
void decide_termination(const EndOfRun& end, StageOutcome& outcome) {
  if (end.killed == KillReason::output) {
    outcome.termination = Termination::output_limit;
  } else if (end.oom_killed) {
    outcome.termination = Termination::memory_limit;
  } else if (end.killed == KillReason::time || end.over_cpu) {
    // Also the kernel's SIGXCPU at RLIMIT_CPU: its soft limit lies above the CPU limit. A
    // SIGXCPU with less CPU time used was sent by the program itself: an ordinary signal.
    outcome.termination = Termination::time_limit;
  } else if (!end.have_status) {
    // pid 1 died without reporting (it cannot be killed from inside): treat as a crash.
    outcome.termination = Termination::setup_failed;
    outcome.error = "the run's init process ended without a report";
  } else if (WIFSIGNALED(end.program_status)) {
    outcome.termination = Termination::signaled;
    outcome.signal = WTERMSIG(end.program_status);
  } else {
    outcome.termination = Termination::exited;
    outcome.exit_code = WEXITSTATUS(end.program_status);
  }
}

}  // namespace

bool RunControl::begin(int pidfd, pid_t pid, bool process_group) {
  std::lock_guard lock(mutex_);
  pidfd_ = pidfd;
  pid_ = pid;
  process_group_ = process_group;
  return !cancelled_;
}

void RunControl::end() {
  std::lock_guard lock(mutex_);
  pidfd_ = -1;
  pid_ = 0;
}

bool RunControl::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

void RunControl::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  if (pidfd_ >= 0) syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
  if (process_group_ && pid_ > 0) kill(-pid_, SIGKILL);
}

ChildStack::ChildStack(std::size_t bytes) : bytes_(bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  base_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

ChildStack::~ChildStack() {
  if (base_ != nullptr) munmap(base_, bytes_);
}

void kill_all_of_uid(uid_t uid, gid_t gid) {
  if (geteuid() != 0 || uid == 0) return;
  ChildStack stack(64 * 1024);
  if (!stack) return;
  KillUid ids{uid, gid};
  pid_t pid;
  {
    SignalBlock block;
    pid = clone(kill_uid_main, stack.top(), CLONE_VM | CLONE_VFORK | SIGCHLD, &ids);
  }
  if (pid > 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

namespace {

/// What a secure run's pid 1 is launched with. Everything the clone child touches lives here
/// (it may not allocate), and the mounts' descriptors until pid 1 has its own.
struct SecureLaunch {
  std::optional<RunCgroup> cgroup;
  std::optional<Pipe> go;
  std::optional<Pipe> status;
  std::optional<Fd> encoded_plan;
  std::string plan_fd_text;
  std::vector<char*> init_argv;
  char* init_envp[1] = {nullptr};
  InitLaunch launch;
  std::vector<MountOp> mounts;
  std::string box_source;
  RunMounts run_mounts;
};

/// Fills the secure parts of `plan` and `secure`: the run's cgroup, its mounts, the encoded plan
/// for pid 1. Returns why it failed, or "".
std::string prepare_secure(const RunContext& context, const StageSpec& spec, ChildPlan& plan,
                           SecureLaunch& secure) {
  const auto& limits = spec.limits;
  auto created = RunCgroup::create(
      *context.cgroups, context.cgroup_name,
      CgroupLimits{limits.memory_kb * 1024, std::max<std::int64_t>(limits.max_processes, 1),
                   context.cpu_weight});
  if (!created) return created.error().message;
  secure.cgroup = std::move(*created);
  secure.go = make_pipe();
  secure.status = make_pipe();
  if (!secure.go || !secure.status) return errno_message("pipes", errno);
  plan.go_fd = secure.go->read.get();
  plan.status_fd = secure.status->write.get();
  plan.change_identity = true;
  plan.uid = kInnerUid;
  plan.gid = kInnerGid;
  plan.seccomp = context.seccomp->program();
  auto made = context.rootfs->make_run_mounts(fmt::format(
      "size={},nr_inodes=16384,mode=1777", std::max<std::int64_t>(context.tmp_bytes, 4096)));
  if (!made) return (made.error().message);
  secure.run_mounts = std::move(*made);
  plan.root_fd = secure.run_mounts.root.get();
  const auto mount_fds = secure.run_mounts.fds();
  std::copy(mount_fds.begin(), mount_fds.end(), plan.mount_fds);
  // pid 1 reopens the work dir above every descriptor it keeps (the plan's is closed first).
  plan.work_dir_fd = 1 + std::max({plan.stdin_fd, plan.stdout_fd, plan.stderr_fd, plan.error_fd,
                                   plan.go_fd, plan.status_fd, plan.root_fd,
                                   *std::max_element(mount_fds.begin(), mount_fds.end())});
  secure.box_source = fmt::format("/proc/self/fd/{}", plan.work_dir_fd);
  secure.mounts =
      context.rootfs->operations(secure.box_source, context.work_dir_flags, secure.run_mounts);
  plan.mounts = secure.mounts.data();
  plan.mount_count = secure.mounts.size();
  secure.encoded_plan = make_sealed_memfd("ide-plan", encode_plan(plan));
  if (!secure.encoded_plan) return errno_message("plan", errno);
  secure.plan_fd_text = std::to_string(secure.encoded_plan->get());
  secure.init_argv = {const_cast<char*>("ide-init"), secure.plan_fd_text.data(), nullptr};
  secure.launch.init_fd = context.init_fd;
  for (int fd : {plan.stdin_fd, plan.stdout_fd, plan.stderr_fd, plan.error_fd, plan.go_fd,
                 plan.status_fd, secure.encoded_plan->get()}) {
    secure.launch.pass_fds[secure.launch.pass_count++] = fd;
  }
  secure.launch.pass_fds[secure.launch.pass_count++] = plan.root_fd;
  for (int fd : mount_fds) secure.launch.pass_fds[secure.launch.pass_count++] = fd;
  secure.launch.argv = secure.init_argv.data();
  secure.launch.envp = secure.init_envp;
  secure.launch.error_fd = plan.error_fd;
  secure.launch.last_cap = context.last_cap;
  return "";
}

/// Maps the run's ids, puts pid 1 in its cgroup and lets it go. Returns why not, or "".
std::string start_secure_child(const RunContext& context, pid_t pid, SecureLaunch& secure) {
  secure.go->read.reset();
  secure.status->write.reset();
  std::string failure;
  if (int e = write_text(fmt::format("/proc/{}/uid_map", pid),
                         fmt::format("{} {} 1\n", kInnerUid, context.host_uid));
      e != 0) {
    failure = errno_message("uid_map", e);
  } else if (int e2 = write_text(fmt::format("/proc/{}/gid_map", pid),
                                 fmt::format("{} {} 1\n", kInnerGid, context.host_gid));
             e2 != 0) {
    failure = errno_message("gid_map", e2);
  } else if (auto added = secure.cgroup->add(pid); !added) {
    failure = added.error().message;
  } else if (write(secure.go->write.get(), "g", 1) != 1) {
    failure = errno_message("start the run", errno);
  }
  secure.go->write.reset();
  return failure;
}

/// One poll over the run's process, its open outputs and its interactive stdin, if any; reads
/// and writes what is ready. Returns poll's result, and whether the process has ended.
struct PollRound {
  int ready = 0;
  bool process_ended = false;
};

PollRound poll_once(int process_fd, Capture (&captures)[2], StdinFeed& feed, int timeout_ms) {
  pollfd fds[4];
  nfds_t count = 0;
  fds[count++] = pollfd{process_fd, POLLIN, 0};
  int index_of[2] = {-1, -1};
  for (int i = 0; i < 2; ++i) {
    if (captures[i].open()) {
      index_of[i] = static_cast<int>(count);
      fds[count++] = pollfd{captures[i].fd.get(), POLLIN, 0};
    }
  }
  const int feed_index = feed.open() ? static_cast<int>(count) : -1;
  if (feed.open()) fds[count++] = feed.poll_entry();
  PollRound round;
  round.ready = poll(fds, count, timeout_ms);
  if (round.ready <= 0) return round;
  for (int i = 0; i < 2; ++i) {
    if (index_of[i] >= 0 && fds[index_of[i]].revents != 0) captures[i].read_available();
  }
  if (feed_index >= 0 && fds[feed_index].revents != 0) {
    if (fds[feed_index].events == POLLOUT) {
      feed.write_pending();
    } else {
      feed.take();
      if (feed.open()) feed.write_pending();
    }
  }
  round.process_ended = fds[0].revents != 0;
  return round;
}

/// Reads the run's output (and feeds its interactive stdin) until its process ends, killing it
/// (with `kill_run`) at the wall clock, at the CPU limit (checked on `cgroup` when there is one)
/// or when an output reaches its cap. Returns why it was killed.
KillReason supervise(int process_fd, Capture (&captures)[2], StdinFeed& feed,
                     const RunCgroup* cgroup, const core::StageLimits& limits,
                     Clock::time_point started, const std::function<void()>& kill_run) {
  const auto wall_deadline =
      started + std::chrono::milliseconds(std::max<std::int64_t>(limits.wall_ms, 1));
  const std::int64_t cpu_limit_us = std::max<std::int64_t>(limits.cpu_ms, 1) * 1000;
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  auto next_cpu_check = started + std::chrono::milliseconds(2);
  KillReason killed = KillReason::none;
  auto kill_for = [&](KillReason reason) {
    killed = reason;
    kill_run();
  };
  for (;;) {
    auto now = Clock::now();
    if (killed == KillReason::none && now >= wall_deadline) kill_for(KillReason::time);
    if (killed == KillReason::none && cgroup != nullptr && now >= next_cpu_check) {
      std::int64_t used = cgroup->cpu_us();
      if (used > cpu_limit_us) {
        kill_for(KillReason::time);
      } else {
        // The earliest moment the limit can be reached with every CPU busy.
        std::int64_t wait_us = used < 0 ? 50'000 : (cpu_limit_us - used) / cpus;
        wait_us = std::clamp<std::int64_t>(wait_us, 2'000, 250'000);
        next_cpu_check = now + std::chrono::microseconds(wait_us);
      }
    }
    auto deadline =
        killed == KillReason::none
            ? std::min(wall_deadline, cgroup != nullptr ? next_cpu_check : wall_deadline)
            : now + std::chrono::milliseconds(100);
    int timeout_ms = static_cast<int>(std::clamp<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1, 0,
        1000));
    const PollRound round = poll_once(process_fd, captures, feed, timeout_ms);
    if (round.ready < 0 && errno != EINTR) {
      kill_for(KillReason::time);  // cannot supervise: stop it
      return killed;
    }
    for (const Capture& capture : captures) {
      if (capture.truncated && killed == KillReason::none) kill_for(KillReason::output);
    }
    if (round.process_ended) return killed;
  }
}

/// Reads what is still in the pipes once the run's process has ended; true when an output
/// reached its cap. In secure mode every writer is gone (the pid namespace died with its pid 1);
/// in insecure mode escaped processes may hold them, so it does not wait.
bool drain(Capture (&captures)[2], bool secure) {
  const auto drain_deadline = Clock::now() + std::chrono::seconds(1);
  bool truncated = false;
  for (auto& capture : captures) {
    while (capture.open()) {
      if (!capture.read_available()) break;
      if (!secure || Clock::now() >= drain_deadline) break;
      pollfd p{capture.fd.get(), POLLIN, 0};
      poll(&p, 1, 50);
    }
    truncated = truncated || capture.truncated;
  }
  return truncated;
}

}  // namespace

StageOutcome run_stage(const RunContext& context, const StageSpec& spec) {
  if (spec.argv.empty() || (spec.argv[0].rfind('/', 0) != 0 && spec.argv[0].rfind("./", 0) != 0)) {
    return setup_failure("argv[0] must be an absolute path or ./name in the work dir");
  }
  const auto& limits = spec.limits;
  if (context.control != nullptr && context.control->cancelled()) {
    return setup_failure("cancelled: the sandbox is stopping");
  }

  // Everything the child will touch, prepared here: it may not allocate.
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& var : spec.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);

  StdinFeed feed;
  const bool interactive = spec.live != nullptr && spec.live->stdin_ready_fd() >= 0;
  auto stdin_fd = interactive ? make_interactive_stdin(spec.stdin_data, spec.live, feed)
                              : make_stdin(spec.stdin_data);
  auto out = make_pipe();
  auto err = make_pipe();
  auto errors = make_pipe();
  if (!stdin_fd || !out || !err || !errors) return setup_failure(errno_message("pipes", errno));

  ChildPlan plan;
  plan.secure = context.secure;
  plan.stdin_fd = stdin_fd->get();
  plan.stdout_fd = out->write.get();
  plan.stderr_fd = err->write.get();
  plan.error_fd = errors->write.get();
  plan.work_dir_fd = context.work_dir_fd;
  plan.work_dir_path = context.work_dir_path.c_str();
  plan.exec_path = argv[0];
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.last_cap = context.last_cap;
  plan_rlimits(plan, spec, context.secure, context.secure || context.change_identity);

  if (context.child_stack_top == nullptr) return setup_failure("no stack for the child");
  SecureLaunch secure;
  if (context.secure) {
    if (std::string failure = prepare_secure(context, spec, plan, secure); !failure.empty()) {
      return setup_failure(failure);
    }
  } else {
    plan.change_identity = context.change_identity;
    plan.uid = context.host_uid;
    plan.gid = context.host_gid;
  }

  const auto started = Clock::now();
  int pidfd = -1;
  pid_t pid;
  {
    SignalBlock block;
    if (context.secure) {
      // Nothing of the server is copied: the child shares its memory, the parent thread waits
      // until the child has exec'd ide-sandbox-init (posix_spawn's technique).
      pid = clone(launch_init_main, context.child_stack_top,
                  CLONE_VM | CLONE_VFORK | kSecureCloneFlags | CLONE_PIDFD | SIGCHLD,
                  &secure.launch, &pidfd);
    } else {
      // posix_spawn's technique: the parent thread is suspended until the child has exec'd.
      pid = clone(insecure_child_main, context.child_stack_top,
                  CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &plan, &pidfd);
    }
  }
  if (pid < 0) return setup_failure(errno_message("clone", errno));
  Fd process(pidfd);
  out->write.reset();
  err->write.reset();
  errors->write.reset();
  stdin_fd->reset();
  secure.run_mounts = RunMounts();  // pid 1 has its own descriptors of them

  auto kill_run = [&] {
    syscall(SYS_pidfd_send_signal, process.get(), SIGKILL, nullptr, 0);
    if (secure.cgroup) secure.cgroup->kill_all();
    if (!context.secure) kill(-pid, SIGKILL);
  };
  // Registered until the end of this function (before `process` closes).
  struct ControlGuard {
    RunControl* control;
    ~ControlGuard() {
      if (control != nullptr) control->end();
    }
  } control_guard{context.control};
  if (context.control != nullptr && !context.control->begin(process.get(), pid, !context.secure)) {
    kill_run();
  }
  auto reap = [&](int* wait_status, rusage* usage) {
    while (wait4(pid, wait_status, 0, usage) < 0 && errno == EINTR) {
    }
  };

  if (context.secure) {
    if (std::string failure = start_secure_child(context, pid, secure); !failure.empty()) {
      kill_run();
      int ignored = 0;
      rusage usage{};
      reap(&ignored, &usage);
      return setup_failure(failure);
    }
  }

  StageOutcome outcome;
  Capture captures[2] = {
      Capture{std::move(out->read), &outcome.stdout_data, limits.output_bytes, false, spec.live,
              OutputStream::stdout_stream},
      Capture{std::move(err->read), &outcome.stderr_data, limits.output_bytes, false, spec.live,
              OutputStream::stderr_stream},
  };
  for (auto& capture : captures) {
    fcntl(capture.fd.get(), F_SETFL, O_NONBLOCK);
  }

  feed.write_pending();
  KillReason killed = supervise(process.get(), captures, feed,
                                secure.cgroup ? &*secure.cgroup : nullptr, limits, started,
                                kill_run);
  feed.end();
  // Insecure mode: what is left of the process group would keep the pipes open.
  if (!context.secure) kill(-pid, SIGKILL);
  if (drain(captures, context.secure) && killed == KillReason::none) killed = KillReason::output;

  int wait_status = 0;
  rusage usage{};
  reap(&wait_status, &usage);
  // Insecure mode: what escaped the process group with setsid still runs as the slot's uid.
  if (!context.secure && context.change_identity)
    kill_all_of_uid(context.host_uid, context.host_gid);
  outcome.wall_ms = elapsed_ms(started);
  outcome.stdout_truncated = captures[0].truncated;
  outcome.stderr_truncated = captures[1].truncated;

  ChildError child_error;
  bool setup_error = read_record(errors->read.get(), child_error);
  int program_status = wait_status;
  bool have_status = true;
  std::int64_t cpu_us = timeval_us(usage.ru_utime) + timeval_us(usage.ru_stime);
  std::int64_t maxrss_kb = usage.ru_maxrss;
  if (context.secure) {
    InitReport report;
    have_status = read_record(secure.status->read.get(), report);
    if (have_status) {
      program_status = report.wait_status;
      cpu_us = std::max(cpu_us, report.children_cpu_us);
      maxrss_kb = std::max(maxrss_kb, report.children_maxrss_kb);
    }
  }
  CgroupUsage measured;
  if (secure.cgroup) {
    secure.cgroup->kill_all();
    measured = secure.cgroup->usage();
    secure.cgroup->remove();
    if (measured.cpu_us >= 0) cpu_us = std::max(cpu_us, measured.cpu_us);
  }
  outcome.cpu_ms = cpu_us / 1000;
  outcome.memory_kb = measured.memory_peak_kb >= 0 ? measured.memory_peak_kb : maxrss_kb;

  if (context.control != nullptr && context.control->cancelled()) {
    outcome.termination = Termination::setup_failed;
    outcome.error = "cancelled: the sandbox is stopping";
    return outcome;
  }
  if (setup_error && killed == KillReason::none) {
    outcome.termination = Termination::setup_failed;
    child_error.what[sizeof child_error.what - 1] = '\0';
    outcome.error = errno_message(child_error.what, child_error.err);
    return outcome;
  }
  const std::int64_t cpu_limit_us = std::max<std::int64_t>(limits.cpu_ms, 1) * 1000;
  decide_termination(
      EndOfRun{killed, measured.oom_kills > 0, cpu_us > cpu_limit_us, have_status, program_status},
      outcome);
  return outcome;
}

}  // namespace ide::sandbox::detail
