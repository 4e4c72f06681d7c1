// The problem module through its factory, on real SQLite files in temp dirs and (the same cases)
// on a real PostgreSQL database of a throwaway cluster: every field byte-exact (binary test
// data and titles, hidden flags, per-test limits, every compare mode), across reopening;
// replace keeps created_at; list oldest first with its test counts; remove; each refusal
// names its field and keeps nothing; max_problems, also under concurrent creates; malformed
// ids are not found without asking the store; a corrupt stored document is an error; and
// problems.db holds only this module's tables.
#include "problem/module.hpp"

#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/pg.hpp"
#include "core/sqlite.hpp"
#include "support/fakes/fake_clock.hpp"
#include "support/postgres.hpp"
#include "support/sample_tests.hpp"
#include "support/sqlite_schema.hpp"
#include "support/temp_dir.hpp"

using ide::core::ErrorCode;
using ide::problem::Problem;
using ide::problem::ProblemContent;
using ide::problem::ProblemService;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  ide::test::TempDir dir;
  ide::problem::ProblemOptions options;
  ide::test::FakeClock clock;
  ide::core::RandomIdGenerator ids;

  /// On SQLite, or on a fresh database of the test process's PostgreSQL cluster.
  explicit Fixture(bool on_postgres = false) {
    options.data_dir = dir / "nested" / "data";
    if (on_postgres) options.store = ide::test::new_postgres_database();
  }

  std::unique_ptr<ProblemService> open() {
    auto service = ide::problem::make_problem_service(options, clock, ids);
    REQUIRE(service.has_value());
    return std::move(service).value();
  }

  std::filesystem::path db_path() const { return options.data_dir / "problems.db"; }

  // Runs `sql` on the database directly, as an operator would: no migrations applied.
  void exec(const std::string& sql) {
    if (!options.store.empty()) {
      ide::core::pg::Connection(options.store).exec(sql);
      return;
    }
    ide::core::sqlite::Database(db_path(), {}).exec(sql);
  }

  std::int64_t row_count() {
    if (!options.store.empty()) {
      ide::core::pg::Connection db(options.store);
      return std::stoll(*db.exec("SELECT COUNT(*) FROM problems").rows.at(0).at(0));
    }
    ide::core::sqlite::Database db(db_path(), {});
    auto& statement = db.prepare("SELECT COUNT(*) FROM problems");
    ide::core::sqlite::ResetOnExit reset(statement);
    REQUIRE(statement.step());
    return statement.column_int(0);
  }
};

/// A problem using every field: binary title, starter code and test data, hidden tests
/// between visible ones, per-test and problem limits.
ProblemContent sample_content() {
  std::vector<ide::core::TestCase> tests = ide::test::sample_tests();
  tests.push_back({.name = "after the hidden one", .stdin_data = "1\n", .expected_stdout = "1"});
  return {.title = std::string("Sum \"two\" \xc3\xa9 \0\xff", 13),
          .statement = "# Sum\n\nRead *two* numbers; print their sum.\n",
          .starter_code = {{"python", "print(sum(map(int, input().split())))\n"},
                           {"c", std::string("int main(void) { return 0; }\0\xfe", 31)}},
          .tests = std::move(tests),
          .limits = {.cpu_ms = 1000, .wall_ms = 2000, .memory_kb = 65536},
          .compare = {.mode = ide::core::CompareMode::tokens, .epsilon = 1e-6}};
}

/// A small valid problem: one visible test.
ProblemContent small_content(std::string title) {
  return {.title = std::move(title),
          .statement = "",
          .tests = {{.stdin_data = "1", .expected_stdout = "1"}}};
}

void check_same_content(const ProblemContent& actual, const ProblemContent& expected) {
  CHECK(actual.title == expected.title);
  CHECK(actual.statement == expected.statement);
  CHECK(actual.starter_code == expected.starter_code);
  ide::test::check_same_tests(actual.tests, expected.tests);
  CHECK(actual.limits.cpu_ms == expected.limits.cpu_ms);
  CHECK(actual.limits.wall_ms == expected.limits.wall_ms);
  CHECK(actual.limits.memory_kb == expected.limits.memory_kb);
  CHECK(actual.compare.mode == expected.compare.mode);
  CHECK(actual.compare.epsilon == expected.compare.epsilon);
}

