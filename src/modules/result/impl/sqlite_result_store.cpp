#include "sqlite_result_store.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace ide::result {

namespace {

using ReaderLease = core::sqlite::ReaderPool::Lease;
using core::sqlite::ResetOnExit;
using core::sqlite::Statement;
using core::sqlite::Transaction;

const std::vector<std::string> kMigrations = {
    // 1: the queue and the results. Code and stdin are never stored here: they belong to the
    // submission module and are fetched through its interface when a job starts.
    R"sql(
    CREATE TABLE jobs (
      submission_id  TEXT PRIMARY KEY,
      state          TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
      enqueued_at_ms INTEGER NOT NULL,
      started_at_ms  INTEGER,
      attempts       INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_by_state ON jobs (state, enqueued_at_ms);
    CREATE TABLE results (
      submission_id    TEXT PRIMARY KEY,
      verdict          TEXT NOT NULL,
      exit_code        INTEGER,
      signal           INTEGER,
      stdout           BLOB NOT NULL,
      stderr           BLOB NOT NULL,
      compile_output   BLOB NOT NULL,
      time_ms          INTEGER NOT NULL,
      wall_ms          INTEGER NOT NULL,
      memory_kb        INTEGER NOT NULL,
      stdout_truncated INTEGER NOT NULL,
      stderr_truncated INTEGER NOT NULL,
      finished_at_ms   INTEGER NOT NULL
    );
    )sql",
    // 2: the outputs may be stored compressed; each column says how (core::sqlite::Codec). Rows
    // written before are raw, which the default says.
    R"sql(
    ALTER TABLE results ADD COLUMN stdout_codec INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE results ADD COLUMN stderr_codec INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE results ADD COLUMN compile_output_codec INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 3: running jobs are leased by the worker that claimed them (ResultStore). Only one process
    // opens this file, so a lease runs out only under a worker that stopped renewing it.
    R"sql(
    ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
    ALTER TABLE jobs ADD COLUMN lease_until_ms INTEGER;
    )sql",
    // 4: the outcomes of a submission's test cases (stored_test_outcomes.hpp); NULL for results
    // without tests, which all earlier rows are.
    R"sql(
    ALTER TABLE results ADD COLUMN tests TEXT;
    )sql",
};

// Jobs purged per transaction: each result may carry megabytes of overflow pages to free, and
// workers storing results wait for the write lock meanwhile.
constexpr std::size_t kPurgeBatch = 32;

/// The clock of leases: real time, whatever clock the service keeps its timestamps by.
std::int64_t lease_clock_ms() { return core::to_unix_ms(std::chrono::system_clock::now()); }

std::optional<std::int64_t> optional_int(const std::optional<int>& value) {
  if (!value) return std::nullopt;
  return *value;
}

std::optional<int> optional_small(const std::optional<std::int64_t>& value) {
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

/// Binds `text` as TEXT, or NULL when there is none.
void bind_text_or_null(Statement& statement, int index, const std::optional<std::string>& text) {
  if (text) {
    statement.bind(index, std::string_view(*text));
  } else {
    statement.bind_null(index);
  }
}

std::optional<std::string_view> optional_view(const Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.column_view(column);
}

}  // namespace

SqliteResultStore::SqliteResultStore(const std::filesystem::path& file, std::size_t max_readers)
    : writer_(file, kMigrations), readers_(file, max_readers) {}

EnqueueOutcome SqliteResultStore::enqueue(std::string_view id, std::int64_t now_ms,
                                          std::size_t max_queued) {
  std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  {
    Statement& known = writer_.prepare("SELECT 1 FROM jobs WHERE submission_id = ?");
    ResetOnExit reset(known);
    if (known.bind(1, id).step()) return EnqueueOutcome::already_known;
  }
  {
    Statement& count = writer_.prepare("SELECT COUNT(*) FROM jobs WHERE state = 'queued'");
    ResetOnExit reset(count);
    count.step();
    if (static_cast<std::size_t>(count.column_int(0)) >= max_queued) {
      return EnqueueOutcome::queue_full;
    }
  }
  writer_.prepare("INSERT INTO jobs (submission_id, state, enqueued_at_ms) VALUES (?, 'queued', ?)")
      .bind(1, id)
      .bind(2, now_ms)
      .run();
  transaction.commit();
  return EnqueueOutcome::added;
}

std::size_t SqliteResultStore::requeue_interrupted() {
  std::lock_guard lock(write_mutex_);
  writer_
      .prepare(
          "UPDATE jobs SET state = 'queued', started_at_ms = NULL, lease_owner = NULL, "
          "lease_until_ms = NULL, attempts = attempts + 1 WHERE state = 'running'")
      .run();
  return static_cast<std::size_t>(writer_.changes());
}

