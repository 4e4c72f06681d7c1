// The secure-mode ChildPlan as bytes: the server encodes it, ide-sandbox-init decodes it.
#pragma once

#include <linux/filter.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "child.hpp"

namespace ide::sandbox::detail {

/// Everything of `plan` (strings, argv, env, rlimits, mounts, the seccomp program).
std::string encode_plan(const ChildPlan& plan);

/// A decoded plan and the storage its pointers point into.
struct DecodedPlan {
  ChildPlan plan;
  std::string bytes;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<MountOp> mounts;
  std::vector<sock_filter> filter;
  sock_fprog program{};
};

/// Decodes what encode_plan produced. Null when the bytes are malformed.
std::unique_ptr<DecodedPlan> decode_plan(std::string bytes);

}  // namespace ide::sandbox::detail
