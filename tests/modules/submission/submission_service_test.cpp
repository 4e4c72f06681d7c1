// The submission module through its factory, on real SQLite files in temp dirs and (the same
// cases) on a real PostgreSQL database of a throwaway cluster: byte-exact payloads, args and
// expected stdout, test cases and their comparison, persistence across reopening (and a
// PostgreSQL schema from before tests), refusing what the result module would not run (also a
// test's limits), too many tests, long test names and a bad epsilon, not_found for malformed
// and unknown ids, the hand-off to the result module (queue_full and shutting_down keep
// nothing; other failures keep the row and it is replayed, at the next start or after the next
// successful submission), concurrent use, that submissions.db holds only this module's tables,
// a class and a student label (refused when too long, not UTF-8, holding a control character or
// without a class), and a class's list: newest first, by problem and by student, paged by a
// cursor that covers every row once, without other classes' or anonymous submissions, and its
// bad limits, cursors and classes refused.
#include "submission/module.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/pg.hpp"
#include "core/sqlite.hpp"
#include "support/fakes/fake_result_service.hpp"
#include "support/postgres.hpp"
#include "support/sample_tests.hpp"
#include "support/sqlite_schema.hpp"
#include "support/temp_dir.hpp"

using ide::core::ErrorCode;
using ide::submission::NewSubmission;
using ide::submission::SubmissionService;
using ide::test::FakeResultService;

namespace {

class FakeClock final : public ide::core::Clock {
 public:
  ide::core::TimePoint now() const override {
    return ide::core::from_unix_ms(ms_.load());
  }
  void set_ms(std::int64_t ms) { ms_ = ms; }
  void advance_ms(std::int64_t ms) { ms_ += ms; }

 private:
  std::atomic<std::int64_t> ms_{1'700'000'000'123};
};

// Well-formed, distinct, predictable ids.
class CountingIds final : public ide::core::IdGenerator {
 public:
  std::string new_id() override {
    const std::string number = std::to_string(++next_);
    return "id" + std::string(ide::core::kIdLength - 2 - number.size(), '0') + number;
  }

 private:
  std::atomic<int> next_{0};
};

struct Fixture {
  ide::test::TempDir dir;
  ide::submission::SubmissionOptions config;
  FakeResultService results;
  FakeClock clock;
  CountingIds ids;

  /// On SQLite, or on a fresh database of the test process's PostgreSQL cluster.
  explicit Fixture(bool on_postgres = false) {
    config.data_dir = dir / "nested" / "data";
    if (on_postgres) config.store = ide::test::new_postgres_database();
  }

  std::unique_ptr<SubmissionService> open(FakeResultService& with) {
    auto service = ide::submission::make_submission_service(config, with, clock, ids);
    REQUIRE(service.has_value());
    return std::move(service).value();
  }
  std::unique_ptr<SubmissionService> open() { return open(results); }

  std::filesystem::path db_path() const { return config.data_dir / "submissions.db"; }

  // Reads the database directly, as an operator would: no migrations applied.
  std::int64_t row_count() {
    if (!config.store.empty()) {
      ide::core::pg::Connection db(config.store);
      return std::stoll(*db.exec("SELECT COUNT(*) FROM submissions").rows.at(0).at(0));
    }
    ide::core::sqlite::Database db(db_path(), {});
    auto& statement = db.prepare("SELECT COUNT(*) FROM submissions");
    REQUIRE(statement.step());
    const std::int64_t count = statement.column_int(0);
    statement.reset();
    return count;
  }
  std::optional<std::int64_t> handed_off(const std::string& id) {
    if (!config.store.empty()) {
      ide::core::pg::Connection db(config.store);
      auto rows = db.exec("SELECT handed_off::int FROM submissions WHERE id = $1", {id});
      if (rows.rows.empty()) return std::nullopt;
      return std::stoll(*rows.rows[0][0]);
    }
    ide::core::sqlite::Database db(db_path(), {});
    auto& statement = db.prepare("SELECT handed_off FROM submissions WHERE id = ?");
    statement.bind(1, id);
    std::optional<std::int64_t> value;
    if (statement.step()) value = statement.column_int(0);
    statement.reset();
    return value;
  }
};

NewSubmission python(std::string code, std::string stdin_data = {}) {
  NewSubmission request;
  request.language = "python";
  request.code = std::move(code);
  request.stdin_data = std::move(stdin_data);
  return request;
}

}  // namespace

