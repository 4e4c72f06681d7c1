// What one answer and all answers together may hold in memory, over real loopback sockets: a
// result of megabytes of control bytes is served within 4/3 of its bytes and byte-exact, and
// clients that send a request and never read cannot make the server hold more than its budget
// of unsent responses (503 with Retry-After beyond, normal service once they go).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include "http/codec.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::HttpTestServer;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;
// Everything in a done result but its three outputs (ids, verdict, times, field names) is a few
// hundred bytes; docs/API.md promises at most this much.
constexpr std::size_t kFixedFieldsBytes = 1024;

/// Every control byte but the ones with a short JSON escape (\n, \t...): 6 bytes each as \uXXXX.
std::string control_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<char>(i % 8 == 0 ? 0x01 : i % 8 + 0x0e);
  }
  return bytes;
}

std::string submit(std::uint16_t port, const std::string& code) {
  boost::json::object body{{"language", "python"}, {"code", code}};
  Answer answer = test::post(port, "/api/v1/submissions", boost::json::serialize(body));
  REQUIRE(answer.status == 202);
  return std::string(answer.json().at("id").as_string());
}

/// A done result with 4 MiB of control bytes on stdout and on stderr and 1 MiB of compiler output.
result::RunResult control_byte_run(const std::string& id) {
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = result::Verdict::ok;
  run.exit_code = 0;
  run.stdout_data = control_bytes(4 * kMiB);
  run.stderr_data = std::string(4 * kMiB, '\x02');
  run.compile_output = std::string(1 * kMiB, '\0');
  return run;
}

std::size_t output_bytes(const result::RunResult& run) {
  return run.stdout_data.size() + run.stderr_data.size() + run.compile_output.size();
}

void check_outputs_exact(const boost::json::object& shown, const result::RunResult& run) {
  REQUIRE(shown.at("encoding") == "base64");
  CHECK(http::base64_decode(test::str(shown.at("stdout"))) == run.stdout_data);
  CHECK(http::base64_decode(test::str(shown.at("stderr"))) == run.stderr_data);
  CHECK(http::base64_decode(test::str(shown.at("compile_output"))) == run.compile_output);
}

