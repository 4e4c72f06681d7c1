// `ide serve --retention-days 1` as a child process, over HTTP: submissions made by a first run are
// aged by rewriting their creation time in the stopped server's file (the only way to get old
// data from a real clock), then a second run's pass at start deletes the unshared old one (404 on
// the submission and its result), keeps the shared one and its link and a new one, and the
// server still stops cleanly on SIGTERM. Without the flag the default (30 days) applies.
#include <sqlite3.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using ide::test::Api;
using ide::test::ServerProcess;

namespace {

/// Moves the creation time of `ids` `days` back, in the file of a stopped server.
void age_submissions(const std::filesystem::path& db_file, const std::vector<std::string>& ids,
                     int days = 2) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_file.c_str(), &db) == SQLITE_OK);
  for (const std::string& id : ids) {
    const std::string sql =
        "UPDATE submissions SET created_at_ms = created_at_ms - " +
        std::to_string(days * 86'400'000LL) + " WHERE id = '" + id + "'";
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    INFO((error != nullptr ? error : ""));
    CHECK(rc == SQLITE_OK);
    CHECK(sqlite3_changes(db) == 1);
    sqlite3_free(error);
  }
  sqlite3_close(db);
}

/// Polls until `id` answers 404 (the pass at start purged it), for up to a minute.
void wait_until_gone(Api& api, const std::string& id) {
  const auto limit = std::chrono::steady_clock::now() + 60s;
  while (api.get("/api/v1/submissions/" + id).status != 404 &&
         std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace

TEST_CASE("ide serve --retention-days purges old unshared submissions at start",
          "[retention][e2e]") {
  ide::test::TempDir dir;
  std::string old_id;
  std::string shared_id;
  std::string slug;
  {
    ServerProcess server(dir.path());
    Api api(server.url());
    old_id = api.submit("bash", "echo old");
    shared_id = api.submit("bash", "echo shared");
    api.wait_done(old_id);
    api.wait_done(shared_id);
    auto link = api.post("/api/v1/submissions/" + shared_id + "/share", "");
    REQUIRE(link.status == 201);
    slug = ide::test::str(boost::json::parse(link.body).at("slug"));
    REQUIRE(server.stop() == 0);
  }
  age_submissions(dir / "data" / "submissions.db", {old_id, shared_id});

  ServerProcess server(dir.path(), {"--retention-days", "1"});
  Api api(server.url());
  wait_until_gone(api, old_id);
  INFO(server.log());
  CHECK(api.get("/api/v1/submissions/" + old_id).status == 404);
  CHECK(api.get("/api/v1/submissions/" + old_id + "/result").status == 404);
  CHECK(api.get("/api/v1/submissions/" + shared_id).status == 200);
  CHECK(api.get("/api/v1/submissions/" + shared_id + "/result").status == 200);
  auto share = api.get("/api/v1/shares/" + slug);
  CHECK(share.status == 200);
  const std::string fresh = api.submit("bash", "echo fresh");
  CHECK(ide::test::str(api.wait_done(fresh).at("stdout")) == "fresh\n");
  CHECK(server.log().find("retention: purged 1 submission(s), 1 result(s)") != std::string::npos);
  CHECK(server.stop() == 0);
}

TEST_CASE("by default ide serve keeps 30 days of submissions", "[retention][e2e]") {
  ide::test::TempDir dir;
  std::string expired;
  std::string kept;
  {
    ServerProcess server(dir.path());
    Api api(server.url());
    expired = api.submit("bash", "echo expired");
    kept = api.submit("bash", "echo kept");
    api.wait_done(expired);
    api.wait_done(kept);
    REQUIRE(server.stop() == 0);
  }
  age_submissions(dir / "data" / "submissions.db", {expired}, 31);
  age_submissions(dir / "data" / "submissions.db", {kept}, 29);

  ServerProcess server(dir.path());
  Api api(server.url());
  wait_until_gone(api, expired);
  INFO(server.log());
  CHECK(api.get("/api/v1/submissions/" + expired).status == 404);
  CHECK(api.get("/api/v1/submissions/" + expired + "/result").status == 404);
  CHECK(api.get("/api/v1/submissions/" + kept + "/result").status == 200);
  CHECK(server.log().find("older than 30 day(s) are deleted") != std::string::npos);
  CHECK(server.stop() == 0);
}
