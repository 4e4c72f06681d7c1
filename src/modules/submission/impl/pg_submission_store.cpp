#include "pg_submission_store.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/clock.hpp"
#include "core/sqlite.hpp"
#include "stored_args.hpp"
#include "stored_tests.hpp"

namespace ide::submission {

namespace {

using core::pg::Param;
using Lease = core::pg::ConnectionPool::Lease;

// Numbered migrations: never edit a shipped entry; append a new one. handed_off is the
// transactional outbox (SPEC section 8); seq keeps the order of saving for the replay.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE submissions (
        id            TEXT PRIMARY KEY,
        language      TEXT NOT NULL,
        cpu_ms        BIGINT,
        wall_ms       BIGINT,
        memory_kb     BIGINT,
        created_at_ms BIGINT NOT NULL,
        handed_off    BOOLEAN NOT NULL DEFAULT false,
        seq           BIGSERIAL,
        code_codec    INTEGER NOT NULL,
        stdin_codec   INTEGER NOT NULL,
        code          BYTEA NOT NULL,
        stdin         BYTEA NOT NULL
      );
      CREATE INDEX submissions_pending ON submissions (seq) WHERE NOT handed_off;
      CREATE INDEX submissions_created ON submissions (created_at_ms, id);
    )sql",
    // 2: the program's args (a JSON array, NULL for none) and the stdout a run must print to be
    // ok (NULL when the submission asked for none).
    R"sql(
      ALTER TABLE submissions ADD COLUMN args TEXT;
      ALTER TABLE submissions ADD COLUMN expected_stdout BYTEA;
    )sql",
    // 3: the test cases and how their output is compared (stored_tests.hpp; NULL for none).
    R"sql(
      ALTER TABLE submissions ADD COLUMN tests TEXT;
    )sql",
    // 4: the problem the tests came from (NULL for none), and whether the run's stdin stays open
    // for lines sent while it runs.
    R"sql(
      ALTER TABLE submissions ADD COLUMN problem_id TEXT;
      ALTER TABLE submissions ADD COLUMN interactive BOOLEAN NOT NULL DEFAULT false;
    )sql",
    // 5: the class (NULL when anonymous) and the student label (NULL when not said); a class's
    // list walks its rows newest first.
    R"sql(
      ALTER TABLE submissions ADD COLUMN class_id TEXT;
      ALTER TABLE submissions ADD COLUMN student TEXT;
      CREATE INDEX submissions_class ON submissions (class_id, created_at_ms, id)
        WHERE class_id IS NOT NULL;
    )sql",
};

constexpr const char* kInsert =
    "INSERT INTO submissions (id, language, cpu_ms, wall_ms, memory_kb, created_at_ms, "
    "code_codec, stdin_codec, code, stdin, args, expected_stdout, tests, "
    "problem_id, interactive, class_id, student) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
constexpr const char* kFind =
    "SELECT language, cpu_ms, wall_ms, memory_kb, created_at_ms, code, stdin, code_codec, "
    "stdin_codec, args, expected_stdout, tests, problem_id, interactive, class_id, student "
    "FROM submissions WHERE id = $1";
constexpr const char* kExists = "SELECT 1 FROM submissions WHERE id = $1";
constexpr const char* kMarkHandedOff = "UPDATE submissions SET handed_off = true WHERE id = $1";
constexpr const char* kRemove = "DELETE FROM submissions WHERE id = $1";
constexpr const char* kRemoveAll = "DELETE FROM submissions WHERE id = ANY($1::text[])";
constexpr const char* kPending = "SELECT id FROM submissions WHERE NOT handed_off ORDER BY seq";
constexpr const char* kCreatedBefore =
    "SELECT created_at_ms, id FROM submissions WHERE created_at_ms < $1 "
    "ORDER BY created_at_ms, id LIMIT $2";
constexpr const char* kCreatedBeforeAfter =
    "SELECT created_at_ms, id FROM submissions WHERE created_at_ms < $1 "
    "AND (created_at_ms, id) > ($2, $3) ORDER BY created_at_ms, id LIMIT $4";
// Empty filters match every row; $4 NULL starts at the newest.
constexpr const char* kClassSubmissions =
    "SELECT id, language, problem_id, student, created_at_ms FROM submissions "
    "WHERE class_id = $1 AND ($2 = '' OR problem_id = $2) AND ($3 = '' OR student = $3) "
    "AND ($4::bigint IS NULL OR (created_at_ms, id) < ($4, $5::text)) "
    "ORDER BY created_at_ms DESC, id DESC LIMIT $6";

constexpr std::size_t kRemoveBatch = 64;

/// `text` as a parameter, NULL when empty (how the optional text columns store "none").
Param null_if_empty(const std::string& text) {
  return text.empty() ? Param(std::nullopt) : Param(text);
}

std::optional<std::int64_t> optional_int(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return std::stoll(*text);
}

}  // namespace

PgSubmissionStore::PgSubmissionStore(const std::string& url, std::size_t connections)
    : pool_(url, connections) {
  Lease(pool_).db().migrate(kMigrations);
}

