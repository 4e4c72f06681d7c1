// Problems through the real binary (issue 12, item 2): an admin creates a problem with 20 tests,
// 5 of them hidden; a correct Python and a wrong C solution are judged on them with the real
// toolchains, stored by the real stores (PostgreSQL and the internal API when split), and no
// answer a student gets holds a hidden test's data. Then as a class (issue 12, items 3 and 4):
// students of a class token submit under their names, its hourly quota answers 429, and its
// owner reads the class's submissions, report and CSV of scores.
#include <catch2/catch.hpp>

#include <string>

#include <boost/json.hpp>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;

namespace {

constexpr const char* kAdminToken = "e2e-admin-token-0123456789";

/// "word a b" -> "a+b": 15 small visible tests, then 5 hidden ones whose sums overflow 32 bits.
boost::json::object sum_problem() {
  boost::json::array tests;
  for (int i = 1; i <= 15; ++i) {
    tests.push_back({{"name", "small " + std::to_string(i)},
                     {"stdin", "small " + std::to_string(i) + " " + std::to_string(2 * i)},
                     {"expected_stdout", std::to_string(3 * i)}});
  }
  for (int i = 1; i <= 5; ++i) {
    const long long a = 3'000'000'000LL + i;
    tests.push_back({{"name", "hidden " + std::to_string(i)},
                     {"stdin", "HIDDEN " + std::to_string(a) + " 7"},
                     {"expected_stdout", std::to_string(a + 7)},
                     {"hidden", true}});
  }
  return {{"title", "Sum of two"},
          {"statement", "Read a word and two integers; print their sum."},
          {"starter_code", {{"python", "w, a, b = input().split()\n"}}},
          {"tests", std::move(tests)},
          {"compare", "tokens"}};
}

constexpr const char* kRightPython = "w, a, b = input().split()\nprint(int(a) + int(b))\n";
/// Right on the visible tests, wrong on the hidden ones: a+b overflows an int.
constexpr const char* kWrongC =
    "#include <stdio.h>\nint main(void) { char w[16]; int a, b;\n"
    "  if (scanf(\"%15s %d %d\", w, &a, &b) != 3) return 1; printf(\"%d\\n\", a + b); }\n";

std::string submit(Api& api, const std::string& problem, const std::string& language,
                   const std::string& code, const std::string& student = "") {
  boost::json::object body{{"problem_id", problem}, {"language", language}, {"code", code}};
  if (!student.empty()) body["student"] = student;
  auto answer = api.post("/api/v1/submissions", boost::json::serialize(body));
  INFO(answer.body);
  REQUIRE(answer.status == 202);
  return test::str(boost::json::parse(answer.body).at("id"));
}

/// The finished result of `id`, checked to hold none of the hidden tests' data.
boost::json::object judged(Api& api, const std::string& id) {
  const boost::json::object done = api.wait_done(id);
  const std::string text = boost::json::serialize(done);
  INFO(text);
  CHECK(text.find("HIDDEN") == std::string::npos);
  CHECK(text.find("300000000") == std::string::npos);
  REQUIRE(done.at("tests").as_array().size() == 20);
  for (std::size_t i = 15; i < 20; ++i) {
    const auto& test = done.at("tests").at(i);
    CHECK(test.at("hidden") == true);
    CHECK(test.at("stdout") == "");
    CHECK(test.at("hint") == "");
  }
  return done;
}

}  // namespace

