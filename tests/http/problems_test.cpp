// Problems over the v1 API on the real Beast server, the real problem module on a temp dir and
// the fakes of the others: an admin writes, anyone reads with hidden tests redacted, a submit to
// a problem is judged on its tests (visible first) and its limits, and every refusal keeps
// nothing.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

const std::string kProblem = R"j({"title": "Double it", "statement": "Print **2n**.",
  "starter_code": {"python": "n = int(input())\n"},
  "tests": [{"name": "hidden one", "stdin": "SECRET-7", "expected_stdout": "14", "hidden": true},
            {"name": "one", "stdin": "1", "expected_stdout": "2"},
            {"stdin": "5", "expected_stdout": "10", "hidden": true, "cpu_ms": 500}],
  "compare": "tokens", "limits": {"cpu_ms": 1000, "wall_ms": 3000}})j";

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers admin() { return {{"Authorization", "Bearer " + std::string(test::kTestAdminToken)}}; }

Answer send(const HttpTestServer& server, Verb verb, const std::string& target,
            std::string body = "", const Headers& headers = {}) {
  return test::Connection(server.port()).request(verb, target, std::move(body), headers);
}

std::string create(const HttpTestServer& server, const std::string& body = kProblem) {
  Answer created = send(server, Verb::post, "/api/v1/problems", body, admin());
  REQUIRE(created.status == 201);
  return test::str(created.json().at("id"));
}

}  // namespace

TEST_CASE("problems: an admin creates one, a student reads it without the hidden tests' data",
          "[http][problems]") {
  HttpTestServer server;
  const std::string id = create(server);
  Answer student = test::get(server.port(), "/api/v1/problems/" + id);
  REQUIRE(student.status == 200);
  CHECK(student.header("vary").find("Authorization") != std::string::npos);
  const boost::json::value view = student.json();
  CHECK(test::str(view.at("title")) == "Double it");
  CHECK(test::str(view.at("statement")) == "Print **2n**.");
  CHECK(test::str(view.at("starter_code").at("python")) == "n = int(input())\n");
  CHECK(view.at("visible_tests") == 1);
  CHECK(view.at("hidden_tests") == 2);
  CHECK(view.at("limits") ==
        boost::json::parse(R"({"cpu_ms":1000,"wall_ms":3000,"memory_kb":null})"));
  CHECK(view.at("tests").at(0) == boost::json::parse(R"({"name":"hidden one","hidden":true})"));
  CHECK(view.at("tests").at(1) ==
        boost::json::parse(R"({"name":"one","stdin":"1","expected_stdout":"2"})"));
  CHECK(view.at("tests").at(2) == boost::json::parse(R"({"name":"","hidden":true,"cpu_ms":500})"));
  CHECK(student.body.find("SECRET") == std::string::npos);

  // The admin sees everything.
  Answer teacher = send(server, Verb::get, "/api/v1/problems/" + id, "", admin());
  CHECK(teacher.json().at("tests").at(0) ==
        boost::json::parse(
            R"({"name":"hidden one","hidden":true,"stdin":"SECRET-7","expected_stdout":"14"})"));

  Answer list = test::get(server.port(), "/api/v1/problems");
  REQUIRE(list.json().at("problems").as_array().size() == 1);
  CHECK(list.json().at("problems").at(0).at("id") == id.c_str());
  CHECK(list.json().at("problems").at(0).at("hidden_tests") == 2);
}

TEST_CASE("problems: writes need an admin token, every refusal keeps nothing", "[http][problems]") {
  HttpTestServer server;
  const std::string id = create(server);
  for (const Headers& headers :
       {Headers{}, Headers{{"Authorization", "Bearer wrong-token-0123456789"}},
        Headers{{"Authorization", std::string(test::kTestAdminToken)}}}) {
    Answer refused = send(server, Verb::post, "/api/v1/problems", kProblem, headers);
    CHECK(refused.status == 401);
    CHECK(refused.error_code() == "unauthorized");
    CHECK(refused.header("www-authenticate") == "Bearer");
    CHECK(send(server, Verb::put, "/api/v1/problems/" + id, kProblem, headers).status == 401);
    CHECK(send(server, Verb::delete_, "/api/v1/problems/" + id, "", headers).status == 401);
  }
  const auto refusal = [&](const std::string& body) {
    Answer answer = send(server, Verb::post, "/api/v1/problems", body, admin());
    return std::to_string(answer.status) + " " + answer.error_message();
  };
  CHECK(refusal(R"({"tests": [{"expected_stdout": "1"}]})") == "400 Field 'title' is required.");
  CHECK(refusal(R"({"title": "t"})") == "400 Field 'tests' is required.");
  CHECK(refusal(R"({"title": "t", "tests": [{"expected_stdout": "1", "hidden": 1}]})") ==
        "400 Field 'tests[0].hidden' must be true or false.");
  CHECK(refusal(R"({"title": "t", "starter_code": {"python": 1}, "tests": []})") ==
        "400 Field 'starter_code.python' must be a string.");
  CHECK(refusal(R"({"title": "t", "starter_code": {"cobol": ""},
                    "tests": [{"expected_stdout": "1"}]})")
            .starts_with("422 starter_code.cobol: "));
  CHECK(refusal(R"({"title": "t", "limits": {"cpu_ms": 99999999},
                    "tests": [{"expected_stdout": "1"}]})")
            .starts_with("422 "));
  CHECK(refusal(R"({"title": "", "tests": [{"expected_stdout": "1"}]})").starts_with("400 "));
  CHECK(refusal(R"({"title": "t", "tests": []})").starts_with("400 "));
  CHECK(test::get(server.port(), "/api/v1/problems").json().at("problems").as_array().size() == 1);
}

