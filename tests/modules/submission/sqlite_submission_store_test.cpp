// SqliteSubmissionStore on a real submissions.db: code and stdin compressed transparently (much
// smaller file, byte-exact round trip), incompressible, empty and small blobs, rows of the
// previous schema still readable after the upgrade, args and expected stdout, test cases with
// every comparison (also after an upgrade from schema 4), a problem id and the interactive flag
// (also after an upgrade from schema 5), a class and a student (rows of schema 6 read back
// anonymous and are in no class's list), a corrupt compressed blob or tests document reported as
// an error, and the size of seed-sized submissions against zstd -3.
#include "sqlite_submission_store.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/sqlite.hpp"
#include "support/sample_tests.hpp"
#include "support/stored_bytes.hpp"
#include "support/temp_dir.hpp"

using ide::submission::SqliteSubmissionStore;
using ide::submission::Submission;

namespace {

constexpr std::size_t kSeedCodeBytes = 16 * 1024;
constexpr std::size_t kSeedStdinBytes = 1536 * 1024;

Submission submission(const std::string& id, std::string code, std::string stdin_data) {
  Submission s;
  s.id = id;
  s.language = "python";
  s.code = std::move(code);
  s.stdin_data = std::move(stdin_data);
  s.created_at = ide::core::from_unix_ms(1'700'000'000'000);
  return s;
}

// submissions.db as the previous release left it: migrations 1 and 2.
const std::vector<std::string> kSchemaVersion2 = {
    R"sql(
      CREATE TABLE submissions (
        id            TEXT PRIMARY KEY NOT NULL,
        language      TEXT NOT NULL,
        cpu_ms        INTEGER,
        wall_ms       INTEGER,
        memory_kb     INTEGER,
        created_at_ms INTEGER NOT NULL,
        handed_off    INTEGER NOT NULL DEFAULT 0,
        code          BLOB NOT NULL,
        stdin         BLOB NOT NULL
      );
      CREATE INDEX submissions_pending ON submissions (created_at_ms) WHERE handed_off = 0;
    )sql",
    "CREATE INDEX submissions_created ON submissions (created_at_ms, id);"};

// As the release before test cases left it: migrations 1 to 4.
std::vector<std::string> schema_version_4() {
  std::vector<std::string> migrations = kSchemaVersion2;
  migrations.push_back(R"sql(
      ALTER TABLE submissions ADD COLUMN code_codec INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE submissions ADD COLUMN stdin_codec INTEGER NOT NULL DEFAULT 0;
    )sql");
  migrations.push_back(R"sql(
      ALTER TABLE submissions ADD COLUMN args TEXT;
      ALTER TABLE submissions ADD COLUMN expected_stdout BLOB;
    )sql");
  return migrations;
}

// As the release before problems left it: migrations 1 to 5.
std::vector<std::string> schema_version_5() {
  std::vector<std::string> migrations = schema_version_4();
  migrations.push_back("ALTER TABLE submissions ADD COLUMN tests TEXT;");
  return migrations;
}

// A submissions.db made by an older release's `migrations`, holding the row `insert` adds.
void make_old_database(const std::filesystem::path& path,
                       const std::vector<std::string>& migrations, const std::string& insert) {
  ide::core::sqlite::Database old(path, migrations);
  old.prepare(insert).run();
}

}  // namespace

TEST_CASE("large code and stdin are stored compressed and read back byte-exact",
          "[submission][store]") {
  ide::test::TempDir dir;
  const std::string code = ide::test::seed_text(kSeedCodeBytes, 1);
  const std::string input = ide::test::seed_text(kSeedStdinBytes, 2);
  {
    SqliteSubmissionStore store(dir / "submissions.db");
    store.insert(submission("a", code, input));
    const auto read = store.find("a");
    REQUIRE(read);
    CHECK(read->code == code);
    CHECK(read->stdin_data == input);
  }
  CHECK(ide::test::db_bytes(dir / "submissions.db") < input.size() / 2);
  SqliteSubmissionStore reopened(dir / "submissions.db");
  CHECK(reopened.find("a")->stdin_data == input);
}

