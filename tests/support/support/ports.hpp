// Loopback ports for tests that must name a port before the process that listens on it starts.
#pragma once

#include <cstdint>

namespace ide::test {

/// A 127.0.0.1 port nothing listens on now: the kernel's pick, released again (another process
/// could take it before the caller does, which the kernel makes unlikely by not reusing it soon).
/// Throws std::runtime_error when none can be had.
std::uint16_t free_loopback_port();

}  // namespace ide::test
