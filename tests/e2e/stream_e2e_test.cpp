// Live output and interactive stdin through the real binary (issue 12 item 5): a Python program
// that prints a line a second streams each line as it is printed over the WebSocket, reads a
// line sent on it, and the stream ends with the same result as GET .../result.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <boost/json.hpp>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/stream_client.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kTicker =
    "import time\n"
    "for i in range(3):\n"
    "    print('tick', i, flush=True)\n"
    "    time.sleep(1)\n"
    "print('name?', flush=True)\n"
    "print('hello', input())\n";

}  // namespace

TEST_CASE("stream e2e: a line a second arrives live, and an interactive line is read",
          "[e2e][stream][not-in-split]") {
  test::TempDir dir;
  test::ServerProcess server(dir.path());
  test::Api api(server.url());
  boost::json::object body{{"language", "python"}, {"code", kTicker}, {"interactive", true}};
  auto submitted = api.post("/api/v1/submissions", boost::json::serialize(body));
  INFO(submitted.body);
  REQUIRE(submitted.status == 202);
  const std::string id(boost::json::parse(submitted.body).at("id").as_string());

  test::StreamClient client(test::port_of_url(server.url()), id);
  REQUIRE_FALSE(client.refusal);
  std::string streamed;
  std::optional<Clock::time_point> first_tick;
  std::optional<boost::json::object> result;
  bool answered = false;
  while (auto frame = client.next(30s)) {
    INFO(boost::json::serialize(*frame));
    const auto& type = frame->at("type").as_string();
    if (type == "result") {
      result = frame->at("result").as_object();
      break;
    }
    REQUIRE(type == "stdout");
    streamed += frame->at("data").as_string();
    if (!first_tick) first_tick = Clock::now();
    if (!answered && streamed.find("name?\n") != std::string::npos) {
      answered = true;
      client.send({{"type", "stdin"}, {"data", "Ada\n"}});
    }
  }
  REQUIRE(result);
  const auto ended = Clock::now();
  REQUIRE(first_tick);
  // The first line came while the program still had two seconds of sleeping to do.
  CHECK(ended - *first_tick >= 1500ms);
  CHECK(result->at("verdict") == "ok");
  CHECK(result->at("stdout") == "tick 0\ntick 1\ntick 2\nname?\nhello Ada\n");
  CHECK(streamed == result->at("stdout").as_string());
  CHECK(boost::json::parse(api.get("/api/v1/submissions/" + id + "/result").body) == *result);
  CHECK_FALSE(client.next(5s));  // closed after the result
}

TEST_CASE("stream e2e: a plain run keeps its given stdin and its stream ends with the result",
          "[e2e][stream]") {
  test::TempDir dir;
  test::ServerProcess server(dir.path());
  test::Api api(server.url());
  boost::json::object body{
      {"language", "python"}, {"code", "print(input())"}, {"stdin", "given\n"}};
  auto submitted = api.post("/api/v1/submissions", boost::json::serialize(body));
  REQUIRE(submitted.status == 202);
  const std::string id(boost::json::parse(submitted.body).at("id").as_string());
  test::StreamClient client(test::port_of_url(server.url()), id);
  REQUIRE_FALSE(client.refusal);
  std::optional<boost::json::object> result;
  while (auto frame = client.next(30s)) {
    if (frame->at("type") == "result") {
      result = frame->at("result").as_object();
      break;
    }
  }
  REQUIRE(result);
  CHECK(result->at("stdout") == "given\n");
}
