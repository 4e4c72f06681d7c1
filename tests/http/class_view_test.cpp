// The teacher's view over the v1 API on the real Beast server, the real problem and access
// modules and fakes of the submission and result modules (issue 12, item 4): a class's
// submissions newest first with how each went, filtered and paged; the report per problem and
// student; the scores as CSV; only for an admin or the class's owner. And GET /api/v1/whoami.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::bearer;
using test::Headers;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

Answer get(const HttpTestServer& server, const std::string& target, const Headers& headers) {
  return test::Connection(server.port()).request(Verb::get, target, "", headers);
}

/// A class with a problem of two tests (one hidden), submissions to it, and their results.
struct Classroom {
  HttpTestServer server;
  access::IssuedClassToken cs101 = *server.access->create({.name = "CS 101", .quota = {}});
  access::IssuedClassToken other = *server.access->create({.name = "other", .quota = {}});
  std::string problem = make_problem();
  std::string base = "/api/v1/classes/" + cs101.token.id;

  std::string make_problem() {
    const Answer made = test::Connection(server.port())
                            .request(Verb::post, "/api/v1/problems",
                                     R"j({"title": "Sum", "tests": [
                                          {"stdin": "1 2", "expected_stdout": "3"},
                                          {"stdin": "5 5", "expected_stdout": "10",
                                           "hidden": true}]})j",
                                     bearer(test::kTestAdminToken));
    REQUIRE(made.status == 201);
    return test::str(made.json().at("id"));
  }

  /// Submits as `student` of `token` (to the problem unless `plain`) and sets its result:
  /// `passed` of its two tests accepted.
  std::string submit(const access::IssuedClassToken& token, const std::string& student,
                     std::size_t passed, bool plain = false) {
    boost::json::object body{{"language", "python"}, {"code", "print(3)"}, {"student", student}};
    if (!plain) body["problem_id"] = problem;
    const Answer accepted =
        test::Connection(server.port())
            .request(Verb::post, "/api/v1/submissions", boost::json::serialize(body),
                     bearer(token.student_secret));
    REQUIRE(accepted.status == 202);
    const std::string id = test::str(accepted.json().at("id"));
    result::RunResult run;
    run.id = id;
    run.status = result::Status::done;
    run.verdict = passed == 2 ? result::Verdict::ok : result::Verdict::wrong_answer;
    for (std::size_t i = 0; i < (plain ? 0 : 2); ++i) {
      result::TestOutcome test;
      test.name = std::to_string(i + 1);
      test.verdict = i < passed ? result::Verdict::ok : result::Verdict::wrong_answer;
      run.tests.push_back(std::move(test));
    }
    server.results.set(std::move(run));
    return id;
  }
};

std::vector<std::string> ids_of(const boost::json::value& page) {
  std::vector<std::string> ids;
  for (const auto& row : page.at("submissions").as_array()) ids.push_back(test::str(row.at("id")));
  return ids;
}

}  // namespace

TEST_CASE("class view: a class's submissions newest first, with how each went",
          "[http][classes][view]") {
  Classroom room;
  const std::string ada_wrong = room.submit(room.cs101, "ada", 1);
  const std::string ada_right = room.submit(room.cs101, "ada", 2);
  const std::string bob = room.submit(room.cs101, "bob", 0);
  const std::string plain = room.submit(room.cs101, "ada", 0, true);
  room.submit(room.other, "eve", 2);
  REQUIRE(test::Connection(room.server.port())
              .request(Verb::post, "/api/v1/submissions",
                       R"j({"language": "python", "code": "1"})j")
              .status == 202);

  const Headers owner = bearer(room.cs101.owner_secret);
  const Answer listed = get(room.server, room.base + "/submissions", owner);
  REQUIRE(listed.status == 200);
  const boost::json::value page = listed.json();
  CHECK(ids_of(page) == std::vector<std::string>{plain, bob, ada_right, ada_wrong});
  CHECK(page.at("next").is_null());
  const auto& rows = page.at("submissions").as_array();
  CHECK(rows.at(0).at("problem_id").is_null());
  CHECK(rows.at(1).at("student") == "bob");
  CHECK(rows.at(1).at("problem_id") == room.problem.c_str());
  CHECK(rows.at(1).at("status") == "done");
  CHECK(rows.at(1).at("verdict") == "wrong_answer");
  CHECK(rows.at(2).at("passed") == 2);
  CHECK(rows.at(2).at("total") == 2);
  CHECK(rows.at(2).at("solved") == true);
  CHECK(rows.at(3).at("passed") == 1);
  CHECK(rows.at(3).at("solved") == false);

  CHECK(ids_of(get(room.server, room.base + "/submissions?student=ada", owner).json()) ==
        std::vector<std::string>{plain, ada_right, ada_wrong});
  CHECK(ids_of(get(room.server, room.base + "/submissions?problem=" + room.problem, owner)
                   .json()) == std::vector<std::string>{bob, ada_right, ada_wrong});
  const boost::json::value first = get(room.server, room.base + "/submissions?limit=3", owner).json();
  CHECK(ids_of(first) == std::vector<std::string>{plain, bob, ada_right});
  const std::string next = test::str(first.at("next"));
  CHECK(ids_of(get(room.server, room.base + "/submissions?limit=3&after=" + next, owner).json()) ==
        std::vector<std::string>{ada_wrong});
  for (const char* bad : {"?limit=0", "?limit=1001", "?limit=x", "?after=nonsense"}) {
    INFO(bad);
    CHECK(get(room.server, room.base + "/submissions" + bad, owner).status == 400);
  }
}

