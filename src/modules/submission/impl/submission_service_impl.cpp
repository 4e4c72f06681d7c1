#include "submission_service_impl.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/json.hpp"
#include "core/log.hpp"
#include "core/sqlite.hpp"

namespace ide::submission {

namespace {

core::Unexpected not_found() {
  return core::fail(core::ErrorCode::not_found, "No submission has this id.");
}

// A page cursor is "<created_at_ms>.<id>": the position of the last id of the previous page.
std::string encode_cursor(const CreatedId& position) {
  return fmt::format("{}.{}", position.created_at_ms, position.id);
}

std::optional<CreatedId> decode_cursor(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  CreatedId position;
  const char* end = text.data() + dot;
  const auto [stop, error] = std::from_chars(text.data(), end, position.created_at_ms);
  if (error != std::errc() || stop != end) return std::nullopt;
  position.id = std::string(text.substr(dot + 1));
  if (!core::is_well_formed_id(position.id)) return std::nullopt;
  return position;
}

/// The position `after` names, nullopt for "" (the start); invalid_argument when malformed.
core::Result<std::optional<CreatedId>> cursor_position(std::string_view after) {
  if (after.empty()) return std::optional<CreatedId>();
  std::optional<CreatedId> position = decode_cursor(after);
  if (!position) {
    return core::fail(core::ErrorCode::invalid_argument, "The page cursor is malformed.");
  }
  return position;
}

/// Whether valid UTF-8 `text` holds a C0 or C1 control character or DEL.
bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return true;
    // U+0080 to U+009F are 0xC2 0x80 to 0xC2 0x9F.
    if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
      return true;
    }
  }
  return false;
}

core::Result<void> check_student(std::string_view student, std::string_view class_id) {
  if (student.empty()) return {};
  if (class_id.empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "student may only be given with a class token.");
  }
  if (student.size() > kMaxStudentLabelBytes || !core::json::is_valid_utf8(student) ||
      has_control_character(student)) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("student must be at most {} bytes of UTF-8, without control "
                                  "characters.",
                                  kMaxStudentLabelBytes));
  }
  return {};
}

core::Result<void> check_args(const std::vector<std::string>& args) {
  if (args.size() > kMaxArgs) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("At most {} args are allowed.", kMaxArgs));
  }
  for (const std::string& arg : args) {
    if (arg.size() > kMaxArgBytes || arg.find('\0') != std::string::npos) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("Each arg must be at most {} bytes, without NUL.",
                                    kMaxArgBytes));
    }
  }
  return {};
}

core::Result<void> check_tests(const std::vector<core::TestCase>& tests,
                               const core::Comparison& compare, std::size_t max_tests) {
  if (tests.size() > max_tests) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("At most {} tests are allowed, got {}.", max_tests,
                                  tests.size()));
  }
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].name.size() > kMaxTestNameBytes) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("tests[{}].name must be at most {} bytes.", i,
                                    kMaxTestNameBytes));
    }
    // Tests share the box's work dir: a visible test after a hidden one could print what the
    // program kept of a hidden input.
    if (i > 0 && tests[i - 1].hidden && !tests[i].hidden) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("tests[{}] is visible after a hidden test.", i));
    }
  }
  if (!std::isfinite(compare.epsilon) || compare.epsilon < 0 || compare.epsilon > 1) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "compare.epsilon must be a number between 0 and 1.");
  }
  return {};
}

// Of the tests' own values of one limit, the one check_runnable must see: the first below 1 if
// any (it is refused whatever the others), else the largest. nullopt when no test sets it.
struct TestLimit {
  std::optional<std::int64_t> value;
  std::size_t index = 0;
};

TestLimit decisive_limit(const std::vector<core::TestCase>& tests,
                         std::optional<std::int64_t> core::TestCase::*field) {
  TestLimit decisive;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    const std::optional<std::int64_t>& value = tests[i].*field;
    if (!value) continue;
    if (*value < 1) return {value, i};
    if (!decisive.value || *value > *decisive.value) decisive = {value, i};
  }
  return decisive;
}

/// The refusal of a test's limit, naming it as the client wrote it: "tests[2].cpu_ms ...".
core::Error name_test_limit(core::Error error, const TestLimit& cpu, const TestLimit& wall) {
  for (const auto& [field, limit] : {std::pair{"cpu_ms", cpu}, std::pair{"wall_ms", wall}}) {
    const std::string prefix = fmt::format("limits.{}", field);
    if (error.message.starts_with(prefix)) {
      error.message.replace(0, prefix.size(), fmt::format("tests[{}].{}", limit.index, field));
    }
  }
  return error;
}

}  // namespace

