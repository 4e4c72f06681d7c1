// Logging with fmt: one line per event on stderr, with time and level. Thread-safe.
#pragma once

#include <string_view>

#include <fmt/core.h>

namespace ide::core::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

/// Sets the lowest level written. Accepts "debug", "info", "warn", "error"; false otherwise.
bool set_level(std::string_view name);
void set_level(Level level);
bool enabled(Level level);
void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::info)) write(Level::info, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::warn)) write(Level::warn, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(Level::error)) write(Level::error, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace ide::core::log
