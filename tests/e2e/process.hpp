// Child processes for the end-to-end tests: `ide serve` started on port 0 (its address read from
// the "listening on" line), or as a split deployment of three processes (IDE_E2E_SPLIT=1), and
// one-shot runs of the CLI with captured output.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/ports.hpp"

// The split deployment keeps its stores in PostgreSQL: only suites that link ide_test_postgres
// define this (tests/e2e); elsewhere IDE_E2E_SPLIT=1 is refused.
#ifdef IDE_E2E_SPLIT_SUPPORT
#include "support/postgres.hpp"
#endif

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

/// Whether the tests run against a split deployment (IDE_E2E_SPLIT=1, the e2e_split_tests run).
inline bool split_deployment() {
  const char* split = std::getenv("IDE_E2E_SPLIT");
  return split != nullptr && std::string(split) == "1";
}

/// One `ide serve` child: started with `argv`, its address read from its "listening on" line.
class ServeNode {
 public:
  ServeNode(std::string name, std::filesystem::path log_file)
      : name_(std::move(name)), log_file_(std::move(log_file)) {}
  ServeNode(const ServeNode&) = delete;
  ServeNode& operator=(const ServeNode&) = delete;
  ~ServeNode() {
    kill_now();
    if (stdout_fd_ >= 0) close(stdout_fd_);
  }

  /// Starts it and reads its "listening on" line; false when it exits before that.
  bool start(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = spawn(argv, fds[1], {}, log_file_);
    close(fds[1]);
    stdout_fd_ = fds[0];
    if (read_url()) return true;
    kill_now();
    close(stdout_fd_);
    stdout_fd_ = -1;
    return false;
  }

  void terminate() const {
    if (pid_ > 0) kill(pid_, SIGTERM);
  }
  /// Waits for the exit: the exit code (128 + signal if it died of one).
  int wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    const int code = wait_for_exit(pid_, timeout);
    pid_ = -1;
    return code;
  }
  void kill_now() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }
  std::string log() const { return read_text(log_file_); }
  const std::string& name() const { return name_; }

 private:
  bool read_url() {
    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{stdout_fd_, POLLIN, 0};
      if (poll(&poll_fd, 1, 100) <= 0) continue;
      char buffer[1024];
      const ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
      if (n <= 0) return false;  // the server exited
      output.append(buffer, static_cast<std::size_t>(n));
      const auto at = output.find("listening on ");
      if (at != std::string::npos && output.find('\n', at) != std::string::npos) {
        const auto start = at + std::string("listening on ").size();
        url_ = output.substr(start, output.find('\n', at) - start);
        return true;
      }
    }
    return false;
  }

  std::string name_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_;
};