SubmissionServiceImpl::SubmissionServiceImpl(std::unique_ptr<SubmissionStore> store,
                                             result::ResultService& results,
                                             const core::Clock& clock, core::IdGenerator& ids,
                                             std::size_t max_tests)
    : store_(std::move(store)), results_(results), clock_(clock), ids_(ids),
      max_tests_(max_tests) {}

core::Result<void> SubmissionServiceImpl::check_test_limits(const NewSubmission& request) {
  const TestLimit cpu = decisive_limit(request.tests, &core::TestCase::cpu_ms);
  const TestLimit wall = decisive_limit(request.tests, &core::TestCase::wall_ms);
  if (!cpu.value && !wall.value) return {};
  const core::RequestedLimits limits{
      .cpu_ms = cpu.value, .wall_ms = wall.value, .memory_kb = request.limits.memory_kb};
  auto runnable = results_.check_runnable(request.language, limits);
  if (!runnable) return core::Unexpected(name_test_limit(runnable.error(), cpu, wall));
  return {};
}

core::Result<std::string> SubmissionServiceImpl::submit_code(NewSubmission request) {
  Submission submission;
  try {
    // The result module owns the languages and the limits: it says what it would run.
    if (auto runnable = results_.check_runnable(request.language, request.limits); !runnable) {
      return core::Unexpected(runnable.error());
    }
    if (auto args = check_args(request.args); !args) return core::Unexpected(args.error());
    if (auto tests = check_tests(request.tests, request.compare, max_tests_); !tests) {
      return core::Unexpected(tests.error());
    }
    if (auto limits = check_test_limits(request); !limits) {
      return core::Unexpected(limits.error());
    }
    if (auto student = check_student(request.student, request.class_id); !student) {
      return core::Unexpected(student.error());
    }
    submission.id = ids_.new_id();
    submission.language = std::move(request.language);
    submission.code = std::move(request.code);
    submission.stdin_data = std::move(request.stdin_data);
    submission.limits = request.limits;
    submission.args = std::move(request.args);
    submission.expected_stdout = std::move(request.expected_stdout);
    submission.tests = std::move(request.tests);
    submission.compare = request.compare;
    submission.problem_id = std::move(request.problem_id);
    submission.interactive = request.interactive;
    submission.class_id = std::move(request.class_id);
    submission.student = std::move(request.student);
    submission.created_at = clock_.now();
    store_->insert(submission);
  } catch (const std::exception& e) {
    core::log::error("saving a submission failed: {}", e.what());
    return core::Unexpected(core::store_error(e, "submission"));
  }
  // The payload is safely stored; nothing below needs it.
  std::string id = std::move(submission.id);
  submission = Submission{};

  // The row is committed before the result module hears of it, and marked handed off only once
  // it acknowledged: a crash in between leaves the row for replay_pending() (SPEC section 8).
  const core::Result<void> handed = hand_off(id);
  if (handed) {
    retry_failed_hand_offs();
    return id;
  }
  const core::ErrorCode code = handed.error().code;
  if (code == core::ErrorCode::queue_full || code == core::ErrorCode::shutting_down) {
    // The client is told no, so nothing may be kept (or replayed and run later).
    try {
      store_->remove(id);
    } catch (const std::exception& e) {
      core::log::error("deleting refused submission {} failed: {}", id, e.what());
      core::count_store_error(e, "submission");
    }
    return core::Unexpected(handed.error());
  }
  // Saved but not acknowledged: the outbox row keeps the 202 promise; it is handed off again
  // after a later successful submission or at the next start.
  core::log::warn("submission {} saved but not handed off yet: {}", id, handed.error().message);
  {
    std::lock_guard lock(retry_mutex_);
    retry_ids_.push_back(id);
  }
  return id;
}

core::Result<Submission> SubmissionServiceImpl::get(std::string_view id) {
  if (!core::is_well_formed_id(id)) return not_found();
  try {
    std::optional<Submission> submission = store_->find(id);
    if (!submission) return not_found();
    return std::move(*submission);
  } catch (const std::exception& e) {
    core::log::error("loading submission {} failed: {}", id, e.what());
    return core::Unexpected(core::store_error(e, "submission"));
  }
}

core::Result<bool> SubmissionServiceImpl::exists(std::string_view id) {
  if (!core::is_well_formed_id(id)) return false;
  try {
    return store_->exists(id);
  } catch (const std::exception& e) {
    core::log::error("looking up submission {} failed: {}", id, e.what());
    return core::Unexpected(core::store_error(e, "submission"));
  }
}

