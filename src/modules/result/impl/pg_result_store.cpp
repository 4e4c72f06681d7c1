#include "pg_result_store.hpp"

#include <algorithm>
#include <string>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/sqlite.hpp"

namespace ide::result {

namespace {

using core::pg::Param;
using Lease = core::pg::ConnectionPool::Lease;

// Numbered migrations: never edit a shipped entry; append a new one. seq keeps the order of
// enqueueing within one millisecond; the partial index holds only the jobs not done.
const std::vector<std::string> kMigrations = {
    R"sql(
      CREATE TABLE jobs (
        submission_id  TEXT PRIMARY KEY,
        state          TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
        enqueued_at_ms BIGINT NOT NULL,
        started_at_ms  BIGINT,
        attempts       BIGINT NOT NULL DEFAULT 0,
        lease_owner    TEXT,
        lease_until_ms BIGINT,
        seq            BIGSERIAL
      );
      CREATE INDEX jobs_unfinished ON jobs (enqueued_at_ms, seq) WHERE state <> 'done';
      -- Leases are timed by the database: hosts' clocks may disagree, its clock is one.
      CREATE FUNCTION ide_now_ms() RETURNS BIGINT VOLATILE LANGUAGE sql
        AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;
      CREATE TABLE results (
        submission_id        TEXT PRIMARY KEY,
        verdict              TEXT NOT NULL,
        exit_code            INTEGER,
        signal               INTEGER,
        stdout_codec         INTEGER NOT NULL,
        stderr_codec         INTEGER NOT NULL,
        compile_output_codec INTEGER NOT NULL,
        stdout               BYTEA NOT NULL,
        stderr               BYTEA NOT NULL,
        compile_output       BYTEA NOT NULL,
        time_ms              BIGINT NOT NULL,
        wall_ms              BIGINT NOT NULL,
        memory_kb            BIGINT NOT NULL,
        stdout_truncated     BOOLEAN NOT NULL,
        stderr_truncated     BOOLEAN NOT NULL,
        finished_at_ms       BIGINT NOT NULL
      );
    )sql",
    // 2: the outcomes of a submission's test cases (stored_test_outcomes.hpp); NULL for results
    // without tests, which all earlier rows are.
    R"sql(
      ALTER TABLE results ADD COLUMN tests TEXT;
    )sql",
};

constexpr const char* kJobsChannel = "ide_jobs";        // a job may be claimable
constexpr const char* kResultsChannel = "ide_results";  // payload: the id that has its result
// Serialises enqueues, so that max_queued holds across processes ("ideq" in ASCII).
constexpr const char* kEnqueueLock = "SELECT pg_advisory_xact_lock(1768187249)";

constexpr const char* kKnown = "SELECT 1 FROM jobs WHERE submission_id = $1";
constexpr const char* kQueuedCount = "SELECT COUNT(*) FROM jobs WHERE state = 'queued'";
constexpr const char* kInsertJob =
    "INSERT INTO jobs (submission_id, state, enqueued_at_ms) VALUES ($1, 'queued', $2)";
constexpr const char* kNotifyJobs = "SELECT pg_notify('ide_jobs', '')";
constexpr const char* kClaim =
    "WITH next AS (SELECT submission_id FROM jobs WHERE state = 'queued' OR "
    "(state = 'running' AND lease_until_ms < ide_now_ms()) "
    "ORDER BY enqueued_at_ms, seq LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "UPDATE jobs j SET state = 'running', started_at_ms = $1, lease_owner = $2, "
    "lease_until_ms = ide_now_ms() + $3, "
    "attempts = j.attempts + CASE WHEN j.state = 'running' THEN 1 ELSE 0 END "
    "FROM next WHERE j.submission_id = next.submission_id "
    "RETURNING j.submission_id, j.enqueued_at_ms, j.attempts";
constexpr const char* kRenew =
    "UPDATE jobs SET lease_until_ms = ide_now_ms() + $3 WHERE lease_owner = $1 "
    "AND state = 'running' AND submission_id = ANY($2::text[])";
