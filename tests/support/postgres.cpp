#include "support/postgres.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/pg.hpp"
#include "support/ports.hpp"

namespace ide::test {

namespace {

namespace fs = std::filesystem;

/// The newest installed server's bin dir (/usr/lib/postgresql/<major>/bin).
fs::path server_bin_dir() {
  fs::path best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / "initdb") &&
        (best.empty() ||
         entry.path().filename().string() > best.parent_path().filename().string())) {
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    throw std::runtime_error(
        "no PostgreSQL server under /usr/lib/postgresql: scripts/setup.sh --for-tests installs it");
  }
  return best;
}

class Cluster {
 public:
  Cluster() : bin_(server_bin_dir()) {
    char pattern[] = "/tmp/ide-pg-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    if (geteuid() == 0) {
      const passwd* user = getpwnam("postgres");
      if (user == nullptr) throw std::runtime_error("running as root, and no `postgres` user");
      if (chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
        throw std::runtime_error("cannot hand the cluster dir to `postgres`");
      }
      as_user_ = "runuser -u postgres -- ";
    }
    run(fmt::format("{}/initdb -D {}/data -A trust -U ide -E UTF8 --no-sync >{}/initdb.log 2>&1",
                    bin_.string(), dir_.string(), dir_.string()),
        "initdb");
    // Test processes run in parallel: another may take the free port first, so try again.
    for (int attempt = 1;; ++attempt) {
      port_ = free_loopback_port();
      if (start() || attempt == 3) break;
    }
    if (!started_) throw std::runtime_error("pg_ctl start failed; logs in " + dir_.string());
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster() {
    if (!started_) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      return;
    }
    const std::string stop =
        fmt::format("{}{}/pg_ctl -D {}/data -m immediate -w stop >/dev/null 2>&1", as_user_,
                    bin_.string(), dir_.string());
    [[maybe_unused]] const int ignored = std::system(stop.c_str());
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string new_database() {
    std::lock_guard lock(mutex_);
    const std::string name = fmt::format("test_{}", ++databases_);
    core::pg::Connection admin(url("postgres"));
    admin.exec("CREATE DATABASE " + name);
    return url(name);
  }

 private:
  bool start() {
    // fsync off: a test cluster is thrown away, and durability is not what it tests.
    const std::string command = fmt::format(
        "{}{}/pg_ctl -D {}/data -l {}/server.log -w -t 60 -o \"-c listen_addresses=127.0.0.1 "
        "-p {} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start "
        ">/dev/null",
        as_user_, bin_.string(), dir_.string(), dir_.string(), port_, dir_.string());
    started_ = std::system(command.c_str()) == 0;
    return started_;
  }

  std::string url(const std::string& database) const {
    return fmt::format("postgresql://ide@127.0.0.1:{}/{}", port_, database);
  }
  void run(const std::string& command, const char* what) const {
    const std::string full = as_user_ + command;
    if (std::system(full.c_str()) != 0) {
      throw std::runtime_error(fmt::format("{} failed; logs in {}", what, dir_.string()));
    }
  }

  fs::path bin_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  fs::path dir_;
  std::string as_user_;
  std::mutex mutex_;
  int databases_ = 0;
};

}  // namespace

std::string new_postgres_database() {
  // Destroyed at exit, after the tests: the cluster stops and its directory goes.
  static Cluster cluster;
  return cluster.new_database();
}

}  // namespace ide::test
