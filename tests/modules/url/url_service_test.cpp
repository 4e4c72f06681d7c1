// The url module through its factory, on real SQLite files in temp dirs and (the same cases) on a
// real PostgreSQL database of a throwaway cluster: same id same slug
// (created once), different ids different slugs, the slug is the first 8 characters of
// base64url(HMAC-SHA256(secret, id)) recomputed here, collisions extend the slug without
// overwriting, unknown and malformed ids and slugs are not found (malformed ones without a
// lookup), concurrent sharing of one id, the generated secret file, and that urls.db holds only
// this module's table.
#include "url/module.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <latch>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.hpp"
#include "core/pg.hpp"
#include "core/sqlite.hpp"
#include "support/fakes/fake_submission_service.hpp"
#include "support/postgres.hpp"
#include "support/sqlite_schema.hpp"
#include "support/temp_dir.hpp"

using ide::core::ErrorCode;
using ide::test::FakeSubmissionService;
using ide::url::UrlService;

namespace {

const std::string kSecret = "a fixed secret for the tests";

std::string base64url_hmac(const std::string& secret, const std::string& id) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(id.data()), id.size(), digest, &size);
  REQUIRE(size == 32);
  return ide::core::base64url_encode(std::string(reinterpret_cast<char*>(digest), size));
}

// The specified derivation, written independently of the module: base64url(HMAC-SHA256) without
// its leading '-'s.
std::string expected_slug(const std::string& secret, const std::string& id, std::size_t length) {
  const std::string encoded = base64url_hmac(secret, id);
  const std::string readable = encoded.substr(encoded.find_first_not_of('-'));
  REQUIRE(length <= readable.size());
  return readable.substr(0, length);
}

ide::submission::Submission with_id(std::string id) {
  ide::submission::Submission submission;
  submission.id = std::move(id);
  return submission;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

enum class Engine { sqlite, postgresql };

struct Fixture {
  ide::test::TempDir dir;
  ide::url::UrlOptions config;
  FakeSubmissionService submissions;

  /// On `engine`; PostgreSQL gets a fresh database of the test process's cluster.
  explicit Fixture(Engine engine = Engine::sqlite) {
    config.data_dir = dir / "data";
    config.share_secret = kSecret;
    if (engine == Engine::postgresql) config.store = ide::test::new_postgres_database();
  }

  std::unique_ptr<UrlService> open() {
    auto service = ide::url::make_url_service(config, submissions);
    REQUIRE(service.has_value());
    return std::move(service).value();
  }

  std::string add_submission() { return submissions.add({}); }

  // Maps `slug` to `submission_id` behind the service's back, as another writer could.
  void seed(const std::string& slug, const std::string& submission_id) {
    if (!config.store.empty()) {
      ide::core::pg::Connection db(config.store);
      db.exec("INSERT INTO urls (slug, submission_id) VALUES ($1, $2)", {slug, submission_id});
      return;
    }
    ide::core::sqlite::Database db(config.data_dir / "urls.db", {});
    db.prepare("INSERT INTO urls (slug, submission_id) VALUES (?, ?)")
        .bind(1, slug)
        .bind(2, submission_id)
        .run();
  }
};

}  // namespace

TEST_CASE("the same id gets the same slug, created only the first time", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto service = f.open();
  const std::string id = f.add_submission();
  auto first = service->generate_url(id);
  REQUIRE(first.has_value());
  CHECK(first->created);
  CHECK(first->slug.size() == 8);
  CHECK(first->slug == expected_slug(kSecret, id, 8));

  auto second = service->generate_url(id);
  REQUIRE(second.has_value());
  CHECK_FALSE(second->created);
  CHECK(second->slug == first->slug);

  auto resolved = service->resolve(first->slug);
  REQUIRE(resolved.has_value());
  CHECK(*resolved == id);
}

TEST_CASE("a slug never starts with '-', which a command line would take for an option",
          "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto service = f.open();
  // One id in 64 has an HMAC whose base64url starts with '-': take the first of a few hundred.
  std::string id;
  for (int i = 0; id.empty() && i < 1000; ++i) {
    const std::string candidate = f.add_submission();
    if (base64url_hmac(kSecret, candidate).front() == '-') id = candidate;
  }
  REQUIRE_FALSE(id.empty());
  auto link = service->generate_url(id);
  REQUIRE(link.has_value());
  CHECK(link->slug.front() != '-');
  CHECK(link->slug == expected_slug(kSecret, id, 8));
  CHECK(service->resolve(link->slug).value() == id);
}

TEST_CASE("different ids get different slugs", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto service = f.open();
  std::set<std::string> slugs;
  for (int i = 0; i < 100; ++i) {
    const std::string id = f.add_submission();
    auto link = service->generate_url(id);
    REQUIRE(link.has_value());
    CHECK(link->created);
    CHECK(link->slug.size() == 8);
    slugs.insert(link->slug);
    CHECK(service->resolve(link->slug).value() == id);
  }
  CHECK(slugs.size() == 100);
}