constexpr const char* kRelease =
    "WITH released AS (UPDATE jobs SET state = 'queued', started_at_ms = NULL, "
    "lease_owner = NULL, lease_until_ms = NULL WHERE submission_id = $1 AND state = 'running' "
    "AND lease_owner = $2 RETURNING 1) "
    "SELECT pg_notify('ide_jobs', '') FROM released";
// A purged job stays purged; a second result for a job keeps the first.
constexpr const char* kInsertResult =
    "INSERT INTO results (submission_id, verdict, exit_code, signal, stdout_codec, stderr_codec, "
    "compile_output_codec, stdout, stderr, compile_output, time_ms, wall_ms, memory_kb, "
    "stdout_truncated, stderr_truncated, finished_at_ms, tests) "
    "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 "
    "WHERE EXISTS (SELECT 1 FROM jobs WHERE submission_id = $1) "
    "ON CONFLICT (submission_id) DO NOTHING";
constexpr const char* kMarkDone =
    "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until_ms = NULL "
    "WHERE submission_id = $1";
constexpr const char* kNotifyResult = "SELECT pg_notify('ide_results', $1)";
constexpr const char* kFindJob =
    "SELECT state, enqueued_at_ms, started_at_ms, attempts FROM jobs WHERE submission_id = $1";
constexpr const char* kFindResult =
    "SELECT r.verdict, r.exit_code, r.signal, r.stdout, r.stderr, r.compile_output, r.time_ms, "
    "r.wall_ms, r.memory_kb, r.stdout_truncated, r.stderr_truncated, r.finished_at_ms, "
    "j.enqueued_at_ms, r.stdout_codec, r.stderr_codec, r.compile_output_codec, r.tests "
    "FROM results r JOIN jobs j ON j.submission_id = r.submission_id "
    "WHERE r.submission_id = $1";
constexpr const char* kUnfinishedAmong =
    "SELECT submission_id FROM jobs WHERE submission_id = ANY($1::text[]) AND state <> 'done' "
    "FOR UPDATE";
// Both deletes see the rows as they were before either: a result whose job is queued or running
// (enqueued again meanwhile) stays.
constexpr const char* kPurge =
    "WITH gone_jobs AS (DELETE FROM jobs WHERE submission_id = ANY($1::text[]) AND state = "
    "'done' RETURNING submission_id), "
    "gone_results AS (DELETE FROM results r WHERE r.submission_id = ANY($1::text[]) AND NOT "
    "EXISTS (SELECT 1 FROM jobs k WHERE k.submission_id = r.submission_id AND k.state <> 'done') "
    "RETURNING r.submission_id) "
    "SELECT COUNT(*) FROM (SELECT submission_id FROM gone_jobs UNION "
    "SELECT submission_id FROM gone_results) purged";
constexpr const char* kStats =
    "SELECT COUNT(*) FILTER (WHERE state = 'queued'), "
    "MIN(enqueued_at_ms) FILTER (WHERE state = 'queued'), "
    "COUNT(*) FILTER (WHERE state = 'running' AND lease_until_ms >= ide_now_ms()), "
    "COUNT(*) FILTER (WHERE state = 'running' AND lease_until_ms < ide_now_ms()) "
    "FROM jobs WHERE state <> 'done'";

// Jobs purged per statement, as in SQLite: workers storing results wait for the rows meanwhile.
constexpr std::size_t kPurgeBatch = 32;
constexpr std::chrono::milliseconds kListenWait{500};
constexpr std::chrono::milliseconds kReconnectPause{1000};

std::int64_t to_int(const std::optional<std::string>& text) { return std::stoll(text.value()); }

std::optional<std::int64_t> optional_int(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return std::stoll(*text);
}

std::optional<int> optional_small(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return std::stoi(*text);
}

Param optional_param(const std::optional<int>& value) {
  if (!value) return Param(std::nullopt);
  return Param::integer(*value);
}