/// The error of a call that must fail.
template <typename T>
ide::core::Error error_of(const ide::core::Result<T>& result) {
  REQUIRE_FALSE(result.has_value());
  return result.error();
}

std::string created(ProblemService& service, ProblemContent content) {
  auto id = service.create(std::move(content));
  REQUIRE(id.has_value());
  return *id;
}

}  // namespace

TEST_CASE("a problem survives byte-exact, in every compare mode, also after reopening",
          "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::vector<std::pair<std::string, ProblemContent>> stored;
  {
    auto service = f.open();
    for (const ide::core::Comparison& compare : ide::test::all_comparisons()) {
      ProblemContent content = sample_content();
      content.compare = compare;
      stored.emplace_back(created(*service, content), content);
    }
    auto first = service->get(stored[0].first);
    REQUIRE(first);
    check_same_content(first->content, stored[0].second);
  }
  auto service = f.open();
  for (const auto& [id, content] : stored) {
    auto found = service->get(id);
    REQUIRE(found);
    CHECK(found->id == id);
    check_same_content(found->content, content);
    CHECK(found->created_at == f.clock.now());
    CHECK(found->updated_at == f.clock.now());
  }
}

TEST_CASE("an empty statement, no starter code and unset limits stay so", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const ProblemContent content = small_content("t");
  auto found = service->get(created(*service, content));
  REQUIRE(found);
  check_same_content(found->content, content);
}

TEST_CASE("replace keeps created_at, changes updated_at and the content", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const std::string id = created(*service, sample_content());
  const ide::core::TimePoint created_at = f.clock.now();
  f.clock.advance(5s);
  ProblemContent replacement = small_content("Replaced");
  replacement.tests[0].hidden = true;
  REQUIRE(service->replace(id, replacement));

  auto found = f.open()->get(id);
  REQUIRE(found);
  check_same_content(found->content, replacement);
  CHECK(found->created_at == created_at);
  CHECK(found->updated_at == created_at + 5s);
  const auto summaries = service->list();
  REQUIRE(summaries);
  REQUIRE(summaries->size() == 1);
  CHECK(summaries->at(0).visible_tests == 0);
  CHECK(summaries->at(0).hidden_tests == 1);
}

TEST_CASE("replacing an unknown or malformed id is not found", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  for (const std::string& id : {f.ids.new_id(), std::string("nope")}) {
    CHECK(error_of(service->replace(id, small_content("t"))).code == ErrorCode::not_found);
  }
  CHECK(f.row_count() == 0);
}

TEST_CASE("list is oldest first with each problem's visible and hidden tests", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  REQUIRE(service->list());
  CHECK(service->list()->empty());
  const std::string first = created(*service, sample_content());
  f.clock.advance(1s);
  const std::string second = created(*service, small_content("Second"));
  f.clock.advance(1s);
  // Replacing the first moves its updated_at, not its place.
  REQUIRE(service->replace(first, sample_content()));

  const auto summaries = f.open()->list();
  REQUIRE(summaries);
  REQUIRE(summaries->size() == 2);
  const ide::problem::ProblemSummary& a = summaries->at(0);
  CHECK(a.id == first);
  CHECK(a.title == sample_content().title);
  CHECK(a.visible_tests == 3);
  CHECK(a.hidden_tests == 1);
  CHECK(a.updated_at == f.clock.now());
  const ide::problem::ProblemSummary& b = summaries->at(1);
  CHECK(b.id == second);
  CHECK(b.title == "Second");
  CHECK(b.visible_tests == 1);
  CHECK(b.hidden_tests == 0);
  CHECK(b.updated_at == f.clock.now() - 1s);
}

TEST_CASE("a removed problem is not found, nor removed twice", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const std::string kept = created(*service, small_content("kept"));
  const std::string removed = created(*service, small_content("removed"));
  REQUIRE(service->remove(removed));
  CHECK(error_of(service->get(removed)).code == ErrorCode::not_found);
  CHECK(error_of(service->remove(removed)).code == ErrorCode::not_found);
  REQUIRE(service->list());
  REQUIRE(service->list()->size() == 1);
  CHECK(service->list()->at(0).id == kept);
  CHECK(f.row_count() == 1);
}

