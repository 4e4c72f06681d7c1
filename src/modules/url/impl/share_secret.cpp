#include "share_secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "core/ids.hpp"
#include "core/log.hpp"

namespace ide::url {

namespace {

constexpr std::size_t kSecretBytes = 32;
// A secret file larger than this is not one we wrote: refuse rather than read it all.
constexpr std::size_t kMaxSecretFileBytes = 4096;

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// Closes a descriptor on every path out of a scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  /// Closes now, reporting the error close() can give (the last chance to see a write fail).
  void close(const std::string& what) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw_errno(errno, what);
  }

 private:
  int fd_;
};

std::string to_hex(std::string_view bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const unsigned char byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0F]);
  }
  return hex;
}

std::string trim(std::string text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t end = text.find_last_not_of(kSpace);
  if (end == std::string::npos) return {};
  text.erase(end + 1);
  text.erase(0, text.find_first_not_of(kSpace));
  return text;
}

// The secret in `file`, or nullopt when the file does not exist.
std::optional<std::string> read_secret(const std::filesystem::path& file) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno(errno, "open " + file.string());
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    core::log::warn("{} is readable by other users; it should have mode 0600", file.string());
  }
  std::string content;
  char buffer[1024];
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "read " + file.string());
    }
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
    if (content.size() > kMaxSecretFileBytes) {
      throw std::runtime_error(file.string() + " is too large to be a share secret");
    }
  }
  std::string secret = trim(std::move(content));
  if (secret.empty()) {
    throw std::runtime_error(file.string() +
                             " is empty; delete it to generate a new share secret");
  }
  return secret;
}

void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, what);
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

// Makes a new directory entry durable.
void sync_directory(const std::filesystem::path& directory) {
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    throw_errno(errno, "fsync " + directory.string());
  }
}

}  // namespace

std::string load_or_create_share_secret(const std::filesystem::path& file) {
  if (auto existing = read_secret(file)) return *existing;

  const std::string secret = to_hex(core::random_bytes(kSecretBytes));
  std::filesystem::path directory = file.parent_path();
  if (directory.empty()) directory = ".";
  const std::filesystem::path temp =
      directory / ("." + file.filename().string() + "." + to_hex(core::random_bytes(6)) + ".tmp");

  // Written in full and synced under a temporary name, so the real name never shows a partial
  // secret, even after a crash.
  {
    FileDescriptor fd(
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) throw_errno(errno, "create " + temp.string());
    try {
      // The umask could only have narrowed 0600; make it exact.
      if (::fchmod(fd.get(), 0600) != 0) throw_errno(errno, "chmod " + temp.string());
      write_all(fd.get(), secret + "\n", "write " + temp.string());
      if (::fsync(fd.get()) != 0) throw_errno(errno, "fsync " + temp.string());
      fd.close("close " + temp.string());
    } catch (...) {
      ::unlink(temp.c_str());
      throw;
    }
  }

  // link(), unlike rename(), never replaces a secret another process wrote first; rename() is
  // the fallback on filesystems without hard links.
  if (::link(temp.c_str(), file.c_str()) != 0) {
    const int error = errno;
    if (error == EEXIST) {
      ::unlink(temp.c_str());
      if (auto existing = read_secret(file)) return *existing;
      throw std::runtime_error(file.string() + " vanished while it was being created");
    }
    if (error != EPERM && error != EOPNOTSUPP && error != EMLINK) {
      ::unlink(temp.c_str());
      throw_errno(error, "link " + file.string());
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) {
      const int rename_error = errno;
      ::unlink(temp.c_str());
      throw_errno(rename_error, "rename " + file.string());
    }
  } else {
    ::unlink(temp.c_str());
  }
  sync_directory(directory);
  core::log::info("generated a new share secret in {}", file.string());
  return secret;
}

}  // namespace ide::url
