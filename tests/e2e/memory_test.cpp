// The memory a real `ide serve` holds for answers its clients do not read, measured as the
// child's VmRSS: a result of 8 MiB of control bytes comes back byte-exact, and clients that send
// a GET for it and never read make the server hold at most its `max_unsent` budget (64 MiB by
// default), with 503 for later requests until they go.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "e2e_support.hpp"
#include "http/codec.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;
using test::str;

namespace {

constexpr long kMiB = 1024 * 1024;

/// VmRSS of process `pid`, in bytes.
long resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  }
  FAIL("no VmRSS for " << pid);
  return 0;
}

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

/// Sends one GET and never reads; a small receive buffer keeps the kernel from taking much of the
/// answer off the server. Closing resets the connection.
class StalledClient {
 public:
  StalledClient(std::uint16_t port, const std::string& target)
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    const int small = 4096;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(write(fd_, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  }
  StalledClient(const StalledClient&) = delete;
  StalledClient& operator=(const StalledClient&) = delete;
  ~StalledClient() { close(fd_); }

 private:
  int fd_;
};

}  // namespace

// [not-in-split]: it measures one process's resident memory; split, the payloads cross three.
TEST_CASE("clients that never read hold at most max_unsent of a real server's memory",
          "[e2e][memory][not-in-guest][not-in-split]") {
  test::TempDir dir;
  // Buffers of 1 MiB and more straight from mmap and back on free (a fixed threshold turns off
  // glibc's raising it), so VmRSS counts memory in use, not what the allocator keeps cached
  // after the answers built by the blocking threads are gone.
  ::setenv("MALLOC_MMAP_THRESHOLD_", "1048576", 1);
  // Without the result cache: answers it shares are bounded by result_cache, not max_unsent.
  ServerProcess server(dir.path(), {"--result-cache", "0"});
  ::unsetenv("MALLOC_MMAP_THRESHOLD_");
  Api api(server.url());
  const std::string id = api.submit("python",
                                    "import sys\nsys.stdout.buffer.write(b'\\x01' * 4194304)\n"
                                    "sys.stderr.buffer.write(b'\\x1f' * 4194304)\n");
  const boost::json::object done = api.wait_done(id);
  INFO("verdict " << done.at("verdict") << ", truncated " << done.at("truncated") << "\n"
                  << server.log().substr(0, 2000));
  REQUIRE(done.at("verdict") == "ok");
  REQUIRE(done.at("encoding") == "base64");
  CHECK(http::base64_decode(str(done.at("stdout"))) == std::string(4 * kMiB, '\x01'));
  CHECK(http::base64_decode(str(done.at("stderr"))) == std::string(4 * kMiB, '\x1f'));
  const std::string target = "/api/v1/submissions/" + id + "/result";
  const auto answer = api.get(target);
  REQUIRE(answer.status == 200);
  CHECK(answer.body.size() <= 2 * http::base64_encoded_size(4 * kMiB) + 1024);

  const long before = resident_bytes(server.pid());
  // 12 answers of 11.2 MB; 12 x 48 MiB held before the budget, when \u0001 escapes were sent.
  constexpr int kStalled = 12;
  std::vector<std::unique_ptr<StalledClient>> stalled;
  for (int i = 0; i < kStalled; ++i) {
    stalled.push_back(std::make_unique<StalledClient>(port_of(server.url()), target));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // one answer built at a time
  }
  const long during = resident_bytes(server.pid());
  const std::string measured = fmt::format("VmRSS {} MiB before, {} MiB with {} stalled clients",
                                           before / kMiB, during / kMiB, kStalled);
  std::fprintf(stderr, "%s\n", measured.c_str());
  INFO(measured);
  // The budget, plus room for one answer in the making and the allocator's slack.
  CHECK(during - before <= 64 * kMiB + 40 * kMiB);

  const auto refused = api.get(target);
  CHECK(refused.status == 503);
  CHECK(test::error_code(refused) == "unavailable");
  CHECK(refused.retry_after == "1");

  stalled.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto served = api.get(target);
  REQUIRE(served.status == 200);
  CHECK(served.body == answer.body);
  CHECK(server.stop() == 0);
}
