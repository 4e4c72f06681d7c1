#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/clock.hpp"

namespace ide::core::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_write_mutex;

std::string_view name_of(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "?";
}
}  // namespace

bool set_level(std::string_view name) {
  for (const Level level : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (name == name_of(level)) {
      set_level(level);
      return true;
    }
  }
  return false;
}

void set_level(Level level) { g_level.store(static_cast<int>(level)); }

bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

void write(Level level, std::string_view message) {
  const std::string line = fmt::format("{} {:5} {}\n", to_rfc3339(std::chrono::system_clock::now()),
                                       name_of(level), message);
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace ide::core::log
