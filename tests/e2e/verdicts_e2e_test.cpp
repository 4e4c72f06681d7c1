// Truthful verdicts over HTTP (issue 9, item 4): the real `ide serve` (isolated when the host
// can, as the server runs by default) reports a Python program that allocates 2 GiB under the
// default 256 MiB as memory_limit_exceeded, and a SIGXCPU the program sends itself as a
// runtime_error with signal 24, never as a time limit.
#include <catch2/catch.hpp>

#include <signal.h>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;

TEST_CASE("memory and SIGXCPU verdicts over HTTP", "[e2e][verdicts]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  const std::string memory = api.submit("python", "b = bytearray(2 * 1024**3)\nprint(len(b))\n");
  const std::string xcpu =
      api.submit("python", "import os, signal\nos.kill(os.getpid(), signal.SIGXCPU)\n");

  auto refused = api.wait_done(memory);
  INFO(boost::json::serialize(refused) << "\n" << server.log());
  CHECK(refused.at("verdict") == "memory_limit_exceeded");
  CHECK(test::str(refused.at("stdout")).empty());

  auto signaled = api.wait_done(xcpu);
  INFO(boost::json::serialize(signaled));
  CHECK(signaled.at("verdict") == "runtime_error");
  CHECK(signaled.at("signal") == SIGXCPU);
  CHECK(signaled.at("exit_code").is_null());
  CHECK(server.stop() == 0);
}
