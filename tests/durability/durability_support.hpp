// Helpers of the durability tests: `ide serve` as a child that can be killed (-9), signalled and
// restarted on the same data dir; read-only views of its SQLite files; small mounts (tmpfs,
// ext4 on a loop device) that fill up or turn read-only; programs whose output is known.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "e2e_support.hpp"
#include "process.hpp"

namespace ide::test {

// --- the server -------------------------------------------------------------------------------

struct ServeOptions {
  unsigned workers = 2;
  int grace_ms = 10'000;
  std::vector<std::string> extra;
};

inline ServeOptions serve_options(unsigned workers, int grace_ms = 10'000) {
  ServeOptions options;
  options.workers = workers;
  options.grace_ms = grace_ms;
  return options;
}

/// Whether this machine makes `ide serve` run with --insecure-no-sandbox (decided by the first
/// start of the test process, which warns when it has to).
inline bool& serve_insecure() {
  static bool insecure = false;
  return insecure;
}
inline bool& serve_insecure_decided() {
  static bool decided = false;
  return decided;
}

inline std::vector<std::string> serve_argv(const std::filesystem::path& data_dir,
                                           const ServeOptions& options) {
  std::vector<std::string> argv{IDE_BINARY,
                                "serve",
                                "--host",
                                "127.0.0.1",
                                "--port",
                                "0",
                                "--data-dir",
                                data_dir.string(),
                                "--workers",
                                std::to_string(options.workers),
                                "--shutdown-grace-ms",
                                std::to_string(options.grace_ms),
                                // One test client floods the queue on purpose: no fair share.
                                "--rate-limit-per-minute",
                                "0",
                                "--max-queued-per-client",
                                "0"};
  argv.insert(argv.end(), options.extra.begin(), options.extra.end());
  if (serve_insecure()) argv.push_back("--insecure-no-sandbox");
  return argv;
}

/// `ide serve` on 127.0.0.1, a free port and `data_dir`. Each start logs into its own file in
/// `log_dir`, so the logs of earlier runs (before a kill) stay readable.
class ServeChild {
 public:
  ServeChild(const std::filesystem::path& data_dir, const std::filesystem::path& log_dir,
             ServeOptions options = {})
      : data_dir_(data_dir), log_dir_(log_dir) {
    static int starts = 0;
    std::filesystem::create_directories(log_dir_);
    log_file_ = log_dir_ / ("serve-" + std::to_string(++starts) + ".log");
    if (start(options)) {
      serve_insecure_decided() = true;
      return;
    }
    if (!serve_insecure_decided() && !serve_insecure()) {
      const std::string refusal = log();
      std::fprintf(stderr,
                   "WARN: `ide serve` refused to start with isolation; the durability tests run "
                   "with --insecure-no-sandbox. Its reason:\n%s\n",
                   refusal.c_str());
      serve_insecure() = true;
      serve_insecure_decided() = true;
      if (start(options)) return;
    }
    throw std::runtime_error("ide serve did not start:\n" + log());
  }
  ServeChild(const ServeChild&) = delete;
  ServeChild& operator=(const ServeChild&) = delete;
  ~ServeChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }

  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }
  std::string log() const { return read_text(log_file_); }

  /// kill -9, then reaps the process.
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  void send(int signal) const {
    if (pid_ > 0) ::kill(pid_, signal);
  }

  /// Waits for the exit: its code, 128 + signal if it died of one, -2 after `timeout` (then it
  /// is killed).
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(90)) {
    if (pid_ <= 0) return -1;
    const int code = wait_for_exit(pid_, timeout);
    pid_ = -1;
    return code;
  }

  /// SIGTERM and the exit code.
  int stop() {
    send(SIGTERM);
    return wait_exit();
  }

 private:
  bool start(const ServeOptions& options) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = spawn(serve_argv(data_dir_, options), fds[1], {}, log_file_);
    ::close(fds[1]);
    stdout_fd_ = fds[0];
    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{stdout_fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, 100) <= 0) continue;
      char buffer[1024];
      const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
      if (n <= 0) break;  // the server exited
      output.append(buffer, static_cast<std::size_t>(n));
      const auto at = output.find("listening on ");
      if (at != std::string::npos && output.find('\n', at) != std::string::npos) {
        const auto begin = at + std::string("listening on ").size();
        url_ = output.substr(begin, output.find('\n', at) - begin);
        return true;
      }
    }
    kill_hard();
    ::close(stdout_fd_);
    stdout_fd_ = -1;
    return false;
  }

  std::filesystem::path data_dir_;
  std::filesystem::path log_dir_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_;
};