namespace {

struct Refusal {
  const char* what;
  std::function<void(ProblemContent&)> change;
  std::string message;
};

std::vector<Refusal> refusals() {
  using ide::problem::kMaxStarterCodeBytes;
  const auto test_limit = [](std::size_t index, std::int64_t value) {
    return [index, value](ProblemContent& c) { c.tests.at(index).cpu_ms = value; };
  };
  return {
      {"an empty title", [](ProblemContent& c) { c.title.clear(); },
       "title must be 1 to 200 bytes."},
      {"a long title", [](ProblemContent& c) { c.title.assign(201, 't'); },
       "title must be 1 to 200 bytes."},
      {"a long statement", [](ProblemContent& c) { c.statement.assign(65537, 's'); },
       "statement must be at most 65536 bytes."},
      {"33 starter languages",
       [](ProblemContent& c) {
         for (int i = 0; i < 33; ++i) c.starter_code["lang" + std::to_string(i)] = "";
       },
       "starter_code must have at most 32 languages."},
      {"a long language id", [](ProblemContent& c) { c.starter_code[std::string(65, 'l')]; },
       "starter_code's language ids must be 1 to 64 bytes of UTF-8."},
      {"an empty language id", [](ProblemContent& c) { c.starter_code[""] = "x"; },
       "starter_code's language ids must be 1 to 64 bytes of UTF-8."},
      {"a language id not UTF-8", [](ProblemContent& c) { c.starter_code["py\xff"] = "x"; },
       "starter_code's language ids must be 1 to 64 bytes of UTF-8."},
      {"a long starter code",
       [](ProblemContent& c) { c.starter_code["python"].assign(kMaxStarterCodeBytes + 1, 'p'); },
       "starter_code.python must be at most 65536 bytes."},
      {"no tests", [](ProblemContent& c) { c.tests.clear(); },
       "tests must have 1 to 64 entries, got 0."},
      {"65 tests", [](ProblemContent& c) { c.tests.resize(65); },
       "tests must have 1 to 64 entries, got 65."},
      {"a long test name", [](ProblemContent& c) { c.tests.at(3).name.assign(65, 'n'); },
       "tests[3].name must be at most 64 bytes."},
      {"a test's cpu_ms of 0", test_limit(1, 0), "tests[1].cpu_ms must be at least 1."},
      {"a test's negative wall_ms", [](ProblemContent& c) { c.tests.at(2).wall_ms = -5; },
       "tests[2].wall_ms must be at least 1."},
      {"limits.cpu_ms of 0", [](ProblemContent& c) { c.limits.cpu_ms = 0; },
       "limits.cpu_ms must be at least 1."},
      {"limits.wall_ms of 0", [](ProblemContent& c) { c.limits.wall_ms = 0; },
       "limits.wall_ms must be at least 1."},
      {"limits.memory_kb of -1", [](ProblemContent& c) { c.limits.memory_kb = -1; },
       "limits.memory_kb must be at least 1."},
      {"a negative epsilon", [](ProblemContent& c) { c.compare.epsilon = -1e-9; },
       "compare.epsilon must be a number between 0 and 1."},
      {"an epsilon above 1", [](ProblemContent& c) { c.compare.epsilon = 1.5; },
       "compare.epsilon must be a number between 0 and 1."},
      {"a NaN epsilon",
       [](ProblemContent& c) { c.compare.epsilon = std::numeric_limits<double>::quiet_NaN(); },
       "compare.epsilon must be a number between 0 and 1."},
  };
}

}  // namespace

TEST_CASE("each refusal names its field, and neither create nor replace keeps anything",
          "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const std::string existing = created(*service, sample_content());
  for (const Refusal& refusal : refusals()) {
    INFO(refusal.what);
    ProblemContent content = sample_content();
    refusal.change(content);
    const ide::core::Error on_create = error_of(service->create(content));
    CHECK(on_create.code == ErrorCode::invalid_argument);
    CHECK(on_create.message == refusal.message);
    const ide::core::Error on_replace = error_of(service->replace(existing, content));
    CHECK(on_replace.code == ErrorCode::invalid_argument);
    CHECK(on_replace.message == refusal.message);
  }
  CHECK(f.row_count() == 1);
  auto found = service->get(existing);
  REQUIRE(found);
  check_same_content(found->content, sample_content());
  CHECK(found->updated_at == found->created_at);
}