TEST_CASE("slugs depend only on the secret and the id", "[url]") {
  const Engine engine = GENERATE(Engine::sqlite, Engine::postgresql);
  Fixture a(engine);
  Fixture b(engine);
  const std::string id = "AbCdEfGhIjKlMnOpQrStUv";
  a.submissions.add(with_id(id));
  b.submissions.add(with_id(id));
  const std::string slug_a = a.open()->generate_url(id).value().slug;
  CHECK(b.open()->generate_url(id).value().slug == slug_a);

  Fixture c(engine);
  c.config.share_secret = "another secret";
  c.submissions.add(with_id(id));
  const std::string slug_c = c.open()->generate_url(id).value().slug;
  CHECK(slug_c != slug_a);
  CHECK(slug_c == expected_slug("another secret", id, 8));
}

TEST_CASE("a taken slug is extended one character at a time, never overwritten", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  f.open();  // creates the schema
  const std::string id = f.add_submission();
  const std::string other = f.add_submission();
  const std::string third = f.add_submission();
  f.seed(expected_slug(kSecret, id, 8), other);

  auto service = f.open();
  auto link = service->generate_url(id);
  REQUIRE(link.has_value());
  CHECK(link->created);
  CHECK(link->slug == expected_slug(kSecret, id, 9));
  CHECK(service->resolve(expected_slug(kSecret, id, 8)).value() == other);
  CHECK(service->resolve(link->slug).value() == id);
  // Stable afterwards.
  CHECK(service->generate_url(id).value().slug == link->slug);

  const std::string fourth = f.add_submission();
  f.seed(expected_slug(kSecret, third, 8), other + "x");
  f.seed(expected_slug(kSecret, third, 9), fourth);
  auto extended = service->generate_url(third);
  REQUIRE(extended.has_value());
  CHECK(extended->slug == expected_slug(kSecret, third, 10));
  CHECK(service->resolve(expected_slug(kSecret, third, 9)).value() == fourth);
}

TEST_CASE("unknown and malformed submission ids are not found", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto service = f.open();
  auto unknown = service->generate_url("AAAAAAAAAAAAAAAAAAAAAA");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == ErrorCode::not_found);
  CHECK(f.submissions.lookups() == 1);

  for (const std::string& id : {std::string(), std::string("short"), std::string(23, 'a'),
                                std::string("AAAAAAAAAAAAAAAAAAAAA/"), std::string(22, '\0')}) {
    auto link = service->generate_url(id);
    REQUIRE_FALSE(link.has_value());
    CHECK(link.error().code == ErrorCode::not_found);
  }
  // Malformed ids never reached the submission module.
  CHECK(f.submissions.lookups() == 1);
}

TEST_CASE("an already shared id needs no lookup, lookup failures are passed on", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto service = f.open();
  const std::string id = f.add_submission();
  REQUIRE(service->generate_url(id).has_value());
  const std::size_t lookups = f.submissions.lookups();
  f.submissions.fail_with(ErrorCode::storage_unavailable);
  CHECK(service->generate_url(id).has_value());
  CHECK(f.submissions.lookups() == lookups);

  auto failed = service->generate_url(f.submissions.add(with_id("BBBBBBBBBBBBBBBBBBBBBB")));
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == ErrorCode::storage_unavailable);
}

TEST_CASE("eight threads sharing one id get one slug, created once", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto service = f.open();
  const std::string id = f.add_submission();
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<ide::core::Result<ide::url::ShareLink>> links(
      kThreads, ide::core::fail(ErrorCode::internal, "not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      links[t] = service->generate_url(id);
    });
  }
  for (std::thread& thread : threads) thread.join();
  int created = 0;
  for (const auto& link : links) {
    REQUIRE(link.has_value());
    CHECK(link->slug == links[0]->slug);
    if (link->created) ++created;
  }
  CHECK(created == 1);
}

TEST_CASE("two services on one file agree on the slug", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto one = f.open();
  auto two = f.open();
  const std::string id = f.add_submission();
  auto first = two->generate_url(id);
  auto second = one->generate_url(id);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(first->created);
  CHECK_FALSE(second->created);
  CHECK(first->slug == second->slug);
}

TEST_CASE("mappings survive reopening", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  const std::string id = f.add_submission();
  std::string slug;
  {
    auto service = f.open();
    slug = service->generate_url(id).value().slug;
  }
  auto service = f.open();
  CHECK(service->resolve(slug).value() == id);
  auto again = service->generate_url(id);
  REQUIRE(again.has_value());
  CHECK_FALSE(again->created);
  CHECK(again->slug == slug);
}