/// `ide serve` on 127.0.0.1 and a free port, with its data in `data_dir`. Runs with isolation
/// when the machine offers it; otherwise (the server refuses to start) with
/// --insecure-no-sandbox and a warning on stderr.
///
/// With IDE_E2E_SPLIT=1 it is a split deployment instead: three processes hosting submission,
/// result and url, each with its store in a PostgreSQL database of its own (kept in `dir` so
/// that a ServerProcess on the same dir restarts the same deployment), sharing a token; url()
/// is the submission process's (started last), which serves the public API like any of them. Every
/// call (stop, the destructor) acts on the three together.
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

  const std::string& url() const { return children_.back()->url(); }
  /// Every process's address (one unless split), e.g. to read each one's /metrics.
  std::vector<std::string> urls() const {
    std::vector<std::string> all;
    for (const auto& child : children_) all.push_back(child->url());
    return all;
  }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  bool insecure() const { return insecure_; }
  pid_t pid() const { return children_.back()->pid(); }
  /// What the server wrote on stderr so far (its log; every process's, when split).
  std::string log() const {
    std::string text;
    for (const auto& child : children_) {
      if (children_.size() > 1) text += "----- " + child->name() + " -----\n";
      text += child->log();
    }
    return text;
  }

  /// Sends SIGTERM and waits for the exit: the exit code (128 + signal if it died of one; when
  /// split, the first process's that is not 0).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    if (children_.empty() || children_.back()->pid() <= 0) return -1;
    for (const auto& child : children_) child->terminate();
    int code = 0;
    for (const auto& child : children_) {
      const int exit_code = child->wait(timeout);
      if (code == 0) code = exit_code;
    }
    return code;
  }

 private:
  /// Starts the server (or the three); false when one exits before it listens.
  bool start(const std::vector<std::string>& extra) {
    children_.clear();
    const std::vector<std::vector<std::string>> layout =
        split_deployment() ? split_layout()
                           : std::vector<std::vector<std::string>>{{"--port", "0"}};
    // The public process last: by the time it replays its outbox, result listens.
    const char* names[] = {"result", "url", "submission"};
    for (std::size_t i = 0; i < layout.size(); ++i) {
      const std::string name = layout.size() > 1 ? names[i] : "serve";
      const std::string suffix = layout.size() > 1 ? "-" + name : "";
      const bool is_public = i + 1 == layout.size();
      const std::filesystem::path data = is_public ? data_dir() : dir_ / ("data" + suffix);
      std::vector<std::string> argv{
          IDE_BINARY,    "serve",     "--host", "127.0.0.1",           "--data-dir",
          data.string(), "--workers", "2",      "--shutdown-grace-ms", "5000"};
      argv.insert(argv.end(), layout[i].begin(), layout[i].end());
      argv.insert(argv.end(), extra.begin(), extra.end());
      children_.push_back(
          std::make_unique<ServeNode>(name, dir_ / ("serve-err" + suffix + ".txt")));
      if (!children_.back()->start(argv)) return false;
    }
    return true;
  }

  /// The extra arguments of the result, url and submission processes: fixed ports, since each
  /// needs the others' addresses before they listen.
  std::vector<std::vector<std::string>> split_layout() {
    std::vector<std::string> ports;
    while (ports.size() < 3) {
      // Three distinct ones: the kernel may hand out a released port again.
      std::string port = std::to_string(free_loopback_port());
      if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
    }
    const std::string at[] = {"http://127.0.0.1:" + ports[0], "http://127.0.0.1:" + ports[1],
                              "http://127.0.0.1:" + ports[2]};
    const std::vector<std::string> common{"--internal-token", "e2e-split-internal-token",
                                          "--share-secret", "e2e split"};
    const std::vector<std::string> stores = split_stores();
    std::vector<std::vector<std::string>> layout{
        {"--port", ports[1], "--modules", "result", "--result-store", stores[1],
         "--submission-service-url", at[0], "--url-service-url", at[2],
         "--problem-service-url", at[2], "--access-service-url", at[2]},
        {"--port", ports[2], "--modules", "url,problem,access", "--url-store", stores[2],
         "--problem-store", stores[3], "--access-store", stores[4], "--submission-service-url",
         at[0], "--result-service-url", at[1]},
        {"--port", ports[0], "--modules", "submission", "--submission-store", stores[0],
         "--result-service-url", at[1], "--url-service-url", at[2],
         "--problem-service-url", at[2], "--access-service-url", at[2]}};
    for (auto& args : layout) args.insert(args.end(), common.begin(), common.end());
    return layout;
  }

  /// The deployment's five database URLs, made on its first start and kept in `dir`.
  std::vector<std::string> split_stores() const {
    const std::filesystem::path file = dir_ / "split-stores.txt";
    std::vector<std::string> stores;
    std::istringstream kept(read_text(file));
    for (std::string line; std::getline(kept, line);) stores.push_back(line);
    if (stores.size() == 5) return stores;
#ifdef IDE_E2E_SPLIT_SUPPORT
    stores.clear();
    while (stores.size() < 5) stores.push_back(new_postgres_database());
#else
    throw std::runtime_error("IDE_E2E_SPLIT=1 needs a suite built with IDE_E2E_SPLIT_SUPPORT");
#endif
    std::string lines;
    for (const std::string& store : stores) lines += store + "\n";
    write_text(file, lines);
    return stores;
  }

  std::filesystem::path dir_;
  std::vector<std::unique_ptr<ServeNode>> children_;
  bool insecure_ = false;
};

}  // namespace ide::test