Param optional_text(const std::optional<std::string>& text) {
  if (!text) return Param(std::nullopt);
  return Param(*text);
}

}  // namespace

PgResultStore::PgResultStore(const std::string& url, std::size_t connections)
    : url_(url), pool_(url, connections) {
  Lease lease(pool_);
  lease.db().migrate(kMigrations);
}

PgResultStore::~PgResultStore() {
  {
    std::lock_guard lock(listen_mutex_);
    listen_stop_ = true;
  }
  listen_stop_cv_.notify_all();
  if (listener_.joinable()) listener_.join();
}

EnqueueOutcome PgResultStore::enqueue(std::string_view id, std::int64_t now_ms,
                                      std::size_t max_queued) {
  Lease lease(pool_);
  core::pg::Connection& db = lease.db();
  core::pg::Transaction transaction(db);
  db.exec(kEnqueueLock, {});
  if (!db.exec(kKnown, {id}).rows.empty()) return EnqueueOutcome::already_known;
  if (static_cast<std::size_t>(to_int(db.exec(kQueuedCount, {}).rows.at(0).at(0))) >= max_queued) {
    return EnqueueOutcome::queue_full;
  }
  db.exec(kInsertJob, {id, Param::integer(now_ms)});
  db.exec(kNotifyJobs, {});  // delivered at COMMIT
  transaction.commit();
  return EnqueueOutcome::added;
}

std::size_t PgResultStore::requeue_interrupted() {
  // Other processes may be running their jobs right now: a lapsed lease says which were cut short.
  return 0;
}

std::optional<ClaimedJob> PgResultStore::claim(std::string_view owner, std::int64_t now_ms,
                                               std::chrono::milliseconds lease_for) {
  Lease lease(pool_);
  core::pg::Rows claimed =
      lease.db().exec(kClaim, {Param::integer(now_ms), owner, Param::integer(lease_for.count())});
  if (claimed.rows.empty()) return std::nullopt;
  const auto& row = claimed.rows[0];
  return ClaimedJob{row[0].value(), to_int(row[1]), to_int(row[2])};
}

void PgResultStore::renew_leases(std::string_view owner, const std::vector<std::string>& ids,
                                 std::chrono::milliseconds lease_for) {
  if (ids.empty()) return;
  Lease lease(pool_);
  lease.db().exec(
      kRenew, {owner, core::pg::text_array(ids, 0, ids.size()), Param::integer(lease_for.count())});
}

void PgResultStore::release(std::string_view id, std::string_view owner) {
  Lease lease(pool_);
  lease.db().exec(kRelease, {id, owner});
}

void PgResultStore::finish(const RunResult& result) {
  const EncodedOutputs encoded(result);
  Lease lease(pool_);
  core::pg::Connection& db = lease.db();
  core::pg::Transaction transaction(db);
  db.exec(
      kInsertResult,
      {result.id, to_string(result.verdict), optional_param(result.exit_code),
       optional_param(result.signal), Param::integer(encoded.stdout_data.codec()),
       Param::integer(encoded.stderr_data.codec()), Param::integer(encoded.compile_output.codec()),
       Param::bytes(encoded.stdout_data.bytes()), Param::bytes(encoded.stderr_data.bytes()),
       Param::bytes(encoded.compile_output.bytes()), Param::integer(result.time_ms),
       Param::integer(result.wall_ms), Param::integer(result.memory_kb),
       Param::boolean(result.stdout_truncated), Param::boolean(result.stderr_truncated),
       Param::integer(encoded.finished_at_ms), optional_text(encoded.tests)});
  db.exec(kMarkDone, {result.id});
  db.exec(kNotifyResult, {result.id});
  transaction.commit();
}

std::optional<JobRecord> PgResultStore::find_job(std::string_view id) {
  Lease lease(pool_);
  core::pg::Rows found = lease.db().exec(kFindJob, {id});
  if (found.rows.empty()) return std::nullopt;
  const auto& row = found.rows[0];
  return JobRecord{.id = std::string(id),
                   .state = parse_state(row[0].value()),
                   .enqueued_at_ms = to_int(row[1]),
                   .started_at_ms = optional_int(row[2]),
                   .attempts = to_int(row[3])};
}