/// A client that sends one request and never reads the answer, with a small receive buffer so
/// the kernel takes little of the answer off the server. Closing it resets the connection.
class StalledClient {
 public:
  StalledClient(std::uint16_t port, const std::string& target) : socket_(ioc_) {
    namespace net = boost::asio;
    socket_.open(net::ip::tcp::v4());
    socket_.set_option(net::socket_base::receive_buffer_size(4096));
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    net::write(socket_, net::buffer(request));
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
};

/// Samples `server.unsent_bytes()` on a thread until destroyed; the highest value seen.
class UnsentSampler {
 public:
  explicit UnsentSampler(const http::Server& server)
      : thread_([this, &server] {
          while (!done_) {
            const std::size_t now = server.unsent_bytes();
            if (now > peak_) peak_ = now;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
        }) {}
  ~UnsentSampler() {
    done_ = true;
    thread_.join();
  }
  std::size_t peak() const { return peak_; }

 private:
  std::atomic<bool> done_{false};
  std::atomic<std::size_t> peak_{0};
  std::thread thread_;
};

/// Waits up to 10 s for `condition`.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

TEST_CASE("9 MiB of control bytes come back within 4/3 of their size, byte-exact",
          "[http][server][response_memory]") {
  HttpTestServer server;
  // Code of control bytes too: its JSON string is never longer than the request that stored it.
  const std::string code = control_bytes(10'000);
  const std::string submit_body =
      boost::json::serialize(boost::json::object{{"language", "python"}, {"code", code}});
  const std::string id = submit(server.port(), code);
  const result::RunResult run = control_byte_run(id);
  server.results.set(run);
  const std::size_t bound = http::base64_encoded_size(run.stdout_data.size()) +
                            http::base64_encoded_size(run.stderr_data.size()) +
                            http::base64_encoded_size(run.compile_output.size()) +
                            kFixedFieldsBytes;
  CHECK(bound <= output_bytes(run) * 4 / 3 + kFixedFieldsBytes + 8);  // padding: 3 x 8/3

  Answer result = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  REQUIRE(result.status == 200);
  INFO("result body: " << result.body.size() << " bytes for " << output_bytes(run));
  CHECK(result.body.size() <= bound);
  check_outputs_exact(result.json().as_object(), run);

  const std::string slug(
      test::post(server.port(), "/api/v1/submissions/" + id + "/share", "").json().at("slug")
          .as_string());
  Answer share = test::get(server.port(), "/api/v1/shares/" + slug);
  REQUIRE(share.status == 200);
  INFO("share body: " << share.body.size() << " bytes");
  CHECK(share.body.size() <= bound + submit_body.size());
  CHECK(test::str(share.json().at("code")) == code);
  check_outputs_exact(share.json().at("result").as_object(), run);
}

TEST_CASE("clients that never read cannot make the server hold more than max_unsent_bytes",
          "[http][server][response_memory]") {
  auto options = HttpTestServer::small_options();
  options.max_unsent_bytes = 26 * kMiB;  // room for two 12 MiB answers, not three
  options.write_timeout = std::chrono::milliseconds(60'000);
  // Without the result cache: answers the cache shares are bounded by the cache, not the budget.
  HttpTestServer server(options, "", {}, 0, 0);
  const std::string id = submit(server.port(), "print(1)");
  const result::RunResult run = control_byte_run(id);
  server.results.set(run);
  const std::string target = "/api/v1/submissions/" + id + "/result";
  const std::size_t answer_size = test::get(server.port(), target).body.size();
  REQUIRE(answer_size > 10 * kMiB);
  REQUIRE(server.server->unsent_bytes() == 0);

  constexpr int kStalled = 8;
  std::vector<std::unique_ptr<StalledClient>> stalled;
  {
    UnsentSampler sampler(*server.server);
    for (int i = 0; i < kStalled; ++i) {
      stalled.push_back(std::make_unique<StalledClient>(server.port(), target));
    }
    // Two answers fit and stay held (the kernel takes a few MiB of each, not 11); the rest
    // are 503s, written at once.
    REQUIRE(eventually([&] { return server.server->unsent_bytes() >= 2 * answer_size; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));

    Answer refused = test::get(server.port(), target);
    INFO(refused.body.substr(0, 200));
    CHECK(refused.status == 503);
    CHECK(refused.error_code() == "unavailable");
    CHECK(refused.header("retry-after") == "1");
    CHECK_THAT(refused.error_message(), Catch::Contains("not read"));
    // Small answers still fit beside the held ones.
    CHECK(test::get(server.port(), "/healthz").status == 200);
    INFO("peak unsent bytes: " << sampler.peak());
    CHECK(sampler.peak() <= options.max_unsent_bytes + kStalled * 1024);
    CHECK(server.server->unsent_bytes() <= options.max_unsent_bytes);
  }

  stalled.clear();  // reset: the server's writes fail and give their bytes back
  REQUIRE(eventually([&] { return server.server->unsent_bytes() == 0; }));
  Answer served = test::get(server.port(), target);
  REQUIRE(served.status == 200);
  check_outputs_exact(served.json().as_object(), run);
}

TEST_CASE("an answer larger than the whole budget is still served when it is alone",
          "[http][server][response_memory]") {
  auto options = HttpTestServer::small_options();
  options.max_unsent_bytes = 1 * kMiB;
  HttpTestServer server(options);
  const std::string id = submit(server.port(), "print(1)");
  const result::RunResult run = control_byte_run(id);
  server.results.set(run);
  Answer served = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  REQUIRE(served.status == 200);
  check_outputs_exact(served.json().as_object(), run);
  CHECK(server.server->unsent_bytes() == 0);
}
