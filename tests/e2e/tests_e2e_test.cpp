// Test cases through the real binary (issue 12, item 1): compiled once, run per test with the
// real toolchains, stored and read back by the real stores (PostgreSQL when split), judged by
// each compare mode.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;

namespace {

std::string submit_body(Api& api, const std::string& body) {
  auto answer = api.post("/api/v1/submissions", body);
  INFO(answer.body);
  REQUIRE(answer.status == 202);
  return std::string(boost::json::parse(answer.body).at("id").as_string());
}

}  // namespace

TEST_CASE("tests e2e: a C program passes some tests, fails others, each with its verdict",
          "[e2e][tests]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  boost::json::object body = boost::json::parse(R"j({"language": "c",
    "tests": [{"name": "small", "stdin": "2 3", "expected_stdout": "6"},
              {"stdin": "4 5", "expected_stdout": "21"},
              {"name": "no input", "stdin": "", "expected_stdout": "0"},
              {"name": "big", "stdin": "100000 100000", "expected_stdout": "10000000000\n"}],
    "compare": "tokens"})j")
                                 .as_object();
  body["code"] =
      "#include <stdio.h>\n"
      "int main(void) { long a, b; if (scanf(\"%ld %ld\", &a, &b) != 2) return 3;\n"
      "  printf(\"%ld\\n\", a * b); return 0; }\n";
  const std::string id = submit_body(api, boost::json::serialize(body));
  const boost::json::object done = api.wait_done(id);
  INFO(boost::json::serialize(done));
  CHECK(done.at("verdict") == "wrong_answer");
  CHECK(done.at("summary") == boost::json::parse(R"({"passed":2,"total":4})"));
  const auto& tests = done.at("tests").as_array();
  REQUIRE(tests.size() == 4);
  CHECK(tests[0].at("verdict") == "accepted");
  CHECK(tests[0].at("stdout") == "6\n");
  CHECK(tests[1].at("name") == "2");
  CHECK(tests[1].at("verdict") == "wrong_answer");
  CHECK(tests[1].at("hint") == R"(token 1: expected "21", got "20")");
  CHECK(tests[2].at("verdict") == "runtime_error");
  CHECK(tests[3].at("verdict") == "accepted");
  CHECK(done.at("stdout") == "20\n");  // the first failed test's run

  // The owner's view keeps the tests as sent; a share shows the table too.
  auto own = boost::json::parse(api.get("/api/v1/submissions/" + id).body);
  CHECK(own.at("tests").at(1) == boost::json::parse(R"({"name":"","stdin":"4 5",
    "expected_stdout":"21"})"));
  CHECK(own.at("compare").at("mode") == "tokens");
}

TEST_CASE("tests e2e: Python floats within epsilon, a test's own time limit, bad tests refused",
          "[e2e][tests]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  const std::string id = submit_body(api, R"j({"language": "python",
    "code": "import time\nn = float(input())\nif n < 0: time.sleep(10)\nprint(n / 3)\n",
    "tests": [{"name": "third", "stdin": "1", "expected_stdout": "0.333"},
              {"name": "slow", "stdin": "-1", "expected_stdout": "", "wall_ms": 1000}],
    "compare": {"mode": "float", "epsilon": 0.001}})j");
  const boost::json::object done = api.wait_done(id);
  INFO(boost::json::serialize(done));
  CHECK(done.at("tests").at(0).at("verdict") == "accepted");
  CHECK(done.at("tests").at(1).at("verdict") == "time_limit_exceeded");
  CHECK(done.at("verdict") == "time_limit_exceeded");

  auto missing = api.post("/api/v1/submissions",
                          R"({"language": "python", "code": "1", "tests": [{"stdin": "1"}]})");
  CHECK(missing.status == 400);
  CHECK(missing.body.find("tests[0].expected_stdout") != std::string::npos);
  std::string many = R"({"language": "python", "code": "1", "tests": [)";
  for (int i = 0; i < 65; ++i) many += std::string(i ? "," : "") + R"({"expected_stdout": ""})";
  CHECK(api.post("/api/v1/submissions", many + "]}").status == 400);
}
