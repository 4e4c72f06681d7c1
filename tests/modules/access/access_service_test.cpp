// The access module through its factory, on real SQLite files in temp dirs and (the same cases)
// on a real PostgreSQL database of a throwaway cluster: create answers two distinct prefixed
// secrets, and each authenticates with its role; list is oldest first, get and revoke; unknown,
// revoked and expired secrets are refused; every field survives reopening; each refusal names
// its field and keeps nothing; max_class_tokens; and the database holds hashes, never secrets.
#include "access/module.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>

#include "support/fakes/fake_clock.hpp"
#include "support/postgres.hpp"
#include "support/sqlite_schema.hpp"
#include "support/temp_dir.hpp"

using ide::access::AccessService;
using ide::access::IssuedClassToken;
using ide::access::NewClassToken;
using ide::access::Role;
using ide::core::ErrorCode;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  ide::test::TempDir dir;
  ide::access::AccessOptions options;
  ide::test::FakeClock clock;
  ide::core::RandomIdGenerator ids;

  /// On SQLite, or on a fresh database of the test process's PostgreSQL cluster.
  explicit Fixture(bool on_postgres = false) {
    options.data_dir = dir / "nested" / "data";
    if (on_postgres) options.store = ide::test::new_postgres_database();
  }

  std::unique_ptr<AccessService> open() {
    auto service = ide::access::make_access_service(options, clock, ids);
    REQUIRE(service.has_value());
    return std::move(service).value();
  }

  std::filesystem::path db_path() const { return options.data_dir / "access.db"; }
};

IssuedClassToken created(AccessService& service, NewClassToken request) {
  auto issued = service.create(std::move(request));
  REQUIRE(issued.has_value());
  return std::move(issued).value();
}

NewClassToken named(std::string name) { return {.name = std::move(name)}; }

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("create answers two prefixed secrets, each authenticating with its role", "[access]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const IssuedClassToken issued = created(*service, named("CS101"));
  CHECK(issued.student_secret.starts_with("ide_cls_"));
  CHECK(issued.owner_secret.starts_with("ide_own_"));
  CHECK(issued.student_secret.size() == 8 + 43);  // 32 bytes of base64url after the prefix
  CHECK(issued.student_secret.substr(8) != issued.owner_secret.substr(8));
  CHECK(issued.token.created_at == f.clock.now());
  CHECK(service->get(issued.token.id)->created_at == issued.token.created_at);

  auto student = service->authenticate(issued.student_secret);
  REQUIRE(student.has_value());
  CHECK(student->role == Role::student);
  CHECK(student->token.id == issued.token.id);
  CHECK(student->token.name == "CS101");
  auto owner = service->authenticate(issued.owner_secret);
  REQUIRE(owner.has_value());
  CHECK(owner->role == Role::owner);
  CHECK(owner->token.id == issued.token.id);

  const IssuedClassToken other = created(*service, named("CS102"));
  CHECK(other.student_secret != issued.student_secret);
  CHECK(service->authenticate(other.student_secret)->token.id == other.token.id);
}

TEST_CASE("every field survives reopening the store", "[access]") {
  Fixture f(GENERATE(false, true));           // SQLite, then PostgreSQL
  const std::string name("CS\0" "101 \xff", 8);  // any bytes, a NUL too
  IssuedClassToken issued;
  {
    auto service = f.open();
    issued = created(*service, {.name = name,
                                .quota = {.submissions_per_hour = 30, .max_queued = 4},
                                .expires_at = f.clock.now() + 24h});
  }
  auto service = f.open();
  auto token = service->get(issued.token.id);
  REQUIRE(token.has_value());
  CHECK(token->name == name);
  CHECK(token->quota.submissions_per_hour == 30);
  CHECK(token->quota.max_queued == 4);
  CHECK(token->expires_at == f.clock.now() + 24h);
  CHECK(token->created_at == issued.token.created_at);
  CHECK(service->authenticate(issued.owner_secret)->role == Role::owner);
}

TEST_CASE("list is oldest first, get and revoke, and a revoked token's secrets stop working",
          "[access]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const IssuedClassToken first = created(*service, named("first"));
  f.clock.advance(1s);
  const IssuedClassToken second = created(*service, named("second"));
  auto listed = service->list();
  REQUIRE(listed.has_value());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].id == first.token.id);
  CHECK((*listed)[1].id == second.token.id);
  CHECK_FALSE((*listed)[0].expires_at.has_value());
  CHECK(service->get(second.token.id)->name == "second");

  REQUIRE(service->revoke(first.token.id).has_value());
  CHECK(service->get(first.token.id).error().code == ErrorCode::not_found);
  CHECK(service->revoke(first.token.id).error().code == ErrorCode::not_found);
  CHECK(service->authenticate(first.student_secret).error().code == ErrorCode::not_found);
  CHECK(service->authenticate(first.owner_secret).error().code == ErrorCode::not_found);
  CHECK(service->authenticate(second.student_secret).has_value());
  CHECK(service->list()->size() == 1);
}