TEST_CASE("code and stdin survive byte-exact, also after reopening", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  static const char kCode[] = "print('hi')\0after NUL \xff\xfe invalid \x80 UTF-8 \xc3";
  const std::string code(kCode, sizeof kCode - 1);
  REQUIRE(code.back() == '\xc3');
  REQUIRE(code.find('\0') != std::string::npos);
  std::string big(5 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131 + 7) % 256);

  NewSubmission request = python(code, big);
  request.limits.cpu_ms = 1500;
  request.limits.memory_kb = 65536;
  std::string id;
  {
    auto service = f.open();
    auto submitted = service->submit_code(request);
    REQUIRE(submitted.has_value());
    id = *submitted;
    CHECK(ide::core::is_well_formed_id(id));

    auto loaded = service->get(id);
    REQUIRE(loaded.has_value());
    CHECK(loaded->code == code);
    CHECK(loaded->stdin_data == big);
  }
  auto reopened = f.open();
  auto loaded = reopened->get(id);
  REQUIRE(loaded.has_value());
  CHECK(loaded->id == id);
  CHECK(loaded->language == "python");
  CHECK(loaded->code == code);
  CHECK(loaded->stdin_data.size() == big.size());
  CHECK(loaded->stdin_data == big);
  CHECK(loaded->limits.cpu_ms == std::optional<std::int64_t>(1500));
  CHECK_FALSE(loaded->limits.wall_ms.has_value());
  CHECK(loaded->limits.memory_kb == std::optional<std::int64_t>(65536));
  CHECK(ide::core::to_unix_ms(loaded->created_at) == 1'700'000'000'123);
  CHECK(reopened->exists(id).value());
}

TEST_CASE("empty code and stdin stay empty, not missing", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  auto id = service->submit_code(python(""));
  REQUIRE(id.has_value());
  auto loaded = service->get(*id);
  REQUIRE(loaded.has_value());
  CHECK(loaded->code.empty());
  CHECK(loaded->stdin_data.empty());
}

TEST_CASE("a successful submission is handed off and marked so", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  auto id = service->submit_code(python("1"));
  REQUIRE(id.has_value());
  CHECK(f.results.enqueue_calls() == std::vector<std::string>{*id});
  CHECK(f.handed_off(*id) == std::optional<std::int64_t>(1));
  // Nothing is replayed on the next start: it was acknowledged.
  FakeResultService next;
  auto reopened = f.open(next);
  CHECK(next.enqueue_calls().empty());
}

TEST_CASE("an unknown language is refused and lists the served ones", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  NewSubmission request = python("x");
  request.language = "cobol";
  auto submitted = service->submit_code(request);
  REQUIRE_FALSE(submitted.has_value());
  CHECK(submitted.error().code == ErrorCode::unknown_language);
  CHECK_THAT(submitted.error().message, Catch::Contains("cobol"));
  for (const char* served : {"python", "c", "cpp", "javascript", "bash"}) {
    CHECK_THAT(submitted.error().message, Catch::Contains(served));
  }
  CHECK(f.results.enqueue_calls().empty());
  CHECK(f.row_count() == 0);

  // "Served" means what the result module says now, not a fixed list.
  f.results.set_languages({{"lua", "Lua", "5.4"}});
  CHECK(service->submit_code(python("x")).error().code == ErrorCode::unknown_language);
  request.language = "lua";
  CHECK(service->submit_code(request).has_value());
}

