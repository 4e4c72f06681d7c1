#include "sqlite_submission_store.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/clock.hpp"
#include "stored_args.hpp"
#include "stored_tests.hpp"

namespace ide::submission {

namespace {

using ReaderLease = core::sqlite::ReaderPool::Lease;
using core::sqlite::ResetOnExit;
using core::sqlite::Statement;

// Numbered migrations: entry i brings user_version from i to i + 1. Never edit a shipped entry;
// append a new one.
//
// The code and stdin blobs are the last columns: SQLite stores a row's columns in order and
// spills large values onto overflow pages, so reading the id or the flags never touches them.
// handed_off is the transactional outbox (SPEC section 8): 1 once the result module acknowledged.
const std::vector<std::string> kMigrations = {
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
    // 2: retention walks submissions oldest first, in pages keyed by (created_at_ms, id).
    R"sql(
      CREATE INDEX submissions_created ON submissions (created_at_ms, id);
    )sql",
    // 3: code and stdin may be stored compressed; each column says how (core::sqlite::Codec).
    // Rows written before are raw, which the default says. Read only together with the blobs.
    R"sql(
      ALTER TABLE submissions ADD COLUMN code_codec INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE submissions ADD COLUMN stdin_codec INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 4: the program's args (a JSON array, NULL for none) and the stdout a run must print to be
    // ok (NULL when the submission asked for none). Rows written before have neither.
    R"sql(
      ALTER TABLE submissions ADD COLUMN args TEXT;
      ALTER TABLE submissions ADD COLUMN expected_stdout BLOB;
    )sql",
    // 5: the test cases and how their output is compared (stored_tests.hpp; NULL for none).
    // Rows written before have none.
    R"sql(
      ALTER TABLE submissions ADD COLUMN tests TEXT;
    )sql",
    // 6: the problem the tests came from (NULL for none), and whether the run's stdin stays open
    // for lines sent while it runs. Rows written before have neither.
    R"sql(
      ALTER TABLE submissions ADD COLUMN problem_id TEXT;
      ALTER TABLE submissions ADD COLUMN interactive INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 7: the class (NULL when anonymous) and the student label (NULL when not said); a class's
    // list walks its rows newest first. Rows written before are anonymous.
    R"sql(
      ALTER TABLE submissions ADD COLUMN class_id TEXT;
      ALTER TABLE submissions ADD COLUMN student TEXT;
      CREATE INDEX submissions_class ON submissions (class_id, created_at_ms, id)
        WHERE class_id IS NOT NULL;
    )sql",
};

const std::string kInsert =
    "INSERT INTO submissions (id, language, cpu_ms, wall_ms, memory_kb, created_at_ms, "
    "handed_off, code, stdin, code_codec, stdin_codec, args, expected_stdout, tests, "
    "problem_id, interactive, class_id, student) "
    "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const std::string kFind =
    "SELECT language, cpu_ms, wall_ms, memory_kb, created_at_ms, code, stdin, code_codec, "
    "stdin_codec, args, expected_stdout, tests, problem_id, interactive, class_id, student "
    "FROM submissions WHERE id = ?";
const std::string kExists = "SELECT 1 FROM submissions WHERE id = ?";
const std::string kMarkHandedOff = "UPDATE submissions SET handed_off = 1 WHERE id = ?";
const std::string kRemove = "DELETE FROM submissions WHERE id = ?";
const std::string kPending =
    "SELECT id FROM submissions WHERE handed_off = 0 ORDER BY created_at_ms, rowid";
const std::string kCreatedBefore =
    "SELECT created_at_ms, id FROM submissions WHERE created_at_ms < ? "
    "ORDER BY created_at_ms, id LIMIT ?";
const std::string kCreatedBeforeAfter =
    "SELECT created_at_ms, id FROM submissions WHERE created_at_ms < ? "
    "AND (created_at_ms, id) > (?, ?) ORDER BY created_at_ms, id LIMIT ?";
