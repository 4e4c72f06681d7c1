// The real `ide serve` as a child process with the real modules: programs in Python (reading
// stdin), C and C++ run; compile errors and exit codes are reported; args reach the program and
// an expected stdout judges it; the SPEC's errors come from the real modules; a submit of
// exactly max_body is kept; sharing is idempotent and never reveals the id; each database file holds only its own module's data; SIGTERM drains and exits 0 and a
// restart loses nothing.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <set>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;
using test::str;

namespace {

std::set<std::string> tables_of(const std::filesystem::path& db_file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::set<std::string> tables;
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                             "LIKE 'sqlite_%'",
                             -1, &stmt, nullptr) == SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    tables.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return tables;
}

std::set<std::string> columns_of(const std::filesystem::path& db_file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::set<std::string> columns;
  for (const std::string& table : tables_of(db_file)) {
    sqlite3_stmt* stmt = nullptr;
    const std::string sql = "SELECT name FROM pragma_table_info('" + table + "')";
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      columns.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return columns;
}

/// Every byte SQLite keeps for `db_file`: the file and its write-ahead log, if any.
std::string bytes_of(const std::filesystem::path& db_file) {
  std::string bytes = test::read_text(db_file);
  const std::filesystem::path wal = db_file.string() + "-wal";
  if (std::filesystem::exists(wal)) bytes += test::read_text(wal);
  return bytes;
}

}  // namespace

TEST_CASE("Python reads stdin, C and C++ compile and run", "[e2e]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());

  const std::string python =
      api.submit("python", "import sys\nprint(sys.stdin.read().upper(), end='')\n", "hello e2e\n");
  const std::string c = api.submit(
      "c",
      "#include <stdio.h>\nint main(void) { int a, b; if (scanf(\"%d %d\", &a, &b) != 2) "
      "return 1; printf(\"%d\\n\", a + b); return 0; }\n",
      "2 40\n");
  const std::string cpp =
      api.submit("cpp",
                 "#include <iostream>\n#include <numeric>\n#include <vector>\nint main() { "
                 "std::vector<int> v{1, 2, 3}; std::cout << std::accumulate(v.begin(), v.end(), 0) "
                 "<< '\\n'; }\n");

  const std::pair<std::string, std::string> expected[] = {
      {python, "HELLO E2E\n"}, {c, "42\n"}, {cpp, "6\n"}};
  for (const auto& [id, stdout_text] : expected) {
    auto result = api.wait_done(id);
    INFO(boost::json::serialize(result) << "\n" << server.log());
    CHECK(str(result.at("id")) == id);
    CHECK(result.at("verdict") == "ok");
    CHECK(result.at("exit_code") == 0);
    CHECK(result.at("signal").is_null());
    CHECK(str(result.at("stdout")) == stdout_text);
    CHECK(result.at("finished_at").is_string());
  }
  CHECK(server.stop() == 0);
}

TEST_CASE("a compile error and a non-zero exit code are reported", "[e2e]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());

  const std::string broken = api.submit("c", "int main( { return 0; }\n");
  const std::string exits = api.submit("python", "import sys\nprint('partial')\nsys.exit(3)\n");

  auto compile = api.wait_done(broken);
  INFO(boost::json::serialize(compile));
  CHECK(compile.at("verdict") == "compile_error");
  CHECK_THAT(str(compile.at("compile_output")), Catch::Contains("error"));

  auto runtime = api.wait_done(exits);
  INFO(boost::json::serialize(runtime));
  CHECK(runtime.at("verdict") == "runtime_error");
  CHECK(runtime.at("exit_code") == 3);
  CHECK(str(runtime.at("stdout")) == "partial\n");
  CHECK(server.stop() == 0);
}

TEST_CASE("args reach the program and an expected stdout judges it", "[e2e]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  const auto submit = [&api](const char* expected_stdout) {
    boost::json::object body{{"language", "python"},
                             {"code", "import sys\nprint(' '.join(sys.argv[1:]))\n"},
                             {"args", boost::json::array{"1", "2 3"}},
                             {"expected_stdout", expected_stdout}};
    auto answer = api.post("/api/v1/submissions", boost::json::serialize(body));
    INFO(answer.body);
    REQUIRE(answer.status == 202);
    return str(boost::json::parse(answer.body).at("id"));
  };
  const std::string right = submit("1 2 3");
  const std::string wrong = submit("1 2 4\n");

  auto stored = boost::json::parse(api.get("/api/v1/submissions/" + right).body).as_object();
  CHECK(stored.at("args") == boost::json::array{"1", "2 3"});
  CHECK(stored.at("expected_stdout") == "1 2 3");
  auto accepted = api.wait_done(right);
  INFO(boost::json::serialize(accepted) << "\n" << server.log());
  CHECK(accepted.at("verdict") == "ok");
  CHECK(str(accepted.at("stdout")) == "1 2 3\n");
  auto rejected = api.wait_done(wrong);
  INFO(boost::json::serialize(rejected));
  CHECK(rejected.at("verdict") == "wrong_answer");
  CHECK(rejected.at("exit_code") == 0);
  CHECK(server.stop() == 0);
}

