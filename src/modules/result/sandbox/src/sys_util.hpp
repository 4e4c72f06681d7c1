// Small system helpers shared by the sandbox's parent-side code (never used in a child).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ide::sandbox::detail {

/// Writes `text` to an existing file (a cgroup or /proc control file). Returns 0 or errno.
int write_text(const std::string& path, std::string_view text);
/// The whole content of a (small) file, or nullopt.
std::optional<std::string> read_text(const std::string& path);
/// "what: strerror(err)".
std::string errno_message(std::string_view what, int err);
/// The integer after `key` and a space in a "key value" per line file, or nullopt.
std::optional<std::int64_t> find_keyed_value(std::string_view text, std::string_view key);
bool path_exists(const std::string& path);

}  // namespace ide::sandbox::detail
