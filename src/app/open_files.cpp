#include "open_files.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "http/server.hpp"

namespace ide::app {

namespace {

// stdio, the log, the sandbox launcher's socket, signal and I/O plumbing, a few spare.
constexpr std::uint64_t kBaseFiles = 64;
// One run: stdin/stdout/stderr pipes (6), memfds for the program and its input, a pidfd, the
// box directory fds and cgroup files (memory, pids, cpu, events), with room to spare.
constexpr std::uint64_t kFilesPerRun = 32;
// A SQLite connection holds the database, its WAL and its shared-memory file.
constexpr std::uint64_t kFilesPerConnection = 3;
// The submission, result and url modules' databases, counted at one connection per thread that
// may use them; the problem and access modules' have one connection each of their own.
constexpr std::uint64_t kDatabases = 3;
constexpr std::uint64_t kSingleConnectionDatabases = 2;
// Refused connections still being answered (the server's own bound).
constexpr std::uint64_t kRefusedConnections = 64;
// Connections of the module's own threads: each worker, retention, start-up and hand-off.
constexpr std::uint64_t kOtherDatabaseThreads = 4;

}  // namespace

std::uint64_t open_files_needed(const core::Config& config) {
  const http::ServerOptions server = http::ServerOptions::from_config(config);
  const std::uint64_t workers = core::worker_count(config);
  const std::uint64_t database_threads =
      workers + server.blocking_threads + server.io_threads + kOtherDatabaseThreads;
  return kBaseFiles + config.max_connections + kRefusedConnections + workers * kFilesPerRun +
         (database_threads * kDatabases + kSingleConnectionDatabases) * kFilesPerConnection;
}

std::string ensure_open_files(const core::Config& config, std::uint64_t& raised_from) {
  const std::uint64_t needed = open_files_needed(config);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return fmt::format("cannot read the open-file limit: {}", std::strerror(errno));
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return "";
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    return fmt::format(
        "max-connections {} and {} worker(s) need up to {} open files, but the open-file limit "
        "(RLIMIT_NOFILE) is {} and its hard limit {}: raise it (`ulimit -n {}`, or "
        "LimitNOFILE={} in the systemd unit) or lower max-connections",
        config.max_connections, core::worker_count(config), needed, limit.rlim_cur, limit.rlim_max,
        needed, needed);
  }
  const rlim_t old_soft = limit.rlim_cur;
  limit.rlim_cur = needed;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return fmt::format("cannot raise the open-file limit from {} to the {} needed: {}", old_soft,
                       needed, std::strerror(errno));
  }
  raised_from = old_soft;
  return "";
}

}  // namespace ide::app
