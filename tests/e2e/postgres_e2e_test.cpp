// The real `ide serve` with its submissions and share links in PostgreSQL (a throwaway cluster of
// this test process): a run, a share and the share view over HTTP, the rows in the databases and
// none of it in the data dir's SQLite files, and everything still there after a restart.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/pg.hpp"
#include "e2e_support.hpp"
#include "process.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;
using test::str;

namespace {

std::string count_rows(const std::string& database, const std::string& table) {
  core::pg::Connection db(database);
  return *db.exec("SELECT count(*) FROM " + table).rows.at(0).at(0);
}

}  // namespace

// Not in the cgroup v2 guest: it has no PostgreSQL server.
// [not-in-split]: it chooses the stores itself; the split run is on PostgreSQL throughout.
TEST_CASE("submissions and share links in PostgreSQL are served, shared and kept",
          "[e2e][postgres][not-in-guest][not-in-split]") {
  test::TempDir dir;
  const std::string submissions = test::new_postgres_database();
  const std::string urls = test::new_postgres_database();
  const std::vector<std::string> stores = {
      "--submission-store", submissions, "--url-store", urls, "--share-secret", "e2e on postgres"};
  std::string slug;
  {
    ServerProcess server(dir.path(), stores);
    Api api(server.url());
    const std::string id = api.submit("python", "print(input()[::-1])\n", "postgres\n");
    CHECK(str(api.wait_done(id).at("stdout")) == "sergtsop\n");
    auto share = api.post("/api/v1/submissions/" + id + "/share", "");
    REQUIRE(share.status == 201);
    slug = str(boost::json::parse(share.body).at("slug"));
    REQUIRE(server.stop() == 0);
    CHECK_FALSE(std::filesystem::exists(server.data_dir() / "submissions.db"));
    CHECK_FALSE(std::filesystem::exists(server.data_dir() / "urls.db"));
    CHECK(std::filesystem::exists(server.data_dir() / "results.db"));
  }
  CHECK(count_rows(submissions, "submissions") == "1");
  CHECK(count_rows(urls, "urls") == "1");

  ServerProcess restarted(dir.path(), stores);
  Api api(restarted.url());
  auto shared = api.get("/api/v1/shares/" + slug);
  REQUIRE(shared.status == 200);
  const auto view = boost::json::parse(shared.body);
  CHECK(str(view.at("code")) == "print(input()[::-1])\n");
  CHECK(str(view.at("stdin")) == "postgres\n");
  CHECK(str(view.at("result").at("stdout")) == "sergtsop\n");
  CHECK(restarted.stop() == 0);
}
