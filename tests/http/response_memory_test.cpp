// What one answer may hold in memory, over real loopback sockets: a result of megabytes of
// control bytes is served within 4/3 of its bytes and byte-exact.
#include <catch2/catch.hpp>


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
