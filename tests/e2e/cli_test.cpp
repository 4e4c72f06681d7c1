// The command-line client against a real `ide serve`: submit (with --wait, --stdin, --json),
// result, share, show (by slug and by link), languages and doctor, problem and token, and the
// exit codes (0 ok, 1 verdict not ok, 2 failure).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

#include <boost/json.hpp>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::run_ide;

TEST_CASE("the CLI submits, waits, shares and shows", "[e2e][cli]") {
  test::TempDir dir;
  test::ServerProcess server(dir / "server");
  const std::string url = server.url();
  const auto hello = dir / "hello.py";
  test::write_text(hello, "print('hello from the cli')\n");

  auto waited = run_ide({"submit", hello.string(), "--lang", "python", "--wait", "--server", url},
                        dir.path());
  INFO(waited.err);
  CHECK(waited.exit_code == 0);
  CHECK(waited.out == "hello from the cli\n");
  CHECK_THAT(waited.err, Catch::Contains("ok"));

  // Without --wait it prints the id alone, for scripts.
  auto submitted = run_ide({"submit", hello.string(), "--server", url}, dir.path());
  REQUIRE(submitted.exit_code == 0);
  REQUIRE(submitted.out.size() > 1);
  const std::string id = submitted.out.substr(0, submitted.out.size() - 1);
  CHECK(id.find('\n') == std::string::npos);

  auto result = run_ide({"result", id, "--wait", "--json", "--server", url}, dir.path());
  INFO(result.err);
  CHECK(result.exit_code == 0);
  const auto json = boost::json::parse(result.out);
  CHECK(json.at("status") == "done");
  CHECK(json.at("stdout") == "hello from the cli\n");
  auto again = run_ide({"result", id, "--server", url}, dir.path());
  CHECK(again.exit_code == 0);
  CHECK(again.out == "hello from the cli\n");

  auto share = run_ide({"share", id, "--server", url}, dir.path());
  INFO(share.err);
  REQUIRE(share.exit_code == 0);
  const std::string link = share.out.substr(0, share.out.find('\n'));
  CHECK_THAT(link, Catch::StartsWith(url + "/s/"));
  auto share_json = run_ide({"share", id, "--json", "--server", url}, dir.path());
  CHECK(test::str(boost::json::parse(share_json.out).at("url")) == link);

  // A link names its server; a slug needs --server.
  auto shown = run_ide({"show", link}, dir.path());
  INFO(shown.err);
  CHECK(shown.exit_code == 0);
  CHECK_THAT(shown.out, Catch::Contains("print('hello from the cli')"));
  CHECK_THAT(shown.out, Catch::Contains("hello from the cli\n"));
  CHECK_THAT(shown.out, Catch::Contains("python"));
  CHECK(shown.out.find(id) == std::string::npos);
  const std::string slug = link.substr(link.rfind('/') + 1);
  auto by_slug = run_ide({"show", slug, "--json", "--server", url}, dir.path());
  CHECK(by_slug.exit_code == 0);
  CHECK(test::str(boost::json::parse(by_slug.out).at("slug")) == slug);

  auto languages = run_ide({"languages", "--server", url}, dir.path());
  CHECK(languages.exit_code == 0);
  CHECK_THAT(languages.out, Catch::Contains("python"));
  auto languages_json = run_ide({"languages", "--json", "--server", url}, dir.path());
  CHECK(boost::json::parse(languages_json.out).is_array());

  CHECK(server.stop() == 0);
}

TEST_CASE("the CLI passes stdin and reports verdicts and failures by exit code", "[e2e][cli]") {
  test::TempDir dir;
  test::ServerProcess server(dir / "server");
  const std::string url = server.url();
  const auto echo = dir / "echo.py";
  test::write_text(echo, "import sys\nsys.stdout.write(sys.stdin.read())\n");
  const auto input = dir / "input.txt";
  test::write_text(input, "line one\nline two\n");
  auto echoed = run_ide(
      {"submit", echo.string(), "--stdin", input.string(), "--wait", "--server", url}, dir.path());
  CHECK(echoed.exit_code == 0);
  CHECK(echoed.out == "line one\nline two\n");

  const auto failing = dir / "fail.py";
  test::write_text(failing, "import sys\nprint('to stderr', file=sys.stderr)\nsys.exit(4)\n");
  auto failed = run_ide({"submit", failing.string(), "--wait", "--server", url}, dir.path());
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.err, Catch::Contains("to stderr"));
  CHECK_THAT(failed.err, Catch::Contains("runtime_error"));
  CHECK_THAT(failed.err, Catch::Contains("exit code 4"));

  auto unknown = run_ide({"submit", echo.string(), "--lang", "cobol", "--server", url}, dir.path());
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown_language"));

  auto missing = run_ide({"result", "AAAAAAAAAAAAAAAAAAAAAA", "--server", url}, dir.path());
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("not_found"));

  auto no_file = run_ide({"submit", (dir / "absent.py").string(), "--server", url}, dir.path());
  CHECK(no_file.exit_code == 2);
  CHECK(server.stop() == 0);

  auto no_server = run_ide({"languages", "--server", url}, dir.path());
  CHECK(no_server.exit_code == 2);
  CHECK_THAT(no_server.err, Catch::Contains("cannot connect"));
}