TEST_CASE("a request the result module would not run is refused and kept nowhere",
          "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  NewSubmission request = python("x");
  request.limits.cpu_ms = 5;
  // The result module owns the limits (ResultService::check_runnable): its error is the answer.
  f.results.fail_check_with(ErrorCode::invalid_limits);
  auto refused = service->submit_code(request);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::invalid_limits);
  CHECK(f.row_count() == 0);
  CHECK(f.results.enqueue_calls().empty());

  f.results.fail_check_with(std::nullopt);
  auto kept = service->submit_code(request);
  REQUIRE(kept.has_value());
  CHECK(service->get(*kept)->limits.cpu_ms == std::optional<std::int64_t>(5));
  CHECK(f.row_count() == 1);
}

TEST_CASE("args and an expected stdout survive reopening", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  NewSubmission request = python("import sys\nprint(sys.argv)");
  request.args = {"1", "two words", "ü", ""};
  request.expected_stdout = "";
  std::string id;
  {
    auto service = f.open();
    auto submitted = service->submit_code(request);
    REQUIRE(submitted);
    id = *submitted;
  }
  auto found = f.open()->get(id);
  REQUIRE(found);
  CHECK(found->args == request.args);
  CHECK(found->expected_stdout == std::optional<std::string>(""));
}

TEST_CASE("too many, too long or NUL-holding args are refused and kept nowhere",
          "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  NewSubmission request = python("print(1)");
  SECTION("too many") {
    request.args.assign(ide::submission::kMaxArgs + 1, "x");
  }
  SECTION("too long") {
    request.args = {std::string(ide::submission::kMaxArgBytes + 1, 'x')};
  }
  SECTION("a NUL byte") {
    request.args = {std::string("a\0b", 3)};
  }
  auto refused = service->submit_code(request);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::invalid_argument);
  CHECK(f.row_count() == 0);
  CHECK(f.results.enqueue_calls().empty());
}

TEST_CASE("tests and their comparison survive reopening, none stays none", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  const std::vector<ide::core::Comparison> comparisons = ide::test::all_comparisons();
  std::vector<std::string> ids;
  std::string plain;
  {
    auto service = f.open();
    for (const ide::core::Comparison& compare : comparisons) {
      NewSubmission request = python("print(input())");
      request.tests = ide::test::sample_tests();
      request.compare = compare;
      auto submitted = service->submit_code(request);
      REQUIRE(submitted);
      ids.push_back(*submitted);
    }
    plain = *service->submit_code(python("print(1)"));
  }
  auto service = f.open();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto found = service->get(ids[i]);
    REQUIRE(found);
    ide::test::check_same_tests(found->tests, ide::test::sample_tests());
    CHECK(found->compare.mode == comparisons[i].mode);
    CHECK(found->compare.epsilon == comparisons[i].epsilon);
  }
  CHECK(service->get(plain)->tests.empty());
}

TEST_CASE("a problem id and the interactive flag survive reopening", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::string with;
  std::string plain;
  {
    auto service = f.open();
    NewSubmission request = python("print(input())");
    request.problem_id = "sum-of-two";
    request.interactive = true;
    with = *service->submit_code(request);
    plain = *service->submit_code(python("print(1)"));
  }
  auto service = f.open();
  CHECK(service->get(with)->problem_id == "sum-of-two");
  CHECK(service->get(with)->interactive);
  CHECK(service->get(plain)->problem_id.empty());
  CHECK_FALSE(service->get(plain)->interactive);
}