// Empty filters match every row; ?4 NULL starts at the newest.
const std::string kClassSubmissions =
    "SELECT id, language, problem_id, student, created_at_ms FROM submissions "
    "WHERE class_id = ?1 AND (?2 = '' OR problem_id = ?2) AND (?3 = '' OR student = ?3) "
    "AND (?4 IS NULL OR (created_at_ms, id) < (?4, ?5)) "
    "ORDER BY created_at_ms DESC, id DESC LIMIT ?6";

// Rows deleted per transaction: each may carry megabytes of overflow pages to free, and a submit
// waits for the write lock meanwhile.
constexpr std::size_t kRemoveBatch = 64;

}  // namespace

SqliteSubmissionStore::SqliteSubmissionStore(std::filesystem::path path, std::size_t max_readers)
    : writer_(path, kMigrations), readers_(std::move(path), max_readers) {}

SqliteSubmissionStore::~SqliteSubmissionStore() = default;

void SqliteSubmissionStore::insert(const Submission& submission) {
  // Compressed before taking the lock: other submits wait only for the write and its fsync.
  const core::sqlite::EncodedBlob code(submission.code);
  const core::sqlite::EncodedBlob stdin_data(submission.stdin_data);
  const std::optional<std::string> args = encode_stored_args(submission.args);
  const std::optional<std::string> tests =
      encode_stored_tests(submission.tests, submission.compare);
  std::lock_guard lock(write_mutex_);
  Statement& insert = writer_.prepare(kInsert);
  if (args) insert.bind(11, *args);
  if (tests) insert.bind(13, *tests);
  if (submission.expected_stdout) insert.bind_blob(12, *submission.expected_stdout);
  if (!submission.problem_id.empty()) insert.bind(14, submission.problem_id);
  if (!submission.class_id.empty()) insert.bind(16, submission.class_id);
  if (!submission.student.empty()) insert.bind(17, submission.student);
  insert
      .bind(1, submission.id)
      .bind(2, submission.language)
      .bind(3, submission.limits.cpu_ms)
      .bind(4, submission.limits.wall_ms)
      .bind(5, submission.limits.memory_kb)
      .bind(6, core::to_unix_ms(submission.created_at))
      .bind_blob(7, code.bytes())
      .bind_blob(8, stdin_data.bytes())
      .bind(9, code.codec())
      .bind(10, stdin_data.codec())
      .bind(15, std::int64_t{submission.interactive})
      .run();
}

std::optional<Submission> SqliteSubmissionStore::find(std::string_view id) {
  ReaderLease lease(readers_);
  Statement& statement = lease.db().prepare(kFind);
  ResetOnExit reset(statement);
  statement.bind(1, id);
  if (!statement.step()) return std::nullopt;
  Submission submission;
  submission.id = std::string(id);
  submission.language = statement.column_text(0);
  submission.limits.cpu_ms = statement.column_optional_int(1);
  submission.limits.wall_ms = statement.column_optional_int(2);
  submission.limits.memory_kb = statement.column_optional_int(3);
  submission.created_at = core::from_unix_ms(statement.column_int(4));
  submission.code = core::sqlite::decode_blob(statement.column_view(5), statement.column_int(7));
  submission.stdin_data =
      core::sqlite::decode_blob(statement.column_view(6), statement.column_int(8));
  if (!statement.is_null(9)) submission.args = decode_stored_args(statement.column_view(9));
  if (!statement.is_null(10)) submission.expected_stdout = statement.column_text(10);
  if (!statement.is_null(11)) {
    StoredTests stored = decode_stored_tests(statement.column_view(11));
    submission.tests = std::move(stored.tests);
    submission.compare = stored.compare;
  }
  if (!statement.is_null(12)) submission.problem_id = statement.column_text(12);
  submission.interactive = statement.column_int(13) != 0;
  if (!statement.is_null(14)) submission.class_id = statement.column_text(14);
  if (!statement.is_null(15)) submission.student = statement.column_text(15);
  return submission;
}

