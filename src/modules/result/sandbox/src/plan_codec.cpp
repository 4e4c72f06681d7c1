#include "plan_codec.hpp"

#include <cstdint>
#include <cstring>

namespace ide::sandbox::detail {
namespace {

constexpr std::uint64_t kMagic = 0x316e616c70656469;  // "ideplan1"
constexpr std::uint64_t kNull = ~std::uint64_t{0};

class Writer {
 public:
  void u64(std::uint64_t value) { bytes_.append(reinterpret_cast<const char*>(&value), 8); }
  void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
  // A string with its terminating NUL, so the decoder can point into the buffer.
  void text(const char* value) {
    if (value == nullptr) {
      u64(kNull);
      return;
    }
    std::size_t size = std::strlen(value);
    u64(size);
    bytes_.append(value, size + 1);
  }
  void blob(const void* data, std::size_t size) {
    u64(size);
    bytes_.append(static_cast<const char*>(data), size);
    bytes_.push_back('\0');
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Reader {
 public:
  explicit Reader(std::string& bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  std::uint64_t u64() {
    if (!ok_ || bytes_.size() - pos_ < 8) {
      ok_ = false;
      return 0;
    }
    std::uint64_t value = 0;
    std::memcpy(&value, bytes_.data() + pos_, 8);
    pos_ += 8;
    return value;
  }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  int i32() { return static_cast<int>(i64()); }
  // Points into the buffer; null for a null string.
  char* text(std::size_t* size = nullptr) {
    std::uint64_t length = u64();
    if (!ok_ || length == kNull) return nullptr;
    if (length >= bytes_.size() - pos_) {
      ok_ = false;
      return nullptr;
    }
    char* start = bytes_.data() + pos_;
    pos_ += length + 1;
    if (size != nullptr) *size = length;
    return start;
  }

 private:
  std::string& bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string encode_plan(const ChildPlan& plan) {
  Writer w;
  w.u64(kMagic);
  for (int fd : {plan.stdin_fd, plan.stdout_fd, plan.stderr_fd, plan.error_fd, plan.go_fd,
                 plan.status_fd, plan.work_dir_fd}) {
    w.i64(fd);
  }
  for (int fd : plan.mount_fds) w.i64(fd);
  w.text(plan.work_dir_path);
  w.text(plan.exec_path);
  std::uint64_t argc = 0;
  while (plan.argv[argc] != nullptr) ++argc;
  w.u64(argc);
  for (std::uint64_t i = 0; i < argc; ++i) w.text(plan.argv[i]);
  std::uint64_t envc = 0;
  while (plan.envp[envc] != nullptr) ++envc;
  w.u64(envc);
  for (std::uint64_t i = 0; i < envc; ++i) w.text(plan.envp[i]);
  w.u64(static_cast<std::uint64_t>(plan.rlimit_count));
  for (int i = 0; i < plan.rlimit_count; ++i) {
    w.i64(plan.rlimits[i].resource);
    w.u64(plan.rlimits[i].value.rlim_cur);
    w.u64(plan.rlimits[i].value.rlim_max);
  }
  w.u64(plan.change_identity ? 1 : 0);
  w.u64(plan.uid);
  w.u64(plan.gid);
  w.i64(plan.last_cap);
  if (plan.seccomp != nullptr) {
    w.blob(plan.seccomp->filter, plan.seccomp->len * sizeof(sock_filter));
  } else {
    w.u64(kNull);
  }
  w.u64(plan.mount_count);
  for (std::size_t i = 0; i < plan.mount_count; ++i) {
    const MountOp& op = plan.mounts[i];
    w.u64(static_cast<std::uint64_t>(op.kind));
    w.text(op.source);
    w.text(op.target);
    if (op.data == nullptr) {
      w.u64(kNull);
    } else {
      w.blob(op.data, op.kind == MountOp::Kind::write_file ? op.size : std::strlen(op.data));
    }
    w.u64(op.flags);
    w.u64(op.mode);
    w.i64(op.fd);
    w.u64(op.remount ? 1 : 0);
    w.u64(op.optional ? 1 : 0);
  }
  w.text(plan.root_dir);
  w.i64(plan.root_fd);
  w.text(plan.hostname);
  return w.take();
}

std::unique_ptr<DecodedPlan> decode_plan(std::string bytes) {
  auto decoded = std::make_unique<DecodedPlan>();
  decoded->bytes = std::move(bytes);
  Reader r(decoded->bytes);
  ChildPlan& plan = decoded->plan;
  if (r.u64() != kMagic) return nullptr;
  plan.secure = true;
  plan.stdin_fd = r.i32();
  plan.stdout_fd = r.i32();
  plan.stderr_fd = r.i32();
  plan.error_fd = r.i32();
  plan.go_fd = r.i32();
  plan.status_fd = r.i32();
  plan.work_dir_fd = r.i32();
  for (int& fd : plan.mount_fds) fd = r.i32();
  plan.work_dir_path = r.text();
  plan.exec_path = r.text();
  std::uint64_t argc = r.u64();
  for (std::uint64_t i = 0; r.ok() && i < argc; ++i) decoded->argv.push_back(r.text());
  decoded->argv.push_back(nullptr);
  std::uint64_t envc = r.u64();
  for (std::uint64_t i = 0; r.ok() && i < envc; ++i) decoded->envp.push_back(r.text());
  decoded->envp.push_back(nullptr);
  plan.argv = decoded->argv.data();
  plan.envp = decoded->envp.data();
  std::uint64_t limits = r.u64();
  if (limits > sizeof plan.rlimits / sizeof plan.rlimits[0]) return nullptr;
  plan.rlimit_count = static_cast<int>(limits);
  for (std::uint64_t i = 0; i < limits; ++i) {
    plan.rlimits[i].resource = r.i32();
    plan.rlimits[i].value.rlim_cur = r.u64();
    plan.rlimits[i].value.rlim_max = r.u64();
  }
  plan.change_identity = r.u64() != 0;
  plan.uid = static_cast<uid_t>(r.u64());
  plan.gid = static_cast<gid_t>(r.u64());
  plan.last_cap = r.i32();
  std::size_t filter_size = 0;
  if (char* filter = r.text(&filter_size)) {
    if (filter_size % sizeof(sock_filter) != 0) return nullptr;
    decoded->filter.resize(filter_size / sizeof(sock_filter));
    std::memcpy(decoded->filter.data(), filter, filter_size);
    decoded->program.len = static_cast<unsigned short>(decoded->filter.size());
    decoded->program.filter = decoded->filter.data();
    plan.seccomp = &decoded->program;
  }
  std::uint64_t mounts = r.u64();
  for (std::uint64_t i = 0; r.ok() && i < mounts; ++i) {
    MountOp op;
    op.kind = static_cast<MountOp::Kind>(r.u64());
    op.source = r.text();
    op.target = r.text();
    op.data = r.text(&op.size);
    op.flags = r.u64();
    op.mode = static_cast<unsigned>(r.u64());
    op.fd = r.i32();
    op.remount = r.u64() != 0;
    op.optional = r.u64() != 0;
    decoded->mounts.push_back(op);
  }
  plan.mounts = decoded->mounts.data();
  plan.mount_count = decoded->mounts.size();
  plan.root_dir = r.text();
  plan.root_fd = r.i32();
  plan.hostname = r.text();
  if (!r.ok() || plan.exec_path == nullptr || plan.root_dir == nullptr) return nullptr;
  return decoded;
}

}  // namespace ide::sandbox::detail