TEST_CASE("a PostgreSQL database of schema version 2 keeps its rows, without tests",
          "[submission]") {
  Fixture f(true);
  {
    // Migrations 1 and 2 as pg_submission_store.cpp shipped them.
    ide::core::pg::Connection db(f.config.store);
    db.migrate({R"sql(
      CREATE TABLE submissions (
        id TEXT PRIMARY KEY, language TEXT NOT NULL, cpu_ms BIGINT, wall_ms BIGINT,
        memory_kb BIGINT, created_at_ms BIGINT NOT NULL,
        handed_off BOOLEAN NOT NULL DEFAULT false, seq BIGSERIAL,
        code_codec INTEGER NOT NULL, stdin_codec INTEGER NOT NULL,
        code BYTEA NOT NULL, stdin BYTEA NOT NULL);
      CREATE INDEX submissions_pending ON submissions (seq) WHERE NOT handed_off;
      CREATE INDEX submissions_created ON submissions (created_at_ms, id);
    )sql",
                "ALTER TABLE submissions ADD COLUMN args TEXT;"
                "ALTER TABLE submissions ADD COLUMN expected_stdout BYTEA;"});
    db.exec(
        "INSERT INTO submissions (id, language, created_at_ms, handed_off, code_codec, "
        "stdin_codec, code, stdin, args) "
        "VALUES ('old0000000000000000000', 'python', 1000, true, 0, 0, 'print(1)', '', "
        "'[\"a\"]')");
  }
  auto service = f.open();
  auto old = service->get("old0000000000000000000");
  REQUIRE(old);
  CHECK(old->code == "print(1)");
  CHECK(old->args == std::vector<std::string>{"a"});
  CHECK(old->tests.empty());
  CHECK(old->problem_id.empty());
  CHECK(old->class_id.empty());
  CHECK(old->student.empty());
  CHECK_FALSE(old->interactive);
  NewSubmission request = python("print(2)");
  request.tests = ide::test::sample_tests();
  auto id = service->submit_code(request);
  REQUIRE(id);
  ide::test::check_same_tests(service->get(*id)->tests, request.tests);
}

namespace {

/// The refusal of a python submission carrying `tests` and `compare`, checking nothing was kept.
ide::core::Error refusal(Fixture& f, std::vector<ide::core::TestCase> tests,
                         ide::core::Comparison compare = {}) {
  NewSubmission request = python("print(1)");
  request.tests = std::move(tests);
  request.compare = compare;
  auto refused = f.open()->submit_code(request);
  REQUIRE_FALSE(refused.has_value());
  CHECK(f.row_count() == 0);
  CHECK(f.results.enqueue_calls().empty());
  return refused.error();
}

}  // namespace

TEST_CASE("too many tests, a long name, a misplaced hidden test or a bad epsilon keep nothing",
          "[submission]") {
  Fixture f;
  f.config.max_tests = 3;
  const ide::core::TestCase test{.name = "", .stdin_data = "1", .expected_stdout = "1"};
  SECTION("more tests than max_tests") {
    const ide::core::Error error = refusal(f, std::vector(4, test));
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(error.message == "At most 3 tests are allowed, got 4.");
  }
  SECTION("a name over 64 bytes") {
    std::vector<ide::core::TestCase> tests(3, test);
    tests[2].name = std::string(ide::submission::kMaxTestNameBytes + 1, 'n');
    const ide::core::Error error = refusal(f, tests);
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(error.message == "tests[2].name must be at most 64 bytes.");
  }
  SECTION("a visible test after a hidden one") {
    std::vector<ide::core::TestCase> tests(3, test);
    tests[1].hidden = true;
    const ide::core::Error error = refusal(f, tests);
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(error.message == "tests[2] is visible after a hidden test.");
  }
  SECTION("an epsilon that is negative, above 1 or not finite") {
    for (const double epsilon : {-1e-9, 1.5, std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::quiet_NaN()}) {
      const ide::core::Error error =
          refusal(f, {test}, {.mode = ide::core::CompareMode::float_tokens, .epsilon = epsilon});
      CHECK(error.code == ErrorCode::invalid_argument);
      CHECK(error.message.starts_with("compare.epsilon"));
    }
  }
  SECTION("exactly max_tests, 64-byte names and epsilons 0 and 1 are kept") {
    std::vector<ide::core::TestCase> tests(3, test);
    tests[0].name = std::string(ide::submission::kMaxTestNameBytes, 'n');
    auto service = f.open();
    for (const double epsilon : {0.0, 1.0}) {
      NewSubmission request = python("print(1)");
      request.tests = tests;
      request.compare.epsilon = epsilon;
      CHECK(service->submit_code(request).has_value());
    }
    CHECK(f.row_count() == 2);
  }
}