void PgSubmissionStore::insert(const Submission& submission) {
  const core::sqlite::EncodedBlob code(submission.code);
  const core::sqlite::EncodedBlob stdin_data(submission.stdin_data);
  const std::int64_t created_at_ms = core::to_unix_ms(submission.created_at);
  const std::optional<std::string> args = encode_stored_args(submission.args);
  const std::optional<std::string> tests =
      encode_stored_tests(submission.tests, submission.compare);
  const Param expected = submission.expected_stdout ? Param::bytes(*submission.expected_stdout)
                                                    : Param(std::nullopt);
  Lease(pool_).db().exec(
      kInsert, {submission.id, submission.language, Param::integer(submission.limits.cpu_ms),
                Param::integer(submission.limits.wall_ms),
                Param::integer(submission.limits.memory_kb), Param::integer(created_at_ms),
                Param::integer(code.codec()), Param::integer(stdin_data.codec()),
                Param::bytes(code.bytes()), Param::bytes(stdin_data.bytes()),
                args ? Param(*args) : Param(std::nullopt), expected,
                tests ? Param(*tests) : Param(std::nullopt),
                null_if_empty(submission.problem_id), Param::boolean(submission.interactive),
                null_if_empty(submission.class_id), null_if_empty(submission.student)});
}

std::optional<Submission> PgSubmissionStore::find(std::string_view id) {
  core::pg::Rows rows = Lease(pool_).db().exec(kFind, {id});
  if (rows.rows.empty()) return std::nullopt;
  const auto& row = rows.rows[0];
  Submission submission;
  submission.id = std::string(id);
  submission.language = *row[0];
  submission.limits.cpu_ms = optional_int(row[1]);
  submission.limits.wall_ms = optional_int(row[2]);
  submission.limits.memory_kb = optional_int(row[3]);
  submission.created_at = core::from_unix_ms(std::stoll(*row[4]));
  submission.code = core::sqlite::decode_blob(core::pg::from_bytea(*row[5]), std::stoll(*row[7]));
  submission.stdin_data =
      core::sqlite::decode_blob(core::pg::from_bytea(*row[6]), std::stoll(*row[8]));
  if (row[9]) submission.args = decode_stored_args(*row[9]);
  if (row[10]) submission.expected_stdout = core::pg::from_bytea(*row[10]);
  if (row[11]) {
    StoredTests stored = decode_stored_tests(*row[11]);
    submission.tests = std::move(stored.tests);
    submission.compare = stored.compare;
  }
  if (row[12]) submission.problem_id = *row[12];
  submission.interactive = row[13] == "t";
  submission.class_id = row[14].value_or("");
  submission.student = row[15].value_or("");
  return submission;
}

bool PgSubmissionStore::exists(std::string_view id) {
  return !Lease(pool_).db().exec(kExists, {id}).rows.empty();
}

void PgSubmissionStore::mark_handed_off(std::string_view id) {
  Lease(pool_).db().exec(kMarkHandedOff, {id});
}

void PgSubmissionStore::remove(std::string_view id) {
  Lease(pool_).db().exec(kRemove, {id});
}

std::vector<std::string> PgSubmissionStore::pending_hand_offs() {
  std::vector<std::string> ids;
  for (auto& row : Lease(pool_).db().exec(kPending).rows) ids.push_back(std::move(*row[0]));
  return ids;
}

std::vector<CreatedId> PgSubmissionStore::created_before(std::int64_t cutoff_ms,
                                                         std::size_t limit,
                                                         const std::optional<CreatedId>& after) {
  const Param cutoff = Param::integer(cutoff_ms);
  const Param count = Param::integer(static_cast<std::int64_t>(limit));
  Lease lease(pool_);
  core::pg::Rows rows =
      after ? lease.db().exec(kCreatedBeforeAfter,
                              {cutoff, Param::integer(after->created_at_ms), after->id, count})
            : lease.db().exec(kCreatedBefore, {cutoff, count});
  std::vector<CreatedId> page;
  for (auto& row : rows.rows) page.push_back({std::stoll(*row[0]), std::move(*row[1])});
  return page;
}

std::vector<ClassSubmission> PgSubmissionStore::class_submissions(
    const ClassSubmissionQuery& query, std::size_t limit, const std::optional<CreatedId>& before) {
  const Param position = before ? Param::integer(before->created_at_ms) : Param(std::nullopt);
  const Param position_id = before ? Param(before->id) : Param(std::nullopt);
  core::pg::Rows rows = Lease(pool_).db().exec(
      kClassSubmissions, {query.class_id, query.problem_id, query.student, position, position_id,
                          Param::integer(static_cast<std::int64_t>(limit))});
  std::vector<ClassSubmission> page;
  for (auto& row : rows.rows) {
    page.push_back({.id = std::move(*row[0]),
                    .language = std::move(*row[1]),
                    .problem_id = row[2].value_or(""),
                    .student = row[3].value_or(""),
                    .created_at = core::from_unix_ms(std::stoll(*row[4]))});
  }
  return page;
}

std::size_t PgSubmissionStore::remove_all(const std::vector<std::string>& ids) {
  std::size_t removed = 0;
  for (std::size_t begin = 0; begin < ids.size(); begin += kRemoveBatch) {
    const std::string batch =
        core::pg::text_array(ids, begin, std::min(ids.size(), begin + kRemoveBatch));
    removed += static_cast<std::size_t>(Lease(pool_).db().exec(kRemoveAll, {batch}).affected);
  }
  return removed;
}

}  // namespace ide::submission