TEST_CASE("the real modules give the SPEC's answers to bad and good requests", "[e2e]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());

  auto cobol = api.post("/api/v1/submissions", R"({"language":"cobol","code":"x"})");
  CHECK(cobol.status == 422);
  CHECK(test::error_code(cobol) == "unknown_language");
  auto greedy = api.post("/api/v1/submissions",
                         R"({"language":"python","code":"x","limits":{"cpu_ms":999999999}})");
  CHECK(greedy.status == 422);
  CHECK(test::error_code(greedy) == "invalid_limits");
  auto untyped = api.post("/api/v1/submissions", R"({"language":"python","code":7})");
  CHECK(untyped.status == 400);

  const std::string unknown = "AAAAAAAAAAAAAAAAAAAAAA";
  CHECK(api.get("/api/v1/submissions/" + unknown).status == 404);
  CHECK(api.get("/api/v1/submissions/" + unknown + "/result").status == 404);
  CHECK(api.get("/api/v1/submissions/not-an-id/result").status == 404);
  CHECK(api.post("/api/v1/submissions/" + unknown + "/share", "").status == 404);
  CHECK(api.get("/api/v1/shares/nosuchslug").status == 404);

  const std::string id = api.submit("python", "print('owner')\n", "some input");
  auto owner = api.get("/api/v1/submissions/" + id);
  REQUIRE(owner.status == 200);
  auto view = boost::json::parse(owner.body);
  CHECK(str(view.at("code")) == "print('owner')\n");
  CHECK(str(view.at("stdin")) == "some input");
  CHECK(str(view.at("language")) == "python");

  auto languages = api.get("/api/v1/languages");
  REQUIRE(languages.status == 200);
  std::set<std::string> ids;
  const auto list = boost::json::parse(languages.body);
  for (const auto& language : list.as_array()) {
    ids.insert(str(language.at("id")));
    CHECK_FALSE(str(language.at("version")).empty());
  }
  CHECK(ids.count("python") == 1);
  CHECK(ids.count("c") == 1);
  CHECK(ids.count("cpp") == 1);

  CHECK(api.get("/healthz").body == R"({"status":"ok"})");
  auto page = api.get("/");
  CHECK(page.status == 200);
  CHECK_THAT(page.content_type, Catch::StartsWith("text/html"));
  api.wait_done(id);
  CHECK(server.stop() == 0);
}

TEST_CASE("a submit of exactly max_body is kept byte-exact, one byte more is 413", "[e2e]") {
  // Split, the submit crosses the internal API too: it must fit under the same limit there.
  constexpr std::size_t kMaxBody = 1024 * 1024;
  test::TempDir dir;
  ServerProcess server(dir.path(), {"--max-body", std::to_string(kMaxBody)});
  Api api(server.url());
  const std::string head = R"({"language":"bash","code":"echo ok\n#)";
  const std::string middle = R"(","stdin":")";
  const std::string stdin_text = std::string(1000, '\t');  // each one "\t" in the JSON
  std::string stdin_json;
  for (std::size_t i = 0; i < stdin_text.size(); ++i) stdin_json += "\\t";
  const std::size_t fill = kMaxBody - head.size() - middle.size() - stdin_json.size() - 2;
  const std::string filler(fill, 'a');
  const std::string body = head + filler + middle + stdin_json + "\"}";
  REQUIRE(body.size() == kMaxBody);

  auto accepted = api.post("/api/v1/submissions", body);
  INFO(accepted.body.substr(0, 300));
  REQUIRE(accepted.status == 202);
  const std::string id = str(boost::json::parse(accepted.body).at("id"));
  auto stored = api.get("/api/v1/submissions/" + id);
  REQUIRE(stored.status == 200);
  const auto submission = boost::json::parse(stored.body).as_object();
  CHECK(str(submission.at("code")) == "echo ok\n#" + filler);
  CHECK(str(submission.at("stdin")) == stdin_text);
  CHECK(str(api.wait_done(id).at("stdout")) == "ok\n");

  auto refused = api.post("/api/v1/submissions", body.substr(0, body.size() - 2) + "a\"}");
  CHECK(refused.status == 413);
  CHECK(server.stop() == 0);
}

TEST_CASE("sharing is idempotent and the share view never shows the id", "[e2e]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());

  const std::string id = api.submit("python", "print(input()[::-1])\n", "shared input\n");
  api.wait_done(id);
  auto first = api.post("/api/v1/submissions/" + id + "/share", "");
  REQUIRE(first.status == 201);
  auto again = api.post("/api/v1/submissions/" + id + "/share", "");
  REQUIRE(again.status == 200);
  CHECK(again.body == first.body);
  const auto link = boost::json::parse(first.body);
  const std::string slug = str(link.at("slug"));
  CHECK(slug.size() >= 8);
  CHECK(slug.size() <= 12);
  CHECK(str(link.at("url")) == server.url() + "/s/" + slug);

  auto shared = api.get("/api/v1/shares/" + slug);
  REQUIRE(shared.status == 200);
  CHECK(shared.body.find(id) == std::string::npos);
  const auto view = boost::json::parse(shared.body);
  CHECK(str(view.at("language")) == "python");
  CHECK(str(view.at("code")) == "print(input()[::-1])\n");
  CHECK(str(view.at("stdin")) == "shared input\n");
  CHECK(str(view.at("result").at("stdout")) == "tupni derahs\n");
  CHECK_FALSE(view.at("result").as_object().contains("id"));

  auto page = api.get("/s/" + slug);
  CHECK(page.status == 200);
  CHECK_THAT(page.content_type, Catch::StartsWith("text/html"));
  CHECK(server.stop() == 0);
}