TEST_CASE("a test's own cpu_ms and wall_ms are held to the server's limits", "[submission]") {
  // The fake result module checks limits as the default LimitSettings do: 1 to 20000 cpu_ms,
  // 1 to 30000 wall_ms.
  Fixture f;
  std::vector<ide::core::TestCase> tests(4, ide::core::TestCase{});
  tests[1].cpu_ms = 20'000;
  tests[2].wall_ms = 30'000;
  SECTION("at the maximum they are kept") {
    NewSubmission request = python("print(1)");
    request.tests = tests;
    auto kept = f.open()->submit_code(request);
    REQUIRE(kept);
    CHECK(f.row_count() == 1);
  }
  SECTION("above the maximum: refused, naming the test") {
    tests[3].cpu_ms = 20'001;
    const ide::core::Error error = refusal(f, tests);
    CHECK(error.code == ErrorCode::invalid_limits);
    CHECK(error.message == "tests[3].cpu_ms must be between 1 and 20000, got 20001.");
  }
  SECTION("below 1, even beside larger ones: refused, naming the test") {
    tests[0].wall_ms = 0;
    const ide::core::Error error = refusal(f, tests);
    CHECK(error.code == ErrorCode::invalid_limits);
    CHECK(error.message == "tests[0].wall_ms must be between 1 and 30000, got 0.");
  }
}

TEST_CASE("malformed and unknown ids are not found", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  REQUIRE(service->submit_code(python("x")).has_value());
  const std::vector<std::string> malformed = {
      "", "abc", "id00000000000000000001x", "id0000000000000000000!", std::string(22, '\0'),
      std::string("id00000000000000000\0001", 22), std::string(10'000, 'a'),
      "' OR 1=1 --          ",
  };
  for (const std::string& id : malformed) {
    auto loaded = service->get(id);
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().code == ErrorCode::not_found);
    auto exists = service->exists(id);
    REQUIRE(exists.has_value());
    CHECK_FALSE(*exists);
  }
  const std::string unknown = "AAAAAAAAAAAAAAAAAAAAAA";
  REQUIRE(ide::core::is_well_formed_id(unknown));
  CHECK(service->get(unknown).error().code == ErrorCode::not_found);
  CHECK_FALSE(service->exists(unknown).value());
}

TEST_CASE("queue_full and shutting_down keep nothing", "[submission]") {
  const ErrorCode code = GENERATE(ErrorCode::queue_full, ErrorCode::shutting_down);
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  f.results.fail_enqueue_with(code);
  auto submitted = service->submit_code(python("x", "input"));
  REQUIRE_FALSE(submitted.has_value());
  CHECK(submitted.error().code == code);
  REQUIRE(f.results.enqueue_calls().size() == 1);
  const std::string id = f.results.enqueue_calls()[0];
  CHECK(f.row_count() == 0);
  CHECK(service->get(id).error().code == ErrorCode::not_found);

  // Nothing refused comes back at the next start.
  FakeResultService next;
  auto reopened = f.open(next);
  CHECK(next.enqueue_calls().empty());
}

