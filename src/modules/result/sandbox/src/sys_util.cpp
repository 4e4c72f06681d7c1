#include "sys_util.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/core.h>

namespace ide::sandbox::detail {

int write_text(const std::string& path, std::string_view text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = 0;
  ssize_t n = write(fd, text.data(), text.size());
  if (n < 0) {
    err = errno;
  } else if (static_cast<std::size_t>(n) != text.size()) {
    err = EIO;
  }
  close(fd);
  return err;
}

std::optional<std::string> read_text(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return text;
}

std::string errno_message(std::string_view what, int err) {
  return fmt::format("{}: {}", what, std::strerror(err));
}

std::optional<std::int64_t> find_keyed_value(std::string_view text, std::string_view key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      std::string_view number = line.substr(key.size() + 1);
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
      if (ec == std::errc()) return value;
      return std::nullopt;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

core::Result<Fd> detached_tmpfs(std::string_view source, std::string_view options,
                                unsigned attributes) {
  Fd fs(fsopen("tmpfs", FSOPEN_CLOEXEC));
  if (!fs) return core::fail(core::ErrorCode::unavailable, errno_message("fsopen tmpfs", errno));
  const std::string source_name(source);
  if (fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source_name.c_str(), 0) != 0) {
    return core::fail(core::ErrorCode::unavailable, errno_message("tmpfs source", errno));
  }
  while (!options.empty()) {
    std::string_view option = options.substr(0, options.find(','));
    options.remove_prefix(std::min(options.size(), option.size() + 1));
    std::string key(option.substr(0, option.find('=')));
    std::string value(option.substr(std::min(option.size(), key.size() + 1)));
    if (fsconfig(fs.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0) != 0) {
      return core::fail(core::ErrorCode::unavailable, errno_message("tmpfs option " + key, errno));
    }
  }
  if (fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return core::fail(core::ErrorCode::unavailable, errno_message("create tmpfs", errno));
  }
  Fd mount(fsmount(fs.get(), FSMOUNT_CLOEXEC, attributes));
  if (!mount) return core::fail(core::ErrorCode::unavailable, errno_message("fsmount", errno));
  // Above 0-2, like every descriptor the run inherits (they are moved onto 0-2 in the child).
  if (mount.get() <= 2) mount = Fd(fcntl(mount.get(), F_DUPFD_CLOEXEC, 3));
  if (!mount) return core::fail(core::ErrorCode::unavailable, errno_message("dup", errno));
  return mount;
}

}  // namespace ide::sandbox::detail