TEST_CASE("problems e2e: 20 tests, 5 hidden, a right and a wrong solution in two languages",
          "[e2e][problems]") {
  test::TempDir dir;
  ServerProcess server(dir.path(), {"--admin-tokens", kAdminToken});
  Api student(server.url());
  Api teacher(server.url());
  teacher.use_token(kAdminToken);

  const std::string body = boost::json::serialize(sum_problem());
  CHECK(student.post("/api/v1/problems", body).status == 401);
  auto created = teacher.post("/api/v1/problems", body);
  INFO(created.body);
  REQUIRE(created.status == 201);
  const std::string problem = test::str(boost::json::parse(created.body).at("id"));

  auto statement = student.get("/api/v1/problems/" + problem);
  CHECK(statement.status == 200);
  CHECK(statement.body.find("HIDDEN") == std::string::npos);
  CHECK(boost::json::parse(statement.body).at("hidden_tests") == 5);
  CHECK(teacher.get("/api/v1/problems/" + problem).body.find("HIDDEN") != std::string::npos);

  const std::string right = submit(student, problem, "python", kRightPython);
  const std::string wrong = submit(student, problem, "c", kWrongC);

  const boost::json::object passed = judged(student, right);
  CHECK(passed.at("verdict") == "ok");
  CHECK(passed.at("summary") == boost::json::parse(R"({"passed":20,"total":20})"));
  CHECK(passed.at("tests").at(0).at("stdout") == "3\n");

  const boost::json::object failed = judged(student, wrong);
  CHECK(failed.at("verdict") == "wrong_answer");
  CHECK(failed.at("summary") == boost::json::parse(R"({"passed":15,"total":20})"));
  CHECK(failed.at("tests").at(15).at("verdict") == "wrong_answer");
  CHECK(failed.at("stdout") == "");  // the first failure is hidden: its output is not shown

  auto own = student.get("/api/v1/submissions/" + wrong);
  CHECK(own.body.find("HIDDEN") == std::string::npos);
  CHECK(test::str(boost::json::parse(own.body).at("problem_id")) == problem);
}

TEST_CASE("classroom e2e: a class's students submit, a quota answers 429, the teacher's report",
          "[e2e][problems][classes]") {
  test::TempDir dir;
  ServerProcess server(dir.path(), {"--admin-tokens", kAdminToken});
  Api admin(server.url());
  admin.use_token(kAdminToken);
  auto created = admin.post("/api/v1/problems", boost::json::serialize(sum_problem()));
  REQUIRE(created.status == 201);
  const std::string problem = test::str(boost::json::parse(created.body).at("id"));
  auto made = admin.post("/api/v1/classes", R"({"name": "CS101", "quota_per_hour": 3})");
  INFO(made.body);
  REQUIRE(made.status == 201);
  const boost::json::value issued = boost::json::parse(made.body);
  const std::string class_id = test::str(issued.at("id"));
  Api student(server.url());
  student.use_token(test::str(issued.at("token")));
  Api teacher(server.url());
  teacher.use_token(test::str(issued.at("owner_token")));

  const std::string right = submit(student, problem, "python", kRightPython, "ada");
  const std::string wrong = submit(student, problem, "c", kWrongC, "bob");
  CHECK(judged(student, right).at("summary") == boost::json::parse(R"({"passed":20,"total":20})"));
  CHECK(judged(student, wrong).at("summary") == boost::json::parse(R"({"passed":15,"total":20})"));
  student.submit("python", "print(1)");
  auto over = student.post("/api/v1/submissions", R"({"language": "python", "code": "1"})");
  CHECK(over.status == 429);
  REQUIRE(over.retry_after.has_value());
  CHECK(std::stoi(*over.retry_after) > 3000);  // the first submit is an hour old then

  CHECK(student.get("/api/v1/classes/" + class_id + "/report").status == 401);
  auto listed = teacher.get("/api/v1/classes/" + class_id + "/submissions?problem=" + problem);
  INFO(listed.body);
  REQUIRE(listed.status == 200);
  const boost::json::value page = boost::json::parse(listed.body);
  const auto& rows = page.at("submissions").as_array();
  REQUIRE(rows.size() == 2);
  CHECK(rows.at(0).at("id") == wrong.c_str());
  CHECK(rows.at(0).at("student") == "bob");
  CHECK(rows.at(0).at("passed") == 15);
  CHECK(rows.at(1).at("solved") == true);

  auto report = teacher.get("/api/v1/classes/" + class_id + "/report");
  REQUIRE(report.status == 200);
  const boost::json::value stats = boost::json::parse(report.body).at("problems").at(0);
  CHECK(stats.at("title") == "Sum of two");
  CHECK(stats.at("students") == 2);
  CHECK(stats.at("students_solved") == 1);
  auto csv = teacher.get("/api/v1/classes/" + class_id + "/scores.csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.content_type.starts_with("text/csv"));
  CHECK(csv.body.find("\r\nada," + problem + ",Sum of two,1,20,20,true," + right + ",") !=
        std::string::npos);
  CHECK(csv.body.find("\r\nbob," + problem + ",Sum of two,1,15,20,false," + wrong + ",") !=
        std::string::npos);
}