TEST_CASE("a failed hand-off keeps the row and the next start replays it", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::vector<std::string> ids;
  {
    auto service = f.open();
    f.results.fail_enqueue_with(ErrorCode::storage_unavailable);
    for (int i = 0; i < 3; ++i) {
      f.clock.advance_ms(10);
      auto submitted = service->submit_code(python("print(" + std::to_string(i) + ")"));
      // The 202 promise holds: the outbox row will be handed off later.
      REQUIRE(submitted.has_value());
      ids.push_back(*submitted);
      CHECK(f.handed_off(*submitted) == std::optional<std::int64_t>(0));
    }
    CHECK(f.results.enqueued().empty());
    // The "crash": the service goes away before the result module acknowledged anything.
  }
  CHECK(f.row_count() == 3);

  FakeResultService working;
  auto reopened = f.open(working);
  // Replayed during construction, oldest first.
  CHECK(working.enqueued() == ids);
  for (const std::string& id : ids) {
    CHECK(f.handed_off(id) == std::optional<std::int64_t>(1));
    CHECK(reopened->get(id).has_value());
  }
  reopened.reset();

  FakeResultService third;
  auto again = f.open(third);
  CHECK(third.enqueue_calls().empty());
}

TEST_CASE("a replay that still fails leaves the rows for later", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  f.results.fail_enqueue_with(ErrorCode::unavailable);
  std::string id;
  {
    auto service = f.open();
    id = service->submit_code(python("x")).value();
  }
  FakeResultService failing;
  failing.fail_enqueue_with(ErrorCode::storage_unavailable);
  {
    // The service still starts: the result module may recover.
    auto reopened = f.open(failing);
    CHECK(failing.enqueue_calls() == std::vector<std::string>{id});
    CHECK(f.handed_off(id) == std::optional<std::int64_t>(0));
  }
  FakeResultService working;
  auto last = f.open(working);
  CHECK(working.enqueued() == std::vector<std::string>{id});
}

TEST_CASE("a failed hand-off is retried after the next successful one", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  f.results.fail_enqueue_with(ErrorCode::unavailable);
  const std::string first = service->submit_code(python("1")).value();
  CHECK(f.results.enqueued().empty());

  f.results.fail_enqueue_with(std::nullopt);
  const std::string second = service->submit_code(python("2")).value();
  CHECK(f.results.enqueued() == std::vector<std::string>{second, first});
  CHECK(f.handed_off(first) == std::optional<std::int64_t>(1));
  CHECK(f.handed_off(second) == std::optional<std::int64_t>(1));
}

TEST_CASE("many threads submit and read at once", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string code = "thread " + std::to_string(t) + " item " + std::to_string(i);
        auto submitted = service->submit_code(python(code, std::string(1000 + i, 'x')));
        if (!submitted) {
          ++failures;
          continue;
        }
        auto loaded = service->get(*submitted);
        if (!loaded || loaded->code != code || loaded->stdin_data.size() != 1000u + i) ++failures;
        ids[t].push_back(*submitted);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures == 0);
  std::set<std::string> distinct;
  for (const auto& list : ids) distinct.insert(list.begin(), list.end());
  CHECK(distinct.size() == kThreads * kEach);
  CHECK(f.results.enqueued().size() == kThreads * kEach);
  CHECK(f.row_count() == kThreads * kEach);
}

TEST_CASE("submissions.db holds only the submission module's tables", "[submission]") {
  Fixture f;
  {
    auto service = f.open();
    REQUIRE(service->submit_code(python("x")).has_value());
  }
  CHECK(std::filesystem::is_directory(f.config.data_dir));
  const ide::test::SqliteSchema schema = ide::test::sqlite_schema(f.db_path());
  CHECK(schema.tables == std::set<std::string>{"submissions"});
  CHECK(schema.owners == std::set<std::string>{"submissions"});
  CHECK_FALSE(std::filesystem::exists(f.config.data_dir / "results.db"));
  CHECK_FALSE(std::filesystem::exists(f.config.data_dir / "urls.db"));
}

TEST_CASE("an unusable data dir is reported, not thrown", "[submission]") {
  Fixture f;
  std::filesystem::create_directories(f.dir.path());
  // A regular file where the data directory should be.
  {
    std::ofstream(f.dir / "file") << "x";
  }
  f.config.data_dir = f.dir / "file" / "data";
  auto service = ide::submission::make_submission_service(f.config, f.results, f.clock, f.ids);
  REQUIRE_FALSE(service.has_value());
  CHECK(service.error().code == ErrorCode::storage_unavailable);
}