// [not-in-split]: it reads the three SQLite files of one data dir; split, the stores are in
// PostgreSQL (tests/architecture checks the same ownership in the code).
TEST_CASE("each database file holds only its own module's data", "[e2e][not-in-split]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  // Markers that occur in exactly one kind of data: the code, the input, the output.
  const std::string id = api.submit("python",
                                    "# CODE-MARKER-7f3a\nimport sys\ndata = sys.stdin.read()\n"
                                    "print('OUTPUT-' + 'MARKER-' + str(len(data)))\n",
                                    "STDIN-MARKER-91c2");
  auto result = api.wait_done(id);
  CHECK(str(result.at("stdout")) == "OUTPUT-MARKER-17\n");
  auto share = api.post("/api/v1/submissions/" + id + "/share", "");
  REQUIRE(share.status == 201);
  const std::string slug = str(boost::json::parse(share.body).at("slug"));
  REQUIRE(server.stop() == 0);

  const auto data = server.data_dir();
  const auto submissions_db = data / "submissions.db";
  const auto results_db = data / "results.db";
  const auto urls_db = data / "urls.db";
  REQUIRE(std::filesystem::exists(submissions_db));
  REQUIRE(std::filesystem::exists(results_db));
  REQUIRE(std::filesystem::exists(urls_db));

  const auto submission_tables = tables_of(submissions_db);
  const auto result_tables = tables_of(results_db);
  const auto url_tables = tables_of(urls_db);
  CHECK_FALSE(submission_tables.empty());
  CHECK_FALSE(result_tables.empty());
  CHECK_FALSE(url_tables.empty());
  for (const auto& table : submission_tables) {
    INFO(table);
    CHECK(result_tables.count(table) == 0);
    CHECK(url_tables.count(table) == 0);
  }
  for (const auto& table : result_tables) {
    INFO(table);
    CHECK(url_tables.count(table) == 0);
  }
  // The result module's queue holds ids, not code (SPEC section 8).
  const auto result_columns = columns_of(results_db);
  CHECK(result_columns.count("code") == 0);
  CHECK(result_columns.count("stdin") == 0);

  const std::string submission_bytes = bytes_of(submissions_db);
  const std::string result_bytes = bytes_of(results_db);
  const std::string url_bytes = bytes_of(urls_db);
  CHECK(submission_bytes.find("CODE-MARKER-7f3a") != std::string::npos);
  CHECK(submission_bytes.find("STDIN-MARKER-91c2") != std::string::npos);
  CHECK(submission_bytes.find("OUTPUT-MARKER-17") == std::string::npos);
  CHECK(submission_bytes.find(slug) == std::string::npos);
  CHECK(result_bytes.find("CODE-MARKER-7f3a") == std::string::npos);
  CHECK(result_bytes.find("STDIN-MARKER-91c2") == std::string::npos);
  CHECK(result_bytes.find(slug) == std::string::npos);
  CHECK(url_bytes.find("CODE-MARKER-7f3a") == std::string::npos);
  CHECK(url_bytes.find("STDIN-MARKER-91c2") == std::string::npos);
  CHECK(url_bytes.find("OUTPUT-MARKER-17") == std::string::npos);
  CHECK(url_bytes.find(slug) != std::string::npos);
}

TEST_CASE("SIGTERM drains and exits 0, and a restart finishes every accepted job", "[e2e]") {
  test::TempDir dir;
  std::vector<std::string> ids;
  {
    ServerProcess server(dir.path());
    Api api(server.url());
    for (int i = 0; i < 3; ++i) {
      ids.push_back(
          api.submit("python", "import time\ntime.sleep(0.3)\nprint(" + std::to_string(i) + ")\n"));
    }
    INFO(server.log());
    CHECK(server.stop() == 0);
  }
  ServerProcess restarted(dir.path());
  Api api(restarted.url());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto result = api.wait_done(ids[i]);
    INFO(boost::json::serialize(result));
    CHECK(result.at("verdict") == "ok");
    CHECK(str(result.at("stdout")) == std::to_string(i) + "\n");
  }
  // Draining refuses new work while it lasts; after the restart work is accepted again.
  api.submit("python", "print('after restart')\n");
  const int exit_code = restarted.stop();
  INFO(restarted.log());
  CHECK(exit_code == 0);
}
