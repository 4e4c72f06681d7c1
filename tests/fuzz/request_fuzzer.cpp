// libFuzzer target over the request path (issue 4 item 5): bytes -> HTTP parser with the server's
// limits -> routing -> handlers -> JSON decoding and validation -> the real submission module.
// Crashes, sanitizer reports, leaks and broken API rules (request_harness.hpp) are findings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "request_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ide::test::run_request_bytes(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