/// Calls `ready` every 50 ms until it is true or `timeout` passes; whether it became true.
inline bool wait_until(const std::function<bool()>& ready,
                       std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

/// The status field of a submission's result right now ("queued", "running", "done"), or the
/// error code when the answer is an error.
inline std::string status_of(Api& api, const std::string& id) {
  auto answer = api.get("/api/v1/submissions/" + id + "/result");
  boost::system::error_code ec;
  auto value = boost::json::parse(answer.body, ec);
  if (ec || !value.is_object()) return "<not json>";
  if (value.as_object().contains("status")) return str(value.at("status"));
  return error_code(answer);
}

inline std::string submission_body(const std::string& language, const std::string& code,
                                   const std::string& stdin_data = "") {
  return boost::json::serialize(
      boost::json::object{{"language", language}, {"code", code}, {"stdin", stdin_data}});
}

// --- SQLite files, opened the way a test may: after the server stopped ------------------------

/// A connection to one of the server's database files for checks (read-only unless asked).
class SqliteFile {
 public:
  explicit SqliteFile(const std::filesystem::path& path, bool writable = false) {
    const int flags = writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open " + path.string() + ": " + message);
    }
    sqlite3_busy_timeout(db_, 10'000);
  }
  SqliteFile(const SqliteFile&) = delete;
  SqliteFile& operator=(const SqliteFile&) = delete;
  ~SqliteFile() { sqlite3_close(db_); }

  /// Runs `sql` with text parameters `args`; every row's columns as text ("" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql,
                                             const std::vector<std::string>& args = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error("prepare " + sql + ": " + sqlite3_errmsg(db_));
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), args[i].data(),
                        static_cast<int>(args[i].size()), SQLITE_TRANSIENT);
    }
    std::vector<std::vector<std::string>> result;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, c));
        row.emplace_back(bytes == nullptr ? ""
                                          : std::string(bytes, static_cast<std::size_t>(
                                                                   sqlite3_column_bytes(stmt, c))));
      }
      result.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error("step " + sql + ": " + sqlite3_errmsg(db_));
    return result;
  }

  std::int64_t count(const std::string& sql, const std::vector<std::string>& args = {}) {
    auto result = rows(sql, args);
    return result.empty() || result[0].empty() ? -1 : std::stoll(result[0][0]);
  }

  /// PRAGMA integrity_check's answer: "ok" when the file is sound.
  std::string integrity() {
    std::string answer;
    for (const auto& row : rows("PRAGMA integrity_check")) {
      if (!answer.empty()) answer += "; ";
      answer += row.empty() ? "" : row[0];
    }
    return answer;
  }

  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

/// Checks PRAGMA integrity_check on the three databases of `data_dir` (the server stopped).
inline void check_integrity(const std::filesystem::path& data_dir) {
  for (const char* name : {"submissions.db", "results.db", "urls.db"}) {
    INFO(name);
    REQUIRE(std::filesystem::exists(data_dir / name));
    SqliteFile db(data_dir / name);
    CHECK(db.integrity() == "ok");
  }
}

/// Jobs of results.db by state, and result rows: the queue as a crash or a stop left it.
struct QueueFigures {
  std::int64_t queued = 0;
  std::int64_t running = 0;
  std::int64_t done = 0;
  std::int64_t results = 0;
  std::int64_t not_handed_off = 0;  // submissions.db rows the outbox still has to replay
};

inline QueueFigures queue_figures(const std::filesystem::path& data_dir) {
  QueueFigures figures;
  SqliteFile results(data_dir / "results.db");
  figures.queued = results.count("SELECT COUNT(*) FROM jobs WHERE state = 'queued'");
  figures.running = results.count("SELECT COUNT(*) FROM jobs WHERE state = 'running'");
  figures.done = results.count("SELECT COUNT(*) FROM jobs WHERE state = 'done'");
  figures.results = results.count("SELECT COUNT(*) FROM results");
  SqliteFile submissions(data_dir / "submissions.db");
  figures.not_handed_off =
      submissions.count("SELECT COUNT(*) FROM submissions WHERE handed_off = 0");
  return figures;
}

// --- commands and mounts ----------------------------------------------------------------------

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

/// Runs a system tool (looked up in the usual sbin and bin dirs) to completion.
inline CommandRun run_command(const std::filesystem::path& scratch_dir,
                              std::vector<std::string> argv) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"}) {
    if (argv[0].find('/') == std::string::npos && ::access((dir + argv[0]).c_str(), X_OK) == 0) {
      argv[0] = dir + argv[0];
      break;
    }
  }
  const auto out = scratch_dir / "command-out.txt";
  const pid_t pid = spawn(argv, -1, out, scratch_dir / "command-err.txt");
  CommandRun run;
  run.exit_code = wait_for_exit(pid, std::chrono::seconds(60));
  run.output = read_text(out) + read_text(scratch_dir / "command-err.txt");
  return run;
}

inline bool is_read_only_mount(const std::filesystem::path& path) {
  struct statvfs info {};
  return ::statvfs(path.c_str(), &info) == 0 && (info.f_flag & ST_RDONLY) != 0;
}

/// A file system mounted on `mount_point` for the life of the object; unmounted (lazily if it
/// is still busy) when it goes. `problem()` says why mounting failed, "" when it worked.
class ScratchMount {
 public:
  ScratchMount() = default;
  ScratchMount(const ScratchMount&) = delete;
  ScratchMount& operator=(const ScratchMount&) = delete;
  ~ScratchMount() { unmount(); }

