// The url module's retention calls on real urls.db files and on a real PostgreSQL database: shared_among reports exactly the shared
// ids in the order asked, purge_submissions removes exactly the given ids' links (more than one
// batch, durable across a reopen), and a purged submission shared again gets its slug back.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/ids.hpp"
#include "module_options.hpp"
#include "support/fakes/fake_submission_service.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"
#include "url/module.hpp"

using ide::core::ErrorCode;
using ide::url::UrlService;

namespace {

struct Fixture {
  ide::test::TempDir dir;
  ide::core::Config config;
  ide::test::FakeSubmissionService submissions;
  std::unique_ptr<UrlService> service;

  /// On SQLite, or on a fresh database of the test process's PostgreSQL cluster.
  explicit Fixture(bool on_postgres = false) {
    config.data_dir = dir / "data";
    config.share_secret = "retention tests";
    if (on_postgres) config.url_store = ide::test::new_postgres_database();
    open();
  }

  void open() {
    service.reset();
    auto made = ide::url::make_url_service(ide::app::url_options(config), submissions);
    REQUIRE(made.has_value());
    service = std::move(made).value();
  }

  std::string share(const std::string& id) {
    auto link = service->generate_url(id);
    REQUIRE(link.has_value());
    return link->slug;
  }
};

}  // namespace

TEST_CASE("shared_among reports the shared ids in the order asked", "[retention][url]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(f.submissions.add({}));
  f.share(ids[4]);
  f.share(ids[1]);

  auto shared = f.service->shared_among({ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]});
  REQUIRE(shared);
  CHECK(*shared == std::vector<std::string>{ids[4], ids[1]});

  auto none = f.service->shared_among({ids[0], ide::core::RandomIdGenerator().new_id(), "bad"});
  REQUIRE(none);
  CHECK(none->empty());
  auto empty = f.service->shared_among({});
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("purge_submissions removes exactly the given links, for good", "[retention][url]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::vector<std::string> ids;
  std::vector<std::string> slugs;
  // More than one store batch.
  for (int i = 0; i < 600; ++i) {
    ids.push_back(f.submissions.add({}));
    slugs.push_back(f.share(ids.back()));
  }
  std::vector<std::string> doomed;
  for (std::size_t i = 0; i < ids.size(); i += 3) doomed.push_back(ids[i]);
  std::vector<std::string> request = doomed;
  request.push_back(f.submissions.add({}));  // never shared
  request.push_back(doomed.front());         // twice

  auto removed = f.service->purge_submissions(request);
  REQUIRE(removed);
  CHECK(*removed == doomed.size());

  for (int round = 0; round < 2; ++round) {
    INFO("round " << round << " (1: after reopening the file)");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      INFO(i);
      auto resolved = f.service->resolve(slugs[i]);
      if (i % 3 == 0) {
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().code == ErrorCode::not_found);
      } else {
        REQUIRE(resolved);
        CHECK(*resolved == ids[i]);
      }
    }
    auto shared = f.service->shared_among(ids);
    REQUIRE(shared);
    CHECK(shared->size() == ids.size() - doomed.size());
    f.open();
  }

  auto again = f.service->purge_submissions(doomed);
  REQUIRE(again);
  CHECK(*again == 0);
}

TEST_CASE("a submission whose link was purged gets the same slug when shared again",
          "[retention][url]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  const std::string id = f.submissions.add({});
  const std::string slug = f.share(id);
  auto removed = f.service->purge_submissions({id});
  REQUIRE(removed);
  REQUIRE(*removed == 1);
  auto link = f.service->generate_url(id);
  REQUIRE(link);
  CHECK(link->created);
  CHECK(link->slug == slug);
}