std::optional<RunResult> PgResultStore::find_result(std::string_view id) {
  core::pg::Rows found;
  {
    Lease lease(pool_);
    found = lease.db().exec(kFindResult, {id});
  }
  if (found.rows.empty()) return std::nullopt;
  const auto& row = found.rows[0];
  const auto blob = [&row](int column, int codec_column) {
    return core::sqlite::decode_blob(core::pg::from_bytea(row[column].value()),
                                     to_int(row[codec_column]));
  };
  RunResult result;
  result.id = std::string(id);
  result.status = Status::done;
  result.verdict = parse_verdict(row[0].value());
  result.exit_code = optional_small(row[1]);
  result.signal = optional_small(row[2]);
  result.stdout_data = blob(3, 13);
  result.stderr_data = blob(4, 14);
  result.compile_output = blob(5, 15);
  result.time_ms = to_int(row[6]);
  result.wall_ms = to_int(row[7]);
  result.memory_kb = to_int(row[8]);
  result.stdout_truncated = row[9] == "t";
  result.stderr_truncated = row[10] == "t";
  result.finished_at = core::from_unix_ms(to_int(row[11]));
  result.created_at = core::from_unix_ms(to_int(row[12]));
  result.tests = decode_test_outcomes(row[16]);
  return result;
}

PurgeOutcome PgResultStore::purge(const std::vector<std::string>& ids) {
  PurgeOutcome outcome;
  for (std::size_t begin = 0; begin < ids.size(); begin += kPurgeBatch) {
    const std::size_t end = std::min(ids.size(), begin + kPurgeBatch);
    const std::string batch = core::pg::text_array(ids, begin, end);
    Lease lease(pool_);
    core::pg::Connection& db = lease.db();
    core::pg::Transaction transaction(db);
    for (const auto& row : db.exec(kUnfinishedAmong, {batch}).rows) {
      outcome.skipped.push_back(row[0].value());
    }
    outcome.purged += static_cast<std::size_t>(to_int(db.exec(kPurge, {batch}).rows.at(0).at(0)));
    transaction.commit();
  }
  return outcome;
}

QueueStats PgResultStore::queue_stats(std::int64_t now_ms) {
  core::pg::Rows stats;
  {
    Lease lease(pool_);
    stats = lease.db().exec(kStats, {});
  }
  const auto& row = stats.rows.at(0);
  return queue_stats_of(to_int(row[0]), optional_int(row[1]), to_int(row[2]), to_int(row[3]),
                        now_ms);
}

void PgResultStore::subscribe(const StoreEvents& events) {
  listener_ = std::thread([this, &events] { listen_loop(events); });
}

void PgResultStore::listen_loop(const StoreEvents& events) {
  std::unique_ptr<core::pg::Connection> listening;
  std::unique_lock lock(listen_mutex_);
  while (!listen_stop_) {
    lock.unlock();
    try {
      if (!listening) {
        listening = std::make_unique<core::pg::Connection>(url_);
        listening->exec(fmt::format("LISTEN {}; LISTEN {}", kJobsChannel, kResultsChannel));
        // Whatever happened while nobody listened (the first time: nothing missed, no harm).
        events.missed();
      }
      for (const core::pg::Notification& note : listening->notifications(kListenWait)) {
        if (note.channel == kResultsChannel) {
          events.result_done(note.payload);
        } else {
          events.job_queued();
        }
      }
      lock.lock();
    } catch (const std::exception& e) {
      core::log::warn("result store: listening to PostgreSQL failed ({}); retrying", e.what());
      listening.reset();
      lock.lock();
      listen_stop_cv_.wait_for(lock, kReconnectPause, [this] { return listen_stop_; });
    }
  }
}

}  // namespace ide::result