std::optional<ClaimedJob> SqliteResultStore::claim(std::string_view owner, std::int64_t now_ms,
                                                   std::chrono::milliseconds lease) {
  std::lock_guard lock(write_mutex_);
  // No fsync of its own: no answer depends on it (a running job reads as queued to nobody's
  // harm), and a start re-queues a running job anyway. Lost in a power cut, the job is still
  // queued and runs again; only its crash count (attempts) misses that run, and only a power cut,
  // not a process crash, can lose it.
  core::sqlite::RelaxedSync relaxed(writer_);
  Transaction transaction(writer_);
  std::optional<ClaimedJob> job;
  {
    // A lapsed lease first: that job has waited longest. Both lookups follow jobs_by_state.
    Statement& lapsed = writer_.prepare(
        "SELECT submission_id, enqueued_at_ms, attempts + 1 FROM jobs WHERE state = 'running' "
        "AND lease_until_ms < ? ORDER BY enqueued_at_ms LIMIT 1");
    ResetOnExit reset(lapsed);
    if (lapsed.bind(1, lease_clock_ms()).step()) {
      job = ClaimedJob{lapsed.column_text(0), lapsed.column_int(1), lapsed.column_int(2)};
    }
  }
  if (!job) {
    Statement& oldest = writer_.prepare(
        "SELECT submission_id, enqueued_at_ms, attempts FROM jobs WHERE state = 'queued' "
        "ORDER BY enqueued_at_ms, rowid LIMIT 1");
    ResetOnExit reset(oldest);
    if (!oldest.step()) return std::nullopt;
    job = ClaimedJob{oldest.column_text(0), oldest.column_int(1), oldest.column_int(2)};
  }
  writer_
      .prepare(
          "UPDATE jobs SET state = 'running', started_at_ms = ?, lease_owner = ?, "
          "lease_until_ms = ?, attempts = ? WHERE submission_id = ?")
      .bind(1, now_ms)
      .bind(2, owner)
      .bind(3, lease_clock_ms() + lease.count())
      .bind(4, job->attempts)
      .bind(5, job->id)
      .run();
  transaction.commit();
  return job;
}

void SqliteResultStore::renew_leases(std::string_view owner, const std::vector<std::string>& ids,
                                     std::chrono::milliseconds lease) {
  std::lock_guard lock(write_mutex_);
  // A lease lost in a power cut is lost with the process that held it.
  core::sqlite::RelaxedSync relaxed(writer_);
  Transaction transaction(writer_);
  for (const std::string& id : ids) {
    writer_
        .prepare(
            "UPDATE jobs SET lease_until_ms = ? WHERE submission_id = ? AND lease_owner = ? "
            "AND state = 'running'")
        .bind(1, lease_clock_ms() + lease.count())
        .bind(2, id)
        .bind(3, owner)
        .run();
  }
  transaction.commit();
}

void SqliteResultStore::release(std::string_view id, std::string_view owner) {
  std::lock_guard lock(write_mutex_);
  writer_
      .prepare(
          "UPDATE jobs SET state = 'queued', started_at_ms = NULL, lease_owner = NULL, "
          "lease_until_ms = NULL WHERE submission_id = ? AND state = 'running' "
          "AND lease_owner = ?")
      .bind(1, id)
      .bind(2, owner)
      .run();
}

QueueStats SqliteResultStore::queue_stats(std::int64_t now_ms) {
  ReaderLease lease(readers_);
  Statement& select = lease.db().prepare(
      "SELECT (SELECT COUNT(*) FROM jobs WHERE state = 'queued'), "
      "(SELECT MIN(enqueued_at_ms) FROM jobs WHERE state = 'queued'), "
      "(SELECT COUNT(*) FROM jobs WHERE state = 'running' AND lease_until_ms >= ?1), "
      "(SELECT COUNT(*) FROM jobs WHERE state = 'running' AND lease_until_ms < ?1)");
  ResetOnExit reset(select);
  select.bind(1, lease_clock_ms()).step();
  return queue_stats_of(select.column_int(0), select.column_optional_int(1), select.column_int(2),
                        select.column_int(3), now_ms);
}