TEST_CASE("unknown, altered, malformed and expired secrets are not found", "[access]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const IssuedClassToken issued =
      created(*service, {.name = "CS101", .expires_at = f.clock.now() + 1h});
  std::string altered = issued.student_secret;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  for (const std::string& secret :
       {altered, std::string(), std::string("ide_cls_"), std::string(4096, 'x'), issued.token.id}) {
    CHECK(service->authenticate(secret).error().code == ErrorCode::not_found);
  }
  f.clock.advance(59min);
  CHECK(service->authenticate(issued.student_secret).has_value());
  f.clock.advance(1min);
  CHECK(service->authenticate(issued.student_secret).error().code == ErrorCode::not_found);
  CHECK(service->authenticate(issued.owner_secret).error().code == ErrorCode::not_found);
  CHECK(service->get(issued.token.id).has_value());  // still listed, for its submissions
}

TEST_CASE("malformed and unknown class ids are not found", "[access]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  for (const char* id : {"", "x", "../access", "AAAAAAAAAAAAAAAAAAAAAA"}) {
    CHECK(service->get(id).error().code == ErrorCode::not_found);
    CHECK(service->revoke(id).error().code == ErrorCode::not_found);
  }
}

TEST_CASE("each refusal names its field and keeps nothing", "[access]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const auto refusal = [&](NewClassToken request) {
    auto issued = service->create(std::move(request));
    REQUIRE_FALSE(issued.has_value());
    CHECK(issued.error().code == ErrorCode::invalid_argument);
    return issued.error().message;
  };
  CHECK_THAT(refusal(named("")), Catch::Contains("name"));
  CHECK_THAT(refusal(named(std::string(ide::access::kMaxClassNameBytes + 1, 'n'))),
             Catch::Contains("name"));
  CHECK_THAT(refusal({.name = "c", .quota = {.submissions_per_hour = -1}}),
             Catch::Contains("quota_per_hour"));
  CHECK_THAT(refusal({.name = "c", .quota = {.max_queued = -1}}), Catch::Contains("max_queued"));
  CHECK_THAT(refusal({.name = "c", .expires_at = f.clock.now()}), Catch::Contains("expires_at"));
  CHECK(service->list()->empty());

  created(*service, named(std::string(ide::access::kMaxClassNameBytes, 'n')));
  created(*service, {.name = "c", .expires_at = f.clock.now() + 1ms});
}

TEST_CASE("at most max_class_tokens are kept, and revoking makes room", "[access]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  f.options.max_class_tokens = 2;
  auto service = f.open();
  const IssuedClassToken first = created(*service, named("a"));
  created(*service, named("b"));
  auto refused = service->create(named("c"));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(refused.error().message, Catch::Contains("At most 2"));
  REQUIRE(service->revoke(first.token.id).has_value());
  created(*service, named("c"));
}

TEST_CASE("the database holds only hashes of the secrets, in the module's own table", "[access]") {
  Fixture f;
  IssuedClassToken issued;
  {
    auto service = f.open();
    issued = created(*service, named("CS101"));
  }
  const std::string bytes = file_bytes(f.db_path()) + file_bytes(f.db_path().string() + "-wal");
  CHECK(bytes.find("CS101") != std::string::npos);  // the reading works
  for (const std::string& secret : {issued.student_secret, issued.owner_secret}) {
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find(secret.substr(8)) == std::string::npos);
  }
  const ide::test::SqliteSchema schema = ide::test::sqlite_schema(f.db_path());
  CHECK(schema.tables == std::set<std::string>{"class_tokens"});
}

TEST_CASE("an unusable data dir or access database is reported, not thrown", "[access]") {
  Fixture f;
  std::filesystem::create_directories(f.dir.path());
  std::ofstream(f.dir / "file") << "x";
  SECTION("a regular file where the data dir should be") {
    f.options.data_dir = f.dir / "file" / "data";
  }
  SECTION("a PostgreSQL server that is not there") {
    f.options.store = "postgresql://127.0.0.1:1/access?connect_timeout=2";
  }
  auto service = ide::access::make_access_service(f.options, f.clock, f.ids);
  REQUIRE_FALSE(service.has_value());
  CHECK(service.error().code == ErrorCode::storage_unavailable);
}