namespace {

NewSubmission in_class(std::string class_id, std::string student, std::string problem_id = {}) {
  NewSubmission request = python("print(1)");
  request.class_id = std::move(class_id);
  request.student = std::move(student);
  request.problem_id = std::move(problem_id);
  return request;
}

}  // namespace

TEST_CASE("a class and a student survive reopening, and anonymous stays anonymous",
          "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  std::string with;
  std::string class_only;
  std::string anonymous;
  {
    auto service = f.open();
    with = *service->submit_code(in_class("class-a", "Zoë O'Neil"));
    class_only = *service->submit_code(in_class("class-a", ""));
    anonymous = *service->submit_code(python("print(1)"));
  }
  auto service = f.open();
  CHECK(service->get(with)->class_id == "class-a");
  CHECK(service->get(with)->student == "Zoë O'Neil");
  CHECK(service->get(class_only)->class_id == "class-a");
  CHECK(service->get(class_only)->student.empty());
  CHECK(service->get(anonymous)->class_id.empty());
  CHECK(service->get(anonymous)->student.empty());
}

TEST_CASE("a bad student label, or one without a class, is refused and kept nowhere",
          "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  const std::string limit_message =
      "student must be at most 64 bytes of UTF-8, without control characters.";
  // 2-byte characters: 32 of them are exactly 64 bytes.
  std::string longest;
  for (int i = 0; i < 32; ++i) longest += "é";
  REQUIRE(longest.size() == ide::submission::kMaxStudentLabelBytes);
  for (const std::string& bad :
       {longest + "x", std::string("ann\xff"), std::string("\xc3"), std::string("ann\nbob"),
        std::string("a\0b", 3), std::string("tab\there"), std::string("del\x7f"),
        std::string("c1 \xc2\x85 control")}) {
    auto refused = service->submit_code(in_class("class-a", bad));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == ErrorCode::invalid_argument);
    CHECK(refused.error().message == limit_message);
  }
  auto anonymous = service->submit_code(in_class("", "ann"));
  REQUIRE_FALSE(anonymous.has_value());
  CHECK(anonymous.error().code == ErrorCode::invalid_argument);
  CHECK(anonymous.error().message == "student may only be given with a class token.");
  CHECK(f.row_count() == 0);
  CHECK(f.results.enqueue_calls().empty());

  // At the limit, and non-ASCII beyond the C1 controls, is kept.
  CHECK(service->submit_code(in_class("class-a", longest)).has_value());
  CHECK(service->submit_code(in_class("class-a", "\xc2\xa0" "Ann \xe2\x80\x94 2\xc2\xbd")));
  CHECK(f.row_count() == 2);
}

namespace {

/// Every page of `query` (with `limit` per page), checking each but the last is full.
std::vector<ide::submission::ClassSubmission> all_pages(
    SubmissionService& service, ide::submission::ClassSubmissionQuery query) {
  std::vector<ide::submission::ClassSubmission> all;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = service.list_class_submissions(query);
    REQUIRE(page);
    all.insert(all.end(), page->submissions.begin(), page->submissions.end());
    if (page->next.empty()) return all;
    CHECK(page->submissions.size() == query.limit);
    query.after = page->next;
  }
  FAIL("the pages did not end");
  return all;
}

std::vector<std::string> ids_of(const std::vector<ide::submission::ClassSubmission>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

}  // namespace