bool SqliteSubmissionStore::exists(std::string_view id) {
  ReaderLease lease(readers_);
  Statement& statement = lease.db().prepare(kExists);
  ResetOnExit reset(statement);
  statement.bind(1, id);
  return statement.step();
}

void SqliteSubmissionStore::mark_handed_off(std::string_view id) {
  std::lock_guard lock(write_mutex_);
  // No fsync of its own (SPEC sections 6 and 8): the result module's enqueue was committed with
  // synchronous=FULL before this call, so a mark that reached the disk never outlives its job;
  // a mark lost in a power cut leaves the row pending, and the next start enqueues it again,
  // which is idempotent. Submits waiting for this mutex no longer wait for an fsync here.
  core::sqlite::RelaxedSync relaxed(writer_);
  writer_.prepare(kMarkHandedOff).bind(1, id).run();
}

void SqliteSubmissionStore::remove(std::string_view id) {
  std::lock_guard lock(write_mutex_);
  writer_.prepare(kRemove).bind(1, id).run();
}

std::vector<std::string> SqliteSubmissionStore::pending_hand_offs() {
  ReaderLease lease(readers_);
  Statement& statement = lease.db().prepare(kPending);
  ResetOnExit reset(statement);
  std::vector<std::string> ids;
  while (statement.step()) ids.push_back(statement.column_text(0));
  return ids;
}

std::vector<CreatedId> SqliteSubmissionStore::created_before(
    std::int64_t cutoff_ms, std::size_t limit, const std::optional<CreatedId>& after) {
  ReaderLease lease(readers_);
  Statement& statement = lease.db().prepare(after ? kCreatedBeforeAfter : kCreatedBefore);
  ResetOnExit reset(statement);
  statement.bind(1, cutoff_ms);
  int next = 2;
  if (after) {
    statement.bind(next++, after->created_at_ms);
    statement.bind(next++, after->id);
  }
  statement.bind(next, static_cast<std::int64_t>(limit));
  std::vector<CreatedId> rows;
  while (statement.step()) rows.push_back({statement.column_int(0), statement.column_text(1)});
  return rows;
}

std::vector<ClassSubmission> SqliteSubmissionStore::class_submissions(
    const ClassSubmissionQuery& query, std::size_t limit, const std::optional<CreatedId>& before) {
  ReaderLease lease(readers_);
  Statement& statement = lease.db().prepare(kClassSubmissions);
  ResetOnExit reset(statement);
  statement.bind(1, query.class_id).bind(2, query.problem_id).bind(3, query.student);
  if (before) statement.bind(4, before->created_at_ms).bind(5, before->id);
  statement.bind(6, static_cast<std::int64_t>(limit));
  std::vector<ClassSubmission> rows;
  while (statement.step()) {
    rows.push_back({.id = statement.column_text(0),
                    .language = statement.column_text(1),
                    .problem_id = statement.is_null(2) ? "" : statement.column_text(2),
                    .student = statement.is_null(3) ? "" : statement.column_text(3),
                    .created_at = core::from_unix_ms(statement.column_int(4))});
  }
  return rows;
}

std::size_t SqliteSubmissionStore::remove_all(const std::vector<std::string>& ids) {
  std::size_t removed = 0;
  for (std::size_t begin = 0; begin < ids.size(); begin += kRemoveBatch) {
    const std::size_t end = std::min(ids.size(), begin + kRemoveBatch);
    std::lock_guard lock(write_mutex_);
    core::sqlite::Transaction transaction(writer_);
    for (std::size_t i = begin; i < end; ++i) {
      writer_.prepare(kRemove).bind(1, ids[i]).run();
      removed += static_cast<std::size_t>(writer_.changes());
    }
    transaction.commit();
  }
  return removed;
}

}  // namespace ide::submission