TEST_CASE("every field at its bound is kept", "[problem]") {
  Fixture f;
  auto service = f.open();
  ProblemContent content = sample_content();
  content.title.assign(200, 't');
  content.statement.assign(65536, 's');
  content.starter_code.clear();
  for (int i = 0; i < 31; ++i) content.starter_code["lang" + std::to_string(i)] = "";
  content.starter_code[std::string(64, 'l')].assign(65536, 'c');
  content.tests.resize(64);
  content.tests[63].name.assign(64, 'n');
  content.tests[63].cpu_ms = 1;
  content.limits = {.cpu_ms = 1, .wall_ms = 1, .memory_kb = 1};
  for (const double epsilon : {0.0, 1.0}) {
    content.compare.epsilon = epsilon;
    auto found = service->get(created(*service, content));
    REQUIRE(found);
    check_same_content(found->content, content);
  }
}

TEST_CASE("at most max_problems are kept, also when created at once", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  f.options.max_problems = 12;
  auto service = f.open();
  std::vector<std::thread> threads;
  std::atomic<int> kept{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&service, &kept] {
      for (int i = 0; i < 5; ++i) {
        if (service->create(small_content("t"))) ++kept;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(kept == 12);
  CHECK(f.row_count() == 12);
  const ide::core::Error refused = error_of(service->create(small_content("one more")));
  CHECK(refused.code == ErrorCode::invalid_argument);
  CHECK(refused.message == "At most 12 problems are kept: delete one first.");

  REQUIRE(service->remove(service->list()->at(0).id));
  CHECK(service->create(small_content("one more")).has_value());
}

TEST_CASE("malformed ids are not found without asking the store", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  // With the table gone, any question that reaches the store fails.
  f.exec("DROP TABLE problems");
  const std::string well_formed = f.ids.new_id();
  CHECK(error_of(service->get(well_formed)).code == ErrorCode::internal);
  for (const std::string& id : {std::string(), std::string("short"), std::string(22, '!'),
                               well_formed + "x", std::string("../../../etc/passwd")}) {
    INFO(id);
    CHECK(error_of(service->get(id)).code == ErrorCode::not_found);
    CHECK(error_of(service->replace(id, small_content("t"))).code == ErrorCode::not_found);
    CHECK(error_of(service->remove(id)).code == ErrorCode::not_found);
  }
}

TEST_CASE("a corrupt stored document is an error, not a crash", "[problem]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const std::string id = created(*service, sample_content());
  for (const char* document :
       {"{not json", "[1, 2]", R"({"statement": 5})",
        R"({"statement": "", "starter_code": [], "tests": [{"stdin": 1}], "limits": {},
            "compare": {"mode": "exact", "epsilon": 0}})"}) {
    INFO(document);
    f.exec(std::string("UPDATE problems SET content = '") + document + "'");
    const ide::core::Error error = error_of(service->get(id));
    CHECK(error.code == ErrorCode::internal);
    CHECK_THAT(error.message, Catch::Contains("stored problem"));
  }
  // The summaries do not read the document.
  REQUIRE(service->list());
  CHECK(service->list()->size() == 1);
}

TEST_CASE("problems.db holds only the problem module's tables", "[problem]") {
  Fixture f;
  {
    auto service = f.open();
    created(*service, small_content("t"));
  }
  const ide::test::SqliteSchema schema = ide::test::sqlite_schema(f.db_path());
  CHECK(schema.tables == std::set<std::string>{"problems"});
  CHECK(schema.owners == std::set<std::string>{"problems"});
  for (const char* other : {"submissions.db", "results.db", "urls.db"}) {
    CHECK_FALSE(std::filesystem::exists(f.options.data_dir / other));
  }
}

TEST_CASE("an unusable data dir or database is reported, not thrown", "[problem]") {
  Fixture f;
  std::filesystem::create_directories(f.dir.path());
  std::ofstream(f.dir / "file") << "x";
  SECTION("a regular file where the data dir should be") {
    f.options.data_dir = f.dir / "file" / "data";
  }
  SECTION("a PostgreSQL server that is not there") {
    f.options.store = "postgresql://127.0.0.1:1/problems?connect_timeout=2";
  }
  auto service = ide::problem::make_problem_service(f.options, f.clock, f.ids);
  REQUIRE_FALSE(service.has_value());
  CHECK(service.error().code == ErrorCode::storage_unavailable);
}
