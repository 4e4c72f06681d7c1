// `ide serve` and `ide doctor`: the composition root that builds the modules and the server.
#pragma once

#include "core/config.hpp"

namespace ide::app {

/// Runs the server until SIGTERM or SIGINT; returns the process exit code.
int run_serve(const core::Config& config);

/// Prints what isolation and which languages this machine offers; returns the exit code.
int run_doctor(const core::Config& config);

}  // namespace ide::app