TEST_CASE("class view: the report per problem and student, and the scores as CSV",
          "[http][classes][view]") {
  Classroom room;
  room.submit(room.cs101, "ada", 1);
  const std::string ada_right = room.submit(room.cs101, "ada", 2);
  room.submit(room.cs101, "ada", 2);  // later and as good: not the best
  const std::string bob_best = room.submit(room.cs101, "=bob, \"jr\"", 1);
  room.submit(room.cs101, "=bob, \"jr\"", 0);
  room.submit(room.cs101, "ada", 0, true);  // a plain run counts in no score

  const Headers owner = bearer(room.cs101.owner_secret);
  const Answer answered = get(room.server, room.base + "/report", owner);
  REQUIRE(answered.status == 200);
  const boost::json::value report = answered.json();
  CHECK(report.at("submissions") == 6);
  CHECK(report.at("truncated") == false);
  const auto& problems = report.at("problems").as_array();
  REQUIRE(problems.size() == 1);
  CHECK(problems.at(0).at("title") == "Sum");
  CHECK(problems.at(0).at("submissions") == 5);
  CHECK(problems.at(0).at("students") == 2);
  CHECK(problems.at(0).at("students_solved") == 1);
  CHECK(problems.at(0).at("pass_rate").as_double() == Approx(0.5));
  const auto& scores = report.at("scores").as_array();
  REQUIRE(scores.size() == 2);
  const auto& bob = scores.at(0);  // "=" sorts before "a"
  CHECK(bob.at("attempts") == 2);
  CHECK(bob.at("best_passed") == 1);
  CHECK(bob.at("solved") == false);
  CHECK(bob.at("best_submission_id") == bob_best.c_str());
  const auto& ada = scores.at(1);
  CHECK(ada.at("student") == "ada");
  CHECK(ada.at("attempts") == 3);
  CHECK(ada.at("best_passed") == 2);
  CHECK(ada.at("total") == 2);
  CHECK(ada.at("solved") == true);
  CHECK(ada.at("best_submission_id") == ada_right.c_str());

  const Answer csv = get(room.server, room.base + "/scores.csv", owner);
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type") == "text/csv; charset=utf-8");
  CHECK(csv.header("content-disposition") == "attachment; filename=\"scores-CS_101.csv\"");
  const std::string header =
      "student,problem_id,problem_title,attempts,best_passed,total,solved,best_submission_id,"
      "last_submitted_at\r\n";
  REQUIRE(csv.body.starts_with(header));
  // A label a spreadsheet would run as a formula is defused, then quoted for its comma.
  CHECK(csv.body.find("\r\n\"'=bob, \"\"jr\"\"\"," + room.problem + ",Sum,2,1,2,false," +
                      bob_best + ",") != std::string::npos);
  CHECK(csv.body.find("\r\nada," + room.problem + ",Sum,3,2,2,true," + ada_right + ",") !=
        std::string::npos);
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 3);
}

TEST_CASE("class view: only an admin or the class's owner sees it", "[http][classes][view]") {
  Classroom room;
  room.submit(room.cs101, "ada", 2);
  for (const std::string route : {"", "/submissions", "/report", "/scores.csv"}) {
    INFO(route);
    const std::string target = room.base + route;
    CHECK(get(room.server, target, bearer(room.cs101.owner_secret)).status == 200);
    CHECK(get(room.server, target, bearer(test::kTestAdminToken)).status == 200);
    for (const Headers& refused :
         {Headers{}, bearer(room.cs101.student_secret), bearer(room.other.owner_secret)}) {
      const Answer answer = get(room.server, target, refused);
      CHECK(answer.status == 401);
      CHECK(answer.error_code() == "unauthorized");
    }
    CHECK(get(room.server, target, bearer("ide_own_unknown")).status == 401);
    CHECK(get(room.server, "/api/v1/classes/nope" + route, bearer(test::kTestAdminToken))
              .status == 404);
  }
}

TEST_CASE("whoami: anonymous, an admin, or a class's student or owner", "[http][classes]") {
  Classroom room;
  const auto role_of = [&](const Headers& headers) {
    const Answer answer = get(room.server, "/api/v1/whoami", headers);
    REQUIRE(answer.status == 200);
    return answer.json();
  };
  CHECK(role_of({}).at("role") == "anonymous");
  CHECK(role_of({}).at("class").is_null());
  CHECK(role_of(bearer(test::kTestAdminToken)).at("role") == "admin");
  const boost::json::value student = role_of(bearer(room.cs101.student_secret));
  CHECK(student.at("role") == "student");
  CHECK(student.at("class").at("name") == "CS 101");
  CHECK(student.at("class").at("id") == room.cs101.token.id.c_str());
  CHECK_FALSE(student.at("class").as_object().contains("token"));
  CHECK(role_of(bearer(room.cs101.owner_secret)).at("role") == "owner");
  CHECK(get(room.server, "/api/v1/whoami", bearer("ide_cls_unknown")).status == 401);
}