TEST_CASE("problems: an admin replaces and deletes one", "[http][problems]") {
  HttpTestServer server;
  const std::string id = create(server);
  Answer replaced = send(server, Verb::put, "/api/v1/problems/" + id,
                         R"({"title": "Triple it", "tests": [{"expected_stdout": "3"}]})", admin());
  CHECK(replaced.status == 200);
  const boost::json::value view = test::get(server.port(), "/api/v1/problems/" + id).json();
  CHECK(test::str(view.at("title")) == "Triple it");
  CHECK(view.at("hidden_tests") == 0);
  CHECK(send(server, Verb::put, "/api/v1/problems/AAAAAAAAAAAAAAAAAAAAAA", kProblem, admin())
            .status == 404);
  CHECK(send(server, Verb::delete_, "/api/v1/problems/" + id, "", admin()).status == 204);
  CHECK(test::get(server.port(), "/api/v1/problems/" + id).status == 404);
  CHECK(send(server, Verb::delete_, "/api/v1/problems/" + id, "", admin()).status == 404);
}

TEST_CASE("problems: a submit to one is judged on its tests, visible first, within its limits",
          "[http][problems]") {
  HttpTestServer server;
  const std::string id = create(server);
  Answer submitted = test::post(server.port(), "/api/v1/submissions",
                                R"j({"language": "python", "code": "print(2 * int(input()))",
                                    "problem_id": ")j" +
                                    id + R"j(", "limits": {"cpu_ms": 800,
                                    "wall_ms": 5000}})j");
  REQUIRE(submitted.status == 202);
  const std::string submission_id = test::str(submitted.json().at("id"));
  auto stored = server.submissions.get(submission_id);
  REQUIRE(stored);
  CHECK(stored->problem_id == id);
  REQUIRE(stored->tests.size() == 3);
  CHECK(stored->tests[0].name == "one");
  CHECK_FALSE(stored->tests[0].hidden);
  CHECK(stored->tests[1].stdin_data == "SECRET-7");
  CHECK(stored->tests[1].hidden);
  CHECK(stored->tests[2].hidden);
  CHECK(stored->compare.mode == core::CompareMode::tokens);
  CHECK(stored->limits.cpu_ms == 800);    // the request's lower limit
  CHECK(stored->limits.wall_ms == 3000);  // the problem's, not the request's higher one

  // The owner's view names the problem and keeps the hidden inputs out.
  Answer own = test::get(server.port(), "/api/v1/submissions/" + submission_id);
  CHECK(test::str(own.json().at("problem_id")) == id);
  CHECK(own.body.find("SECRET") == std::string::npos);
  CHECK(own.json().at("tests").at(1) ==
        boost::json::parse(R"({"name":"hidden one","hidden":true})"));

  const auto refusal = [&](const std::string& extra) {
    Answer answer = test::post(server.port(), "/api/v1/submissions",
                               R"({"language": "python", "code": "1", )" + extra + "}");
    return std::to_string(answer.status) + " " + answer.error_code();
  };
  CHECK(refusal(R"("problem_id": "AAAAAAAAAAAAAAAAAAAAAA")") == "404 not_found");
  CHECK(refusal(R"("problem_id": ")" + id + R"(", "expected_stdout": "1")") ==
        "400 invalid_request");
  CHECK(refusal(R"("problem_id": ")" + id + R"(", "tests": [{"expected_stdout": "1"}])") ==
        "400 invalid_request");
  CHECK(refusal(R"("problem_id": 7)") == "400 invalid_request");
  CHECK(server.submissions.size() == 1);
}

TEST_CASE("problems: a hidden test's outcome shows its verdict only", "[http][problems]") {
  HttpTestServer server;
  Answer submitted =
      test::post(server.port(), "/api/v1/submissions", R"({"language": "python", "code": "1"})");
  const std::string id = test::str(submitted.json().at("id"));
  result::RunResult run;
  run.id = id;
  run.status = result::Status::done;
  run.verdict = result::Verdict::wrong_answer;
  run.exit_code = 0;
  run.tests = {{.name = "secret",
                .verdict = result::Verdict::wrong_answer,
                .time_ms = 3,
                .wall_ms = 4,
                .memory_kb = 100,
                .stdout_data = "",
                .stdout_truncated = false,
                .hint = "",
                .hidden = true}};
  server.results.set(run);
  Answer result = test::get(server.port(), "/api/v1/submissions/" + id + "/result");
  CHECK(result.json().at("tests").at(0).at("hidden") == true);
  CHECK(result.json().at("tests").at(0).at("verdict") == "wrong_answer");
  CHECK(result.json().at("summary") == boost::json::parse(R"({"passed":0,"total":1})"));
}
