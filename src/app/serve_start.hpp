// What `ide serve` checks before it opens anything, and what it logs once it listens: kept out of
// serve.cpp, which composes the server.
#pragma once

#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"
#include "hosted_modules.hpp"

namespace ide::app {

/// Validates `config` and applies its log level: what every command that reads the server config
/// needs. The reason it cannot be used, or "" when it can.
std::string prepare_settings(const core::Config& config);

/// Checks what `ide serve` needs before it opens anything: valid settings, enough open files
/// (raising the soft limit if it must) and a writable data dir. The exit code when something is
/// missing, having said why on stderr.
std::optional<int> check_can_start(const core::Config& config);

/// Says on stderr why the modules did not open, with the isolation hint where it applies.
void report_open_failure(const core::Config& config, const core::Error& error);

/// Logs which modules run here and which elsewhere, the isolation in use and the internal API.
void log_start(const core::Config& config, const HostedModules& modules);

}  // namespace ide::app