TEST_CASE("ide doctor reports isolation and languages", "[e2e][cli]") {
  test::TempDir dir;
  auto doctor = run_ide({"doctor", "--data-dir", (dir / "data").string()}, dir.path());
  INFO(doctor.err);
  CHECK(doctor.exit_code == 0);
  CHECK_THAT(doctor.out, Catch::Contains("python"));
}

TEST_CASE("the CLI creates and lists problems and submits to one", "[e2e][cli][problems]") {
  test::TempDir dir;
  const std::string token = "cli-admin-token-0123456789";
  test::ServerProcess server(dir / "server", {"--admin-tokens", token});
  const std::string url = server.url();
  const auto problem = dir / "double.json";
  test::write_text(problem, R"({"title": "Double", "tests": [
    {"stdin": "2", "expected_stdout": "4"},
    {"stdin": "SECRET 5", "expected_stdout": "10", "hidden": true}]})");

  auto refused = run_ide({"problem", "create", problem.string(), "--token", "wrong-token-0123456",
                          "--server", url},
                         dir.path());
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("401"));
  auto created =
      run_ide({"problem", "create", problem.string(), "--token", token, "--server", url},
              dir.path());
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  const std::string id = created.out.substr(0, created.out.size() - 1);

  auto listed = run_ide({"problem", "list", "--server", url}, dir.path());
  CHECK(listed.out == id + "  Double (1 tests, 1 hidden)\n");

  const auto solution = dir / "double.py";
  test::write_text(solution, "print(2 * int(input().split()[-1]))\n");
  auto judged = run_ide(
      {"submit", solution.string(), "--problem", id, "--wait", "--server", url}, dir.path());
  INFO(judged.err);
  CHECK(judged.exit_code == 0);
  CHECK_THAT(judged.err, Catch::Contains("2 of 2 tests passed"));
  CHECK(judged.err.find("SECRET") == std::string::npos);
}

TEST_CASE("the CLI makes, lists and revokes class tokens with an admin token",
          "[e2e][cli][classes]") {
  test::TempDir dir;
  const std::string token = "cli-admin-token-0123456789";
  test::ServerProcess server(dir / "server", {"--admin-tokens", token});
  const std::string url = server.url();

  auto refused = run_ide({"token", "create", "--name", "CS101", "--token", "wrong-token-0123456",
                          "--server", url},
                         dir.path());
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("401"));
  auto bad_date = run_ide({"token", "create", "--name", "CS101", "--expires", "31/01/2099",
                           "--token", token, "--server", url},
                          dir.path());
  CHECK(bad_date.exit_code == 2);
  CHECK_THAT(bad_date.err, Catch::Contains("--expires must be YYYY-MM-DD"));

  auto created = run_ide({"token", "create", "--name", "CS101", "--quota-per-hour", "30",
                          "--max-queued", "3", "--expires", "2099-01-31", "--token", token,
                          "--server", url},
                         dir.path());
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  std::istringstream lines(created.out);
  std::string class_line, student_line, owner_line;
  std::getline(lines, class_line);
  std::getline(lines, student_line);
  std::getline(lines, owner_line);
  REQUIRE(class_line.starts_with("class: "));
  const std::string id = class_line.substr(7);
  CHECK(student_line.starts_with("student token: ide_cls_"));
  CHECK(owner_line.starts_with("owner token: ide_own_"));

  ::setenv("IDE_ADMIN_TOKEN", token.c_str(), 1);  // the token from the environment
  auto listed = run_ide({"token", "list", "--server", url}, dir.path());
  ::unsetenv("IDE_ADMIN_TOKEN");
  INFO(listed.err);
  CHECK(listed.out ==
        id + "  CS101  30 per hour, 3 queued, expires 2099-01-31T23:59:59.999Z\n");
  CHECK(listed.out.find("ide_cls_") == std::string::npos);

  auto revoked = run_ide({"token", "revoke", id, "--token", token, "--server", url}, dir.path());
  INFO(revoked.err);
  CHECK(revoked.exit_code == 0);
  CHECK(revoked.out == "revoked " + id + "\n");
  CHECK(run_ide({"token", "list", "--token", token, "--server", url}, dir.path()).out.empty());
  auto again = run_ide({"token", "revoke", id, "--token", token, "--server", url}, dir.path());
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("404"));
}
