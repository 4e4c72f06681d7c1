#include "serve_start.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <fmt/core.h>
#include <fmt/format.h>

#include "core/log.hpp"
#include "open_files.hpp"

namespace ide::app {

namespace {

void warn_insecure() {
  core::log::warn("**************************************************************************");
  core::log::warn("* --insecure-no-sandbox: submitted code runs WITHOUT ANY ISOLATION, with *");
  core::log::warn("* this user's rights. Never expose this server to anyone you don't trust. *");
  core::log::warn("**************************************************************************");
}

}  // namespace

std::string prepare_settings(const core::Config& config) {
  if (std::string problem = core::validate(config); !problem.empty()) return problem;
  core::log::set_level(config.log_level);
  return "";
}

std::optional<int> check_can_start(const core::Config& config) {
  if (std::string problem = prepare_settings(config); !problem.empty()) {
    fmt::print(stderr, "error: {}\n", problem);
    return 2;
  }
  // Before anything opens a file or starts a thread, so that every later one inherits it.
  std::uint64_t raised_from = 0;
  if (std::string problem = ensure_open_files(config, raised_from); !problem.empty()) {
    fmt::print(stderr, "error: {}\n", problem);
    return 1;
  }
  if (raised_from > 0) {
    core::log::info("open-file limit raised from {} to {} (max-connections {} and the workers)",
                    raised_from, open_files_needed(config), config.max_connections);
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    fmt::print(stderr, "error: cannot create data dir {}: {}\n", config.data_dir.string(),
               ec.message());
    return 1;
  }
  // The databases, their WAL files and the share secret are written here; on a read-only file
  // system SQLite's error would not say which directory is at fault.
  if (::access(config.data_dir.c_str(), W_OK) != 0) {
    fmt::print(stderr,
               "error: the data dir {} is not writable ({}): ide keeps its databases there\n",
               config.data_dir.string(), std::strerror(errno));
    return 1;
  }
  return std::nullopt;
}

void report_open_failure(const core::Config& config, const core::Error& error) {
  fmt::print(stderr, "error: {}\n", error.message);
  // The hint is about isolation; a storage problem has nothing to do with it.
  if (core::hosts(config, "result") && !config.insecure_no_sandbox &&
      error.code != core::ErrorCode::storage_unavailable) {
    fmt::print(stderr,
               "Run `ide doctor` for details. For development only, --insecure-no-sandbox runs "
               "code without isolation.\n");
  }
}

void log_start(const core::Config& config, const HostedModules& modules) {
  for (const std::string& line : modules.layout()) core::log::info("module {}", line);
  const std::string isolation = modules.isolation_summary();
  for (std::string_view rest = isolation; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    if (std::string_view line = rest.substr(0, end); !line.empty()) {
      core::log::info("{}", line);
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (config.internal_token.empty()) {
    core::log::info("internal API: off (no internal_token)");
  } else {
    core::log::info("internal API: /internal/v1/ serves {} to holders of the internal token",
                    fmt::join(config.modules, ", "));
  }
  core::log::info("anonymous access: {}", config.anonymous_access);
  if (config.insecure_no_sandbox && core::hosts(config, "result")) warn_insecure();
}

}  // namespace ide::app