TEST_CASE("without a configured secret one is generated once, mode 0600, and reused", "[url]") {
  Fixture f;
  f.config.share_secret.clear();
  const std::filesystem::path file = f.config.data_dir / "share.secret";
  const std::string id = f.add_submission();
  std::string slug;
  {
    auto service = f.open();
    slug = service->generate_url(id).value().slug;
  }
  REQUIRE(std::filesystem::exists(file));
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  const std::string content = read_file(file);
  std::string secret = content;
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == ' ')) secret.pop_back();
  // 32 random bytes, hex-encoded.
  CHECK(secret.size() == 64);
  CHECK(secret.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(slug == expected_slug(secret, id, 8));
  // No temporary file left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(f.config.data_dir)) {
    if (entry.path().filename().string().find("share.secret") != std::string::npos) ++entries;
  }
  CHECK(entries == 1);

  {
    auto service = f.open();
    const std::string next = f.add_submission();
    CHECK(service->generate_url(next).value().slug == expected_slug(secret, next, 8));
  }
  struct stat after {};
  REQUIRE(::stat(file.c_str(), &after) == 0);
  CHECK(after.st_ino == info.st_ino);
  CHECK(read_file(file) == content);

  // A configured secret wins over the file.
  f.config.share_secret = kSecret;
  auto configured = f.open();
  const std::string third = f.add_submission();
  CHECK(configured->generate_url(third).value().slug == expected_slug(kSecret, third, 8));
}

TEST_CASE("an empty secret file is refused rather than silently replaced", "[url]") {
  Fixture f;
  f.config.share_secret.clear();
  std::filesystem::create_directories(f.config.data_dir);
  { std::ofstream(f.config.data_dir / "share.secret") << "\n"; }
  auto service = ide::url::make_url_service(f.config, f.submissions);
  REQUIRE_FALSE(service.has_value());
  CHECK_THAT(service.error().message, Catch::Contains("share.secret"));
}

TEST_CASE("malformed and unknown slugs are not found", "[url]") {
  Fixture f(GENERATE(Engine::sqlite, Engine::postgresql));
  auto service = f.open();
  const std::string id = f.add_submission();
  const std::string slug = service->generate_url(id).value().slug;
  for (const std::string& bad :
       {std::string(), std::string("short"), std::string(7, 'a'), std::string(65, 'a'),
        std::string("has space"), std::string("abc/defgh"), std::string("abcdefg\0", 8),
        slug + "!", std::string("' OR 1=1 --"), std::string(100'000, 'A')}) {
    auto resolved = service->resolve(bad);
    REQUIRE_FALSE(resolved.has_value());
    CHECK(resolved.error().code == ErrorCode::not_found);
  }
  for (const std::string& unknown : {std::string(8, 'A'), std::string(64, '_'), slug + "A"}) {
    auto resolved = service->resolve(unknown);
    REQUIRE_FALSE(resolved.has_value());
    CHECK(resolved.error().code == ErrorCode::not_found);
  }
  CHECK(service->resolve(slug).value() == id);
}

TEST_CASE("urls.db holds only the url module's table", "[url]") {
  Fixture f;
  {
    auto service = f.open();
    REQUIRE(service->generate_url(f.add_submission()).has_value());
  }
  const ide::test::SqliteSchema schema = ide::test::sqlite_schema(f.config.data_dir / "urls.db");
  CHECK(schema.tables == std::set<std::string>{"urls"});
  CHECK(schema.owners == std::set<std::string>{"urls"});
  CHECK_FALSE(std::filesystem::exists(f.config.data_dir / "submissions.db"));
}

TEST_CASE("on PostgreSQL the mappings are rows of that database, versioned like SQLite's",
          "[url]") {
  Fixture f(Engine::postgresql);
  auto service = f.open();
  const std::string id = f.add_submission();
  const auto link = service->generate_url(id);
  REQUIRE(link.has_value());
  ide::core::pg::Connection db(f.config.store);
  const auto rows = db.exec("SELECT slug FROM urls WHERE submission_id = $1", {id});
  REQUIRE(rows.rows.size() == 1);
  CHECK(rows.rows[0][0] == link->slug);
  CHECK(db.exec("SELECT version FROM ide_schema_version").rows[0][0] == "1");
  // Nothing of the url module went to the SQLite file.
  CHECK_FALSE(std::filesystem::exists(f.config.data_dir / "urls.db"));
  // A second process on the same database migrates nothing again and sees the mapping.
  auto reopened = f.open();
  CHECK(reopened->resolve(link->slug).value() == id);
  CHECK(db.exec("SELECT count(*) FROM ide_schema_version").rows[0][0] == "1");
}

TEST_CASE("an unreachable PostgreSQL store is storage_unavailable, naming no password", "[url]") {
  Fixture f;
  // Port 1 on loopback: nothing listens there.
  f.config.store = "postgresql://ide:hunter2@127.0.0.1:1/ide_urls?connect_timeout=5";
  auto service = ide::url::make_url_service(f.config, f.submissions);
  REQUIRE_FALSE(service.has_value());
  CHECK(service.error().code == ErrorCode::storage_unavailable);
  CHECK_THAT(service.error().message, Catch::Contains("PostgreSQL"));
  CHECK_THAT(service.error().message, !Catch::Contains("hunter2"));
}