  /// A tmpfs of `size` ("16m").
  void mount_tmpfs(const std::filesystem::path& mount_point, const std::string& size) {
    mount_point_ = mount_point;
    std::filesystem::create_directories(mount_point_);
    const std::string options = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      problem_ = std::string("mount -t tmpfs failed: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }

  /// A fresh ext4 of `megabytes` in an image file in `scratch_dir`, on a loop device.
  void mount_ext4(const std::filesystem::path& scratch_dir,
                  const std::filesystem::path& mount_point, int megabytes) {
    mount_point_ = mount_point;
    image_ = scratch_dir / "ext4.img";
    std::filesystem::create_directories(mount_point_);
    {
      const int fd = ::open(image_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(megabytes) * 1024 * 1024) != 0) {
        problem_ = "cannot create the image file";
        if (fd >= 0) ::close(fd);
        return;
      }
      ::close(fd);
    }
    if (CommandRun mkfs = run_command(scratch_dir, {"mkfs.ext4", "-q", "-F", image_.string()});
        mkfs.exit_code != 0) {
      problem_ = "mkfs.ext4 failed: " + mkfs.output;
      return;
    }
    remount_image(scratch_dir);
  }

  /// Mounts the ext4 image again (after unmount()).
  void remount_image(const std::filesystem::path& scratch_dir, bool read_only = false) {
    CommandRun mounted = run_command(scratch_dir, {"mount", "-o", read_only ? "loop,ro" : "loop",
                                                   image_.string(), mount_point_.string()});
    if (mounted.exit_code != 0) {
      problem_ = "mount -o loop failed: " + mounted.output;
      return;
    }
    mounted_ = true;
  }

  /// Unmounts; true when it was mounted and is no more.
  bool unmount() {
    if (!mounted_) return false;
    if (::umount2(mount_point_.c_str(), 0) != 0) {
      std::fprintf(stderr, "WARN: umount %s: %s; detaching it lazily\n", mount_point_.c_str(),
                   std::strerror(errno));
      ::umount2(mount_point_.c_str(), MNT_DETACH);
    }
    mounted_ = false;
    return true;
  }

  bool mounted() const { return mounted_; }
  const std::string& problem() const { return problem_; }
  const std::filesystem::path& image() const { return image_; }
  const std::filesystem::path& path() const { return mount_point_; }

 private:
  std::filesystem::path mount_point_;
  std::filesystem::path image_;
  bool mounted_ = false;
  std::string problem_;
};

/// Writes zeros into `file` until the file system says it is full (ENOSPC): the bytes written.
inline std::uintmax_t fill_disk(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create the filler file");
  std::uintmax_t written = 0;
  const std::string chunk(1 << 20, '\0');
  // Big chunks first, then single pages so that not even one page stays free.
  for (const std::size_t size : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{512}}) {
    while (true) {
      const ssize_t n = ::write(fd, chunk.data(), size);
      if (n <= 0) break;
      written += static_cast<std::uintmax_t>(n);
    }
  }
  ::fsync(fd);
  ::close(fd);
  return written;
}

// --- programs whose output is known -----------------------------------------------------------

/// A program in `language` that reads a number n from stdin, sleeps `sleep_ms` and prints a line
/// derived from n (see expected_output()).
inline std::string number_program(const std::string& language, int sleep_ms) {
  const std::string seconds = std::to_string(sleep_ms / 1000.0);
  if (language == "bash") {
    return "read n\nsleep " + seconds + "\necho \"sh $((n * 3 + 1))\"\n";
  }
  if (language == "javascript") {
    return "const n = parseInt(require('fs').readFileSync(0, 'utf8'), 10);\n"
           "setTimeout(() => console.log('js ' + n * 7), " +
           std::to_string(sleep_ms) + ");\n";
  }
  return "import sys, time\nn = int(sys.stdin.read())\ntime.sleep(" + seconds +
         ")\nprint('py', n * n)\n";
}

inline std::string expected_output(const std::string& language, std::int64_t n) {
  if (language == "bash") return "sh " + std::to_string(n * 3 + 1) + "\n";
  if (language == "javascript") return "js " + std::to_string(n * 7) + "\n";
  return "py " + std::to_string(n * n) + "\n";
}

/// Which of python, bash and javascript the server serves (python always: the tests need it).
inline std::vector<std::string> served_number_languages(Api& api) {
  auto answer = api.get("/api/v1/languages");
  REQUIRE(answer.status == 200);
  std::vector<std::string> served;
  const boost::json::value languages = boost::json::parse(answer.body);
  for (const auto& language : languages.as_array()) {
    const std::string id = str(language.at("id"));
    if (id == "python" || id == "bash" || id == "javascript") served.push_back(id);
  }
  REQUIRE(std::find(served.begin(), served.end(), "python") != served.end());
  return served;
}

}  // namespace ide::test