TEST_CASE("a class's submissions are listed newest first, filtered and paged", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  // Oldest first; two pairs share a millisecond, which the id orders (CountingIds ascend).
  const std::vector<std::tuple<std::string, std::string, std::string, int>> rows = {
      {"class-a", "ann", "p1", 10}, {"class-a", "bob", "p1", 0},  {"class-a", "ann", "p2", 10},
      {"class-a", "", "", 0},       {"class-a", "bob", "p2", 10}, {"class-a", "ann", "", 10},
      {"class-a", "ann", "p1", 0}};
  std::vector<std::string> newest_first;
  for (const auto& [class_id, student, problem, step_ms] : rows) {
    f.clock.advance_ms(step_ms);
    newest_first.insert(newest_first.begin(),
                        *service->submit_code(in_class(class_id, student, problem)));
    // Another class's and anonymous submissions, at the same times.
    REQUIRE(service->submit_code(in_class("class-b", student, problem)));
    REQUIRE(service->submit_code(python("print(2)")));
  }

  auto whole = service->list_class_submissions({.class_id = "class-a"});
  REQUIRE(whole);
  CHECK(ids_of(whole->submissions) == newest_first);
  CHECK(whole->next.empty());
  const ide::submission::ClassSubmission& newest = whole->submissions.front();
  CHECK(newest.language == "python");
  CHECK(newest.problem_id == "p1");
  CHECK(newest.student == "ann");
  CHECK(ide::core::to_unix_ms(newest.created_at) == ide::core::to_unix_ms(f.clock.now()));

  // newest_first[k] is rows[6 - k].
  const auto pick = [&](std::initializer_list<std::size_t> rows_newest_first) {
    std::vector<std::string> ids;
    for (std::size_t row : rows_newest_first) ids.push_back(newest_first[6 - row]);
    return ids;
  };
  CHECK(ids_of(all_pages(*service, {.class_id = "class-a", .problem_id = "p1"})) ==
        pick({6, 1, 0}));
  CHECK(ids_of(all_pages(*service, {.class_id = "class-a", .student = "ann"})) ==
        pick({6, 5, 2, 0}));
  CHECK(ids_of(all_pages(*service,
                         {.class_id = "class-a", .problem_id = "p2", .student = "bob"})) ==
        pick({4}));
  CHECK(all_pages(*service, {.class_id = "class-a", .student = "nobody"}).empty());
  CHECK(all_pages(*service, {.class_id = "class-c"}).empty());

  for (const std::size_t limit : std::initializer_list<std::size_t>{1, 2, 3, 6, 7}) {
    CAPTURE(limit);
    CHECK(ids_of(all_pages(*service, {.class_id = "class-a", .limit = limit})) == newest_first);
  }
  // A page of exactly the remaining rows says no more follow.
  auto first = service->list_class_submissions({.class_id = "class-a", .limit = 4});
  REQUIRE(first);
  auto rest =
      service->list_class_submissions({.class_id = "class-a", .limit = 3, .after = first->next});
  REQUIRE(rest);
  CHECK(rest->submissions.size() == 3);
  CHECK(rest->next.empty());
}

TEST_CASE("a class list with a bad limit, cursor or class is refused", "[submission]") {
  Fixture f(GENERATE(false, true));  // SQLite, then PostgreSQL
  auto service = f.open();
  REQUIRE(service->submit_code(in_class("class-a", "ann")));
  const auto refusal = [&](const ide::submission::ClassSubmissionQuery& query) {
    auto listed = service->list_class_submissions(query);
    REQUIRE_FALSE(listed);
    CHECK(listed.error().code == ErrorCode::invalid_argument);
    return listed.error().message;
  };
  CHECK(refusal({.class_id = "class-a", .limit = 0}) == "limit must be between 1 and 1000, got 0.");
  CHECK(refusal({.class_id = "class-a", .limit = ide::submission::kMaxClassSubmissionPage + 1}) ==
        "limit must be between 1 and 1000, got 1001.");
  CHECK(refusal({.class_id = ""}) == "class_id must not be empty.");
  for (const std::string bad : {"x", "12.", ".id00000000000000000001", "1x.id00000000000000000001",
                                "12.not-an-id", "12.id00000000000000000001'--"}) {
    CAPTURE(bad);
    CHECK(refusal({.class_id = "class-a", .after = bad}) == "The page cursor is malformed.");
  }
  CHECK(service->list_class_submissions(
      {.class_id = "class-a", .limit = ide::submission::kMaxClassSubmissionPage}));
}