void SqliteResultStore::finish(const RunResult& result) {
  const EncodedOutputs encoded(result);
  std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  Statement& insert = writer_.prepare(
      "INSERT OR IGNORE INTO results (submission_id, verdict, exit_code, signal, stdout, "
      "stderr, compile_output, time_ms, wall_ms, memory_kb, stdout_truncated, "
      "stderr_truncated, finished_at_ms, stdout_codec, stderr_codec, compile_output_codec, "
      "tests) "
      "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?15, ?16, ?17, ?18 "
      // A purged job stays purged: nothing writes a result for it again.
      "WHERE EXISTS (SELECT 1 FROM jobs WHERE submission_id = ?14)");
  bind_text_or_null(insert, 18, encoded.tests);
  insert.bind(1, result.id)
      .bind(2, to_string(result.verdict))
      .bind(3, optional_int(result.exit_code))
      .bind(4, optional_int(result.signal))
      .bind_blob(5, encoded.stdout_data.bytes())
      .bind_blob(6, encoded.stderr_data.bytes())
      .bind_blob(7, encoded.compile_output.bytes())
      .bind(8, result.time_ms)
      .bind(9, result.wall_ms)
      .bind(10, result.memory_kb)
      .bind(11, std::int64_t{result.stdout_truncated})
      .bind(12, std::int64_t{result.stderr_truncated})
      .bind(13, encoded.finished_at_ms)
      .bind(14, result.id)
      .bind(15, encoded.stdout_data.codec())
      .bind(16, encoded.stderr_data.codec())
      .bind(17, encoded.compile_output.codec())
      .run();
  writer_
      .prepare(
          "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until_ms = NULL "
          "WHERE submission_id = ?")
      .bind(1, result.id)
      .run();
  transaction.commit();
}

std::optional<JobRecord> SqliteResultStore::find_job(std::string_view id) {
  ReaderLease lease(readers_);
  Statement& select = lease.db().prepare(
      "SELECT state, enqueued_at_ms, started_at_ms, attempts FROM jobs WHERE submission_id = ?");
  ResetOnExit reset(select);
  if (!select.bind(1, id).step()) return std::nullopt;
  return JobRecord{.id = std::string(id),
                   .state = parse_state(select.column_text(0)),
                   .enqueued_at_ms = select.column_int(1),
                   .started_at_ms = select.column_optional_int(2),
                   .attempts = select.column_int(3)};
}

std::optional<RunResult> SqliteResultStore::find_result(std::string_view id) {
  ReaderLease lease(readers_);
  Statement& select = lease.db().prepare(
      "SELECT r.verdict, r.exit_code, r.signal, r.stdout, r.stderr, r.compile_output, r.time_ms, "
      "r.wall_ms, r.memory_kb, r.stdout_truncated, r.stderr_truncated, r.finished_at_ms, "
      "j.enqueued_at_ms, r.stdout_codec, r.stderr_codec, r.compile_output_codec, r.tests "
      "FROM results r JOIN jobs j ON j.submission_id = r.submission_id "
      "WHERE r.submission_id = ?");
  ResetOnExit reset(select);
  if (!select.bind(1, id).step()) return std::nullopt;
  RunResult result;
  result.id = std::string(id);
  result.status = Status::done;
  result.verdict = parse_verdict(select.column_text(0));
  result.exit_code = optional_small(select.column_optional_int(1));
  result.signal = optional_small(select.column_optional_int(2));
  result.stdout_data = core::sqlite::decode_blob(select.column_view(3), select.column_int(13));
  result.stderr_data = core::sqlite::decode_blob(select.column_view(4), select.column_int(14));
  result.compile_output = core::sqlite::decode_blob(select.column_view(5), select.column_int(15));
  result.time_ms = select.column_int(6);
  result.wall_ms = select.column_int(7);
  result.memory_kb = select.column_int(8);
  result.stdout_truncated = select.column_int(9) != 0;
  result.stderr_truncated = select.column_int(10) != 0;
  result.finished_at = core::from_unix_ms(select.column_int(11));
  result.created_at = core::from_unix_ms(select.column_int(12));
  result.tests = decode_test_outcomes(optional_view(select, 16));
  return result;
}

PurgeOutcome SqliteResultStore::purge(const std::vector<std::string>& ids) {
  PurgeOutcome outcome;
  for (std::size_t begin = 0; begin < ids.size(); begin += kPurgeBatch) {
    const std::size_t end = std::min(ids.size(), begin + kPurgeBatch);
    std::lock_guard lock(write_mutex_);
    Transaction transaction(writer_);
    for (std::size_t i = begin; i < end; ++i) {
      const std::string& id = ids[i];
      {
        Statement& state = writer_.prepare("SELECT state FROM jobs WHERE submission_id = ?");
        ResetOnExit reset(state);
        if (state.bind(1, id).step() && parse_state(state.column_text(0)) != Status::done) {
          outcome.skipped.push_back(id);
          continue;
        }
      }
      writer_.prepare("DELETE FROM results WHERE submission_id = ?").bind(1, id).run();
      std::int64_t removed = writer_.changes();
      writer_.prepare("DELETE FROM jobs WHERE submission_id = ?").bind(1, id).run();
      removed += writer_.changes();
      if (removed > 0) ++outcome.purged;
    }
    transaction.commit();
  }
  return outcome;
}

}  // namespace ide::result