core::Result<SubmissionIdPage> SubmissionServiceImpl::list_created_before(core::TimePoint cutoff,
                                                                          std::size_t limit,
                                                                          std::string_view after) {
  const auto position = cursor_position(after);
  if (!position) return core::Unexpected(position.error());
  SubmissionIdPage page;
  if (limit == 0) return page;
  std::vector<CreatedId> rows;
  try {
    rows = store_->created_before(core::to_unix_ms(cutoff), limit, *position);
  } catch (const std::exception& e) {
    core::log::error("listing old submissions failed: {}", e.what());
    return core::Unexpected(core::store_error(e, "submission"));
  }
  // A short page is the last one; a full one may be followed by more.
  if (rows.size() == limit) page.next = encode_cursor(rows.back());
  page.ids.reserve(rows.size());
  for (CreatedId& row : rows) page.ids.push_back(std::move(row.id));
  return page;
}

core::Result<ClassSubmissionPage> SubmissionServiceImpl::list_class_submissions(
    const ClassSubmissionQuery& query) {
  if (query.class_id.empty()) {
    return core::fail(core::ErrorCode::invalid_argument, "class_id must not be empty.");
  }
  if (query.limit == 0 || query.limit > kMaxClassSubmissionPage) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("limit must be between 1 and {}, got {}.",
                                  kMaxClassSubmissionPage, query.limit));
  }
  const auto position = cursor_position(query.after);
  if (!position) return core::Unexpected(position.error());
  ClassSubmissionPage page;
  try {
    // One more than asked for says whether another page follows.
    page.submissions = store_->class_submissions(query, query.limit + 1, *position);
  } catch (const std::exception& e) {
    core::log::error("listing the submissions of class {} failed: {}", query.class_id, e.what());
    return core::Unexpected(core::store_error(e, "submission"));
  }
  if (page.submissions.size() > query.limit) {
    page.submissions.resize(query.limit);
    const ClassSubmission& last = page.submissions.back();
    page.next = encode_cursor({.created_at_ms = core::to_unix_ms(last.created_at), .id = last.id});
  }
  return page;
}

core::Result<std::size_t> SubmissionServiceImpl::purge(const std::vector<std::string>& ids) {
  std::vector<std::string> valid;
  valid.reserve(ids.size());
  for (const std::string& id : ids) {
    if (core::is_well_formed_id(id)) valid.push_back(id);
  }
  {
    // A failed hand-off retried after the row is gone would queue a job for nothing.
    const std::set<std::string, std::less<>> gone(valid.begin(), valid.end());
    std::lock_guard lock(retry_mutex_);
    std::erase_if(retry_ids_, [&gone](const std::string& id) { return gone.contains(id); });
  }
  try {
    return store_->remove_all(valid);
  } catch (const std::exception& e) {
    core::log::error("purging submissions failed: {}", e.what());
    return core::Unexpected(core::store_error(e, "submission"));
  }
}

core::Result<void> SubmissionServiceImpl::hand_off(const std::string& id) {
  core::Result<void> enqueued;
  try {
    enqueued = results_.enqueue(id);
  } catch (const std::exception& e) {
    enqueued = core::fail(core::ErrorCode::internal,
                          fmt::format("The result module failed: {}", e.what()));
  }
  if (!enqueued) return enqueued;
  try {
    store_->mark_handed_off(id);
  } catch (const std::exception& e) {
    // The job is queued; the unmarked row is only enqueued again (idempotent) at the next start.
    core::log::warn("marking submission {} handed off failed: {}", id, e.what());
    core::count_store_error(e, "submission");
  }
  return {};
}

void SubmissionServiceImpl::retry_failed_hand_offs() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(retry_mutex_);
    if (retry_ids_.empty()) return;
    ids.swap(retry_ids_);
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (hand_off(ids[i])) continue;
    std::lock_guard lock(retry_mutex_);
    retry_ids_.insert(retry_ids_.end(), ids.begin() + static_cast<std::ptrdiff_t>(i), ids.end());
    return;
  }
}

core::Result<void> SubmissionServiceImpl::replay_pending() {
  std::vector<std::string> ids;
  try {
    ids = store_->pending_hand_offs();
  } catch (const std::exception& e) {
    core::log::error("reading unacknowledged submissions failed: {}", e.what());
    return core::Unexpected(core::store_error(e, "submission"));
  }
  if (ids.empty()) return {};
  std::size_t handed = 0;
  for (; handed < ids.size(); ++handed) {
    const core::Result<void> result = hand_off(ids[handed]);
    if (result) continue;
    core::log::warn("handing saved submission {} to the result module failed: {}", ids[handed],
                    result.error().message);
    std::lock_guard lock(retry_mutex_);
    retry_ids_.insert(retry_ids_.end(), ids.begin() + static_cast<std::ptrdiff_t>(handed),
                      ids.end());
    break;
  }
  core::log::info("handed {} of {} unacknowledged submissions to the result module", handed,
                  ids.size());
  return {};
}

}  // namespace ide::submission
