// The seccomp filter of every run, compiled once with libseccomp into a BPF program.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "core/error.hpp"

namespace ide::sandbox::detail {

/// A ready-to-load BPF program (what the child passes to seccomp(2)).
class SeccompProgram {
 public:
  /// Builds the deny-list filter. Errors: unavailable (libseccomp failed).
  static core::Result<SeccompProgram> build();
  const sock_fprog* program() const { return &program_; }
  std::size_t instruction_count() const { return filter_.size(); }

  SeccompProgram(const SeccompProgram& other) : filter_(other.filter_) { point(); }
  SeccompProgram(SeccompProgram&& other) noexcept : filter_(std::move(other.filter_)) { point(); }
  SeccompProgram& operator=(const SeccompProgram&) = delete;
  SeccompProgram& operator=(SeccompProgram&&) = delete;

 private:
  SeccompProgram() = default;
  void point() {
    program_.len = static_cast<unsigned short>(filter_.size());
    program_.filter = filter_.data();
  }
  std::vector<sock_filter> filter_;
  sock_fprog program_{};
};

}  // namespace ide::sandbox::detail
