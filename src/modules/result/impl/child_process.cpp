#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ide::result {

namespace {

using SteadyClock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

int remaining_ms(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

/// Spawn attributes that give the child its own process group and default signal handling.
class SpawnSetup {
 public:
  SpawnSetup(int write_end) {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr_, &none);
    posix_spawnattr_setsigdefault(&attr_, &all);
    posix_spawnattr_setpgroup(&attr_, 0);
    posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions_, write_end, 1);
    posix_spawn_file_actions_adddup2(&actions_, write_end, 2);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

}  // namespace

core::Result<ChildOutcome> run_child(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env,
                                     std::chrono::milliseconds timeout, std::size_t max_output) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') {
    return core::fail(core::ErrorCode::invalid_argument, "the command must be an absolute path");
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return core::fail(core::ErrorCode::unavailable, fmt::format("pipe: {}", std::strerror(errno)));
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);

  pid_t pid = -1;
  {
    SpawnSetup setup(write_end.get());
    auto args = c_strings(argv);
    auto environment = c_strings(env);
    // posix_spawn (vfork + exec) reports exec failures such as ENOENT as its result.
    const int error = ::posix_spawn(&pid, argv[0].c_str(), setup.actions(), setup.attr(),
                                    args.data(), environment.data());
    if (error != 0) {
      return core::fail(core::ErrorCode::unavailable,
                        fmt::format("cannot start {}: {}", argv[0], std::strerror(error)));
    }
  }
  write_end.reset();

  const auto deadline = SteadyClock::now() + timeout;
  ChildOutcome outcome;
  char buffer[4096];
  bool eof = false;
  while (!eof) {
    pollfd pfd{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    const std::size_t room = max_output - std::min(max_output, outcome.output.size());
    outcome.output.append(buffer, std::min(room, static_cast<std::size_t>(n)));
  }

  bool ended_in_time = false;
  if (eof) {
    // The output is closed but the child may linger: wait for it on a pidfd until the deadline.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    Fd guard(pidfd);
    int flags = WEXITED | WNOWAIT;
    if (pidfd >= 0) {
      pollfd pfd{pidfd, POLLIN, 0};
      while (::poll(&pfd, 1, remaining_ms(deadline)) < 0 && errno == EINTR) {
      }
      flags |= WNOHANG;
    }
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, flags) < 0 && errno == EINTR) {
    }
    ended_in_time = info.si_pid == pid;
  }
  // Not reaped yet, so the group id cannot have been reused: kill whatever is left in it.
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!ended_in_time) {
    outcome.timed_out = true;
    return outcome;
  }
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  }
  return outcome;
}

}  // namespace ide::result