TEST_CASE("incompressible, empty and small blobs round-trip", "[submission][store]") {
  ide::test::TempDir dir;
  SqliteSubmissionStore store(dir / "submissions.db");
  const std::string noise = ide::test::random_bytes(200'000, 3);
  store.insert(submission("noise", "print(1)", noise));
  store.insert(submission("empty", "", ""));
  store.insert(submission("small", std::string("x\0y", 3), "1 2\n"));
  CHECK(store.find("noise")->stdin_data == noise);
  const auto empty = store.find("empty");
  REQUIRE(empty);
  CHECK(empty->code.empty());
  CHECK(empty->stdin_data.empty());
  CHECK(store.find("small")->code == std::string("x\0y", 3));
  CHECK(store.find("small")->stdin_data == "1 2\n");
}

TEST_CASE("submissions written by the previous schema are read after the upgrade",
          "[submission][store]") {
  ide::test::TempDir dir;
  const std::string input = ide::test::seed_text(100'000, 4);
  {
    ide::core::sqlite::Database old(dir / "submissions.db", kSchemaVersion2);
    old.prepare(
           "INSERT INTO submissions (id, language, created_at_ms, code, stdin) "
           "VALUES ('old', 'python', 1000, ?, ?)")
        .bind_blob(1, "print(input())")
        .bind_blob(2, input)
        .run();
  }
  SqliteSubmissionStore store(dir / "submissions.db");
  const auto read = store.find("old");
  REQUIRE(read);
  CHECK(read->code == "print(input())");
  CHECK(read->stdin_data == input);
  CHECK(read->args.empty());
  CHECK_FALSE(read->expected_stdout.has_value());
  CHECK(store.pending_hand_offs() == std::vector<std::string>{"old"});
  store.insert(submission("new", "print(2)", input));
  CHECK(store.find("new")->stdin_data == input);
}

TEST_CASE("args and an expected stdout round-trip, an empty one is not a missing one",
          "[submission][store]") {
  ide::test::TempDir dir;
  {
    SqliteSubmissionStore store(dir / "submissions.db");
    Submission with = submission("with", "print(1)", "");
    with.args = {"1", "two words", "\"quoted\" \\ é", ""};
    with.expected_stdout = "1\n";
    store.insert(with);
    Submission empty_expected = submission("empty", "print()", "");
    empty_expected.expected_stdout = "";
    store.insert(empty_expected);
    store.insert(submission("none", "print(2)", ""));
  }
  SqliteSubmissionStore store(dir / "submissions.db");
  const auto with = store.find("with");
  REQUIRE(with);
  CHECK(with->args == std::vector<std::string>{"1", "two words", "\"quoted\" \\ é", ""});
  CHECK(with->expected_stdout == std::optional<std::string>("1\n"));
  CHECK(store.find("empty")->expected_stdout == std::optional<std::string>(""));
  CHECK(store.find("empty")->args.empty());
  CHECK_FALSE(store.find("none")->expected_stdout.has_value());
}

TEST_CASE("tests and every comparison round-trip, a submission without tests has none",
          "[submission][store]") {
  ide::test::TempDir dir;
  const std::vector<ide::core::Comparison> comparisons = ide::test::all_comparisons();
  {
    SqliteSubmissionStore store(dir / "submissions.db");
    for (std::size_t i = 0; i < comparisons.size(); ++i) {
      Submission with = submission("with" + std::to_string(i), "print(1)", "");
      with.tests = ide::test::sample_tests();
      with.compare = comparisons[i];
      store.insert(with);
    }
    store.insert(submission("none", "print(2)", "x"));
  }
  SqliteSubmissionStore store(dir / "submissions.db");
  for (std::size_t i = 0; i < comparisons.size(); ++i) {
    const auto read = store.find("with" + std::to_string(i));
    REQUIRE(read);
    ide::test::check_same_tests(read->tests, ide::test::sample_tests());
    CHECK(read->compare.mode == comparisons[i].mode);
    CHECK(read->compare.epsilon == comparisons[i].epsilon);
  }
  const auto none = store.find("none");
  REQUIRE(none);
  CHECK(none->tests.empty());
  CHECK(none->compare.mode == ide::core::Comparison{}.mode);
  CHECK(none->compare.epsilon == ide::core::Comparison{}.epsilon);
  // No tests is NULL, not an empty document.
  ide::core::sqlite::Database db(dir / "submissions.db", {});
  auto& statement = db.prepare("SELECT tests IS NULL FROM submissions WHERE id = 'none'");
  REQUIRE(statement.step());
  CHECK(statement.column_int(0) == 1);
  statement.reset();
}

TEST_CASE("rows of schema version 4 are read after the upgrade, without tests",
          "[submission][store]") {
  ide::test::TempDir dir;
  make_old_database(dir / "submissions.db", schema_version_4(),
                    "INSERT INTO submissions (id, language, created_at_ms, code, stdin, args, "
                    "expected_stdout) VALUES ('old', 'python', 1000, 'print(1)', '', '[\"a\"]', "
                    "'1')");
  SqliteSubmissionStore store(dir / "submissions.db");
  const auto read = store.find("old");
  REQUIRE(read);
  CHECK(read->code == "print(1)");
  CHECK(read->args == std::vector<std::string>{"a"});
  CHECK(read->expected_stdout == std::optional<std::string>("1"));
  CHECK(read->tests.empty());
  CHECK(store.pending_hand_offs() == std::vector<std::string>{"old"});
  Submission with = submission("new", "print(2)", "");
  with.tests = ide::test::sample_tests();
  store.insert(with);
  ide::test::check_same_tests(store.find("new")->tests, with.tests);
}

TEST_CASE("a problem id and the interactive flag round-trip, also on rows of schema 5",
          "[submission][store]") {
  ide::test::TempDir dir;
  make_old_database(dir / "submissions.db", schema_version_5(),
                    "INSERT INTO submissions (id, language, created_at_ms, code, stdin) "
                    "VALUES ('old', 'python', 1000, 'print(1)', '')");
  SqliteSubmissionStore store(dir / "submissions.db");
  const auto old = store.find("old");
  REQUIRE(old);
  CHECK(old->problem_id.empty());
  CHECK_FALSE(old->interactive);
  Submission with = submission("new", "print(2)", "");
  with.problem_id = "prob-1";
  with.interactive = true;
  store.insert(with);
  const auto read = store.find("new");
  REQUIRE(read);
  CHECK(read->problem_id == "prob-1");
  CHECK(read->interactive);
}

TEST_CASE("rows of schema version 6 are read after the upgrade as anonymous, and not listed",
          "[submission][store]") {
  ide::test::TempDir dir;
  std::vector<std::string> version_6 = schema_version_5();
  version_6.push_back(
      "ALTER TABLE submissions ADD COLUMN problem_id TEXT;"
      "ALTER TABLE submissions ADD COLUMN interactive INTEGER NOT NULL DEFAULT 0;");
  make_old_database(dir / "submissions.db", version_6,
                    "INSERT INTO submissions (id, language, created_at_ms, code, stdin, "
                    "problem_id) VALUES ('old', 'python', 1000, 'print(1)', '', 'p1')");
  SqliteSubmissionStore store(dir / "submissions.db");
  const auto old = store.find("old");
  REQUIRE(old);
  CHECK(old->class_id.empty());
  CHECK(old->student.empty());
  CHECK(old->problem_id == "p1");
  Submission with = submission("new", "print(2)", "");
  with.class_id = "class-a";
  with.student = "ann";
  store.insert(with);
  CHECK(store.find("new")->class_id == "class-a");
  CHECK(store.find("new")->student == "ann");
  const auto listed = store.class_submissions({.class_id = "class-a"}, 10, std::nullopt);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == "new");
  CHECK(listed[0].student == "ann");
  CHECK(listed[0].problem_id.empty());
  CHECK(store.class_submissions({.class_id = ""}, 10, std::nullopt).empty());
}

TEST_CASE("a corrupt stored tests document is an error, not a crash", "[submission][store]") {
  ide::test::TempDir dir;
  SqliteSubmissionStore store(dir / "submissions.db");
  Submission with = submission("a", "print(1)", "");
  with.tests = ide::test::sample_tests();
  store.insert(with);
  {
    ide::core::sqlite::Database db(dir / "submissions.db", {});
    db.prepare("UPDATE submissions SET tests = '{\"cases\": 1}'").run();
  }
  CHECK_THROWS_AS(store.find("a"), std::runtime_error);
}

TEST_CASE("a corrupt compressed stdin is an error, not a crash", "[submission][store]") {
  ide::test::TempDir dir;
  SqliteSubmissionStore store(dir / "submissions.db");
  store.insert(submission("a", "print(1)", ide::test::seed_text(100'000, 5)));
  {
    ide::core::sqlite::Database raw(dir / "submissions.db", {});
    raw.prepare("UPDATE submissions SET stdin = substr(stdin, 1, 9) WHERE id = 'a'").run();
  }
  CHECK_THROWS_AS(store.find("a"), std::runtime_error);
  CHECK(store.exists("a"));
}

TEST_CASE("seed-sized submissions take at most 1.25x their zstd -3 size", "[submission][store]") {
  ide::test::TempDir dir;
  const std::filesystem::path file = dir / "submissions.db";
  std::size_t reference = 0;
  constexpr int kSubmissions = 16;
  {
    SqliteSubmissionStore store(file);
    for (int i = 0; i < kSubmissions; ++i) {
      const std::string code = ide::test::seed_text(kSeedCodeBytes, 300 + i);
      const std::string input = ide::test::seed_text(kSeedStdinBytes, 400 + i);
      reference += ide::test::zstd3_size(code) + ide::test::zstd3_size(input);
      store.insert(submission("s" + std::to_string(i), code, input));
    }
  }
  const double ratio = static_cast<double>(ide::test::db_bytes(file)) / reference;
  INFO("submissions.db bytes / zstd -3 bytes = " << ratio);
  CHECK(ratio <= 1.25);
}
