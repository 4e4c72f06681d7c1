// Test cases over the v1 API on the real Beast server with the fakes: what a submit carries, the
// refusals naming the field, the owner's view, and the per-test table of a done result.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::HttpTestServer;

TEST_CASE("tests: a submit keeps each test and the compare mode, and shows them to the owner",
          "[http][tests]") {
  HttpTestServer server;
  Answer submitted = test::post(server.port(), "/api/v1/submissions", R"j({"language": "python",
    "code": "print(int(input()) * 2)", "tests": [
      {"name": "small", "stdin": "1", "expected_stdout": "2", "wall_ms": 500},
      {"stdin": "\u0000x", "expected_stdout": "4"}],
    "compare": {"mode": "float", "epsilon": 0.01}})j");
  REQUIRE(submitted.status == 202);
  const std::string id(submitted.json().at("id").as_string());
  auto stored = server.submissions.get(id);
  REQUIRE(stored->tests.size() == 2);
  CHECK(stored->tests[0].name == "small");
  CHECK(stored->tests[0].wall_ms == 500);
  CHECK_FALSE(stored->tests[0].cpu_ms);
  CHECK(stored->tests[1].stdin_data == std::string("\0x", 2));
  CHECK(stored->compare.mode == core::CompareMode::float_tokens);
  CHECK(stored->compare.epsilon == 0.01);

  Answer own = test::get(server.port(), "/api/v1/submissions/" + id);
  CHECK(own.json().at("tests").at(0) ==
        boost::json::parse(R"({"name":"small","stdin":"1","expected_stdout":"2","wall_ms":500})"));
  CHECK(own.json().at("compare") == boost::json::parse(R"({"mode":"float","epsilon":0.01})"));
  // A submission without tests shows neither field; the default compare is trim_trailing.
  Answer plain = test::post(server.port(), "/api/v1/submissions",
                            R"({"language": "python", "code": "1", "compare": "tokens"})");
  const std::string plain_id(plain.json().at("id").as_string());
  CHECK(server.submissions.get(plain_id)->compare.mode == core::CompareMode::tokens);
  CHECK_FALSE(test::get(server.port(), "/api/v1/submissions/" + plain_id)
                  .json()
                  .as_object()
                  .contains("tests"));
}

TEST_CASE("tests: a bad test or compare is refused with 400 naming its field", "[http][tests]") {
  HttpTestServer server;
  const auto refusal = [&](const std::string& extra) {
    Answer answer = test::post(server.port(), "/api/v1/submissions",
                               R"({"language": "python", "code": "1", )" + extra + "}");
    CHECK(answer.status == 400);
    return std::string(answer.json().at("error").at("message").as_string());
  };
  CHECK(refusal(R"("tests": {})") == "Field 'tests' must be an array.");
  CHECK(refusal(R"("tests": [1])") == "Field 'tests[0]' must be an object.");
  CHECK(refusal(R"("tests": [{"expected_stdout": "1"}, {"stdin": "2"}])") ==
        "Field 'tests[1].expected_stdout' is required.");
  CHECK(refusal(R"("tests": [{"expected_stdout": "1", "cpu_ms": 1.5}])") ==
        "Field 'tests[0].cpu_ms' must be an integer.");
  CHECK(refusal(R"("tests": [{"expected_stdout": 1}])") ==
        "Field 'tests[0].expected_stdout' must be a string.");
  CHECK(refusal(R"("compare": "fuzzy")") ==
        "Field 'compare' must be exact, trim_trailing, tokens or float.");
  CHECK(refusal(R"("compare": {"mode": "float", "epsilon": "small"})") ==
        "Field 'compare.epsilon' must be a number.");
  CHECK(server.submissions.size() == 0);
}

TEST_CASE("tests: a done result has the per-test table and a summary", "[http][tests]") {
  HttpTestServer server;
  Answer submitted =
      test::post(server.port(), "/api/v1/submissions", R"({"language": "python", "code": "1"})");
  const std::string id(submitted.json().at("id").as_string());
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = result::Verdict::wrong_answer;
  run.exit_code = 0;
  run.tests = {{.name = "a",
                .verdict = result::Verdict::ok,
                .time_ms = 3,
                .wall_ms = 4,
                .memory_kb = 5,
                .stdout_data = "2\n",
                .stdout_truncated = false,
                .hint = ""},
               {.name = "b",
                .verdict = result::Verdict::wrong_answer,
                .time_ms = 6,
                .wall_ms = 7,
                .memory_kb = 8,
                .stdout_data = "5\n",
                .stdout_truncated = true,
                .hint = R"(line 1: expected "4", got "5")"},
               {.name = "c",
                .verdict = result::Verdict::time_limit_exceeded,
                .time_ms = 9,
                .wall_ms = 9,
                .memory_kb = 9,
                .stdout_data = "",
                .stdout_truncated = false,
                .hint = ""}};
  server.results.set(run);
  Answer done = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  REQUIRE(done.status == 200);
  CHECK(done.json().at("verdict") == "wrong_answer");
  CHECK(done.json().at("summary") == boost::json::parse(R"({"passed":1,"total":3})"));
  const boost::json::value body = done.json();
  const auto& tests = body.at("tests").as_array();
  REQUIRE(tests.size() == 3);
  CHECK(tests[0] == boost::json::parse(R"({"name":"a","verdict":"accepted","time_ms":3,
    "wall_ms":4,"memory_kb":5,"stdout":"2\n","stdout_truncated":false,"hint":""})"));
  CHECK(tests[1].at("hint") == R"(line 1: expected "4", got "5")");
  CHECK(tests[2].at("verdict") == "time_limit_exceeded");
  // In base64, each test's stdout is too.
  Answer encoded = test::get(server.port(), "/api/v1/submissions/" + id + "/result?base64=true");
  CHECK(encoded.json().at("tests").at(1).at("stdout") == "NQo=");
  // A test stdout that is not UTF-8 makes the whole answer base64, losing nothing.
  run.tests[0].stdout_data = "\xff";
  Answer again =
      test::post(server.port(), "/api/v1/submissions", R"({"language": "python", "code": "2"})");
  run.id = std::string(again.json().at("id").as_string());
  server.results.set(run);
  Answer binary = test::get(server.port(), "/api/v1/submissions/" + run.id + "/result");
  CHECK(binary.json().at("encoding") == "base64");
  CHECK(binary.json().at("tests").at(0).at("stdout") == "/w==");
}
