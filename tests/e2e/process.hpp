// Child processes for the end-to-end tests: `ide serve` started on port 0 (its address read from
// the "listening on" line), and one-shot runs of the CLI with captured output.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ide::test {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// Starts `argv` with stdin from /dev/null, stdout into `stdout_fd` (or a file) and stderr into
/// a file. Returns the pid.
inline pid_t spawn(const std::vector<std::string>& argv, int stdout_fd,
                   const std::filesystem::path& stdout_file,
                   const std::filesystem::path& stderr_file) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out =
        stdout_fd >= 0 ? stdout_fd : open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

/// Waits for `pid` up to `timeout` (then kills it): the exit code, or 128 + signal.
inline int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the `ide` binary with `args` to completion in `dir` (files out.txt / err.txt there).
inline CliRun run_ide(const std::vector<std::string>& args, const std::filesystem::path& dir,
                      std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  std::vector<std::string> argv{IDE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto out = dir / "cli-out.txt";
  const auto err = dir / "cli-err.txt";
  const pid_t pid = spawn(argv, -1, out, err);
  CliRun run;
  run.exit_code = wait_for_exit(pid, timeout);
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

/// `ide serve` on 127.0.0.1 and a free port, with its data in `data_dir`. Runs with isolation
/// when the machine offers it; otherwise (the server refuses to start) with
/// --insecure-no-sandbox and a warning on stderr.
class ServerProcess {
 public:
  explicit ServerProcess(const std::filesystem::path& dir, std::vector<std::string> extra = {})
      : dir_(dir) {
    std::filesystem::create_directories(dir_ / "data");
    if (start(extra)) return;
    const std::string refusal = log();
    extra.push_back("--insecure-no-sandbox");
    std::fprintf(stderr,
                 "WARN: `ide serve` refused to start with isolation; the end-to-end tests run "
                 "with --insecure-no-sandbox. Its reason:\n%s\n",
                 refusal.c_str());
    insecure_ = true;
    if (!start(extra)) {
      throw std::runtime_error("ide serve did not start even without isolation:\n" + log());
    }
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
  }

  const std::string& url() const { return url_; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  bool insecure() const { return insecure_; }
  pid_t pid() const { return pid_; }
  /// What the server wrote on stderr so far (its log).
  std::string log() const { return read_text(dir_ / "serve-err.txt"); }

  /// Sends SIGTERM and waits for the exit: the exit code (128 + signal if it died of one).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    const int code = wait_for_exit(pid_, timeout);
    pid_ = -1;
    return code;
  }

 private:
  /// Starts the server and reads its "listening on" line; false when it exits before that.
  bool start(const std::vector<std::string>& extra) {
    std::vector<std::string> argv{IDE_BINARY, "serve",      "--host",
                                  "127.0.0.1", "--port",    "0",
                                  "--data-dir", data_dir().string(), "--workers",
                                  "2",          "--shutdown-grace-ms", "5000"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = spawn(argv, fds[1], {}, dir_ / "serve-err.txt");
    close(fds[1]);
    stdout_fd_ = fds[0];

    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{stdout_fd_, POLLIN, 0};
      if (poll(&poll_fd, 1, 100) <= 0) continue;
      char buffer[1024];
      const ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
      if (n <= 0) break;  // the server exited
      output.append(buffer, static_cast<std::size_t>(n));
      const auto at = output.find("listening on ");
      if (at != std::string::npos && output.find('\n', at) != std::string::npos) {
        const auto start = at + std::string("listening on ").size();
        url_ = output.substr(start, output.find('\n', at) - start);
        return true;
      }
    }
    kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(10));
    pid_ = -1;
    close(stdout_fd_);
    stdout_fd_ = -1;
    return false;
  }

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_;
  bool insecure_ = false;
};

}  // namespace ide::test
