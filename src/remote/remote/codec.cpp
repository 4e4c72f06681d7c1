// The conversions are Boost.JSON tag_invoke overloads in each type's own namespace (where
// value_from and value_to find them); only this file instantiates them.
#include "remote/codec.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/json.hpp>

#include "access/access_service.hpp"
#include "core/json.hpp"
#include "core/limits.hpp"
#include "problem/problem_json.hpp"
#include "problem/problem_service.hpp"
#include "result/result_service.hpp"
#include "result/test_outcome_json.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

// Global, so that the overloads in each module's namespace can name it too.
namespace bj = boost::json;

namespace ide::remote {


namespace {

/// Nanoseconds since the epoch: exact, so a cutoff or created_at crosses unchanged.
bj::value time_to_json(core::TimePoint t) {
  return static_cast<std::int64_t>(t.time_since_epoch().count());
}

core::TimePoint time_from_json(const bj::value& json) {
  return core::TimePoint(core::TimePoint::duration(json.to_number<std::int64_t>()));
}

template <typename T>
bj::value optional_to_json(const std::optional<T>& value) {
  return value ? bj::value(*value) : bj::value(nullptr);
}

template <typename T>
std::optional<T> optional_from_json(const bj::object& object, std::string_view key) {
  const bj::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return std::nullopt;
  return value->to_number<T>();
}

/// The enumerator of `values` whose to_string() is `name`.
template <typename Enum, std::size_t N>
Enum enum_from_json(const bj::value& json, const std::array<Enum, N>& values) {
  const bj::string& name = json.as_string();
  for (Enum value : values) {
    if (to_string(value) == std::string_view(name)) return value;
  }
  throw std::invalid_argument("unknown value '" + std::string(name) + "'");
}

constexpr std::array kStatuses = {result::Status::queued, result::Status::running,
                                  result::Status::done};
constexpr auto kVerdicts = result::kAllVerdicts;
constexpr std::array kErrorCodes = {
    core::ErrorCode::invalid_argument,    core::ErrorCode::unknown_language,
    core::ErrorCode::invalid_limits,      core::ErrorCode::not_found,
    core::ErrorCode::payload_too_large,   core::ErrorCode::queue_full,
    core::ErrorCode::rate_limited,        core::ErrorCode::shutting_down,
    core::ErrorCode::storage_unavailable, core::ErrorCode::unavailable,
    core::ErrorCode::unauthorized,        core::ErrorCode::internal};

std::string string_at(const bj::object& object, std::string_view key) {
  return std::string(object.at(key).as_string());
}

}  // namespace

std::optional<core::Error> error_from_body(std::string_view body) {
  boost::system::error_code ec;
  const bj::value parsed = bj::parse(body, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const bj::object* error = parsed.as_object().if_contains("error")
                                ? parsed.as_object().at("error").if_object()
                                : nullptr;
  if (error == nullptr) return std::nullopt;
  auto decoded = from_json<core::Error>(*error);
  if (!decoded) return std::nullopt;
  return *decoded;
}

}  // namespace ide::remote

namespace ide::core {

void tag_invoke(const bj::value_from_tag&, bj::value& out, const RequestedLimits& limits) {
  bj::object object;
  // Absent limits are left out: a submit then costs no more than the public one it carries.
  if (limits.cpu_ms) object["cpu_ms"] = *limits.cpu_ms;
  if (limits.wall_ms) object["wall_ms"] = *limits.wall_ms;
  if (limits.memory_kb) object["memory_kb"] = *limits.memory_kb;
  out = std::move(object);
}

RequestedLimits tag_invoke(const bj::value_to_tag<RequestedLimits>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.cpu_ms = remote::optional_from_json<std::int64_t>(object, "cpu_ms"),
          .wall_ms = remote::optional_from_json<std::int64_t>(object, "wall_ms"),
          .memory_kb = remote::optional_from_json<std::int64_t>(object, "memory_kb")};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const Error& error) {
  out = {{"code", to_string(error.code)}, {"message", bj::string(error.message)}};
}

Error tag_invoke(const bj::value_to_tag<Error>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.code = remote::enum_from_json(object.at("code"), remote::kErrorCodes),
          .message = remote::string_at(object, "message")};
}

}  // namespace ide::core

namespace ide::submission {

namespace {

std::vector<std::string> args_at(const bj::object& object) {
  const bj::value* args = object.if_contains("args");
  return args ? bj::value_to<std::vector<std::string>>(*args) : std::vector<std::string>();
}

std::optional<std::string> expected_stdout_at(const bj::object& object) {
  const bj::value* expected = object.if_contains("expected_stdout");
  if (expected == nullptr) return std::nullopt;
  return core::json::bytes_from_json(*expected);
}

/// "tests" and "compare", only when the submission has tests (the comparison is unused without).
void put_tests(bj::object& object, const std::vector<core::TestCase>& tests,
               const core::Comparison& compare) {
  if (tests.empty()) return;
  bj::array cases;
  for (const core::TestCase& test : tests) cases.emplace_back(core::test_case_to_json(test));
  object["tests"] = std::move(cases);
  object["compare"] = core::comparison_to_json(compare);
}

std::vector<core::TestCase> tests_at(const bj::object& object) {
  std::vector<core::TestCase> tests;
  const bj::value* cases = object.if_contains("tests");
  if (cases == nullptr) return tests;
  for (const bj::value& test : cases->as_array()) {
    tests.push_back(core::test_case_from_json(test));
  }
  return tests;
}

core::Comparison compare_at(const bj::object& object) {
  const bj::value* compare = object.if_contains("compare");
  return compare == nullptr ? core::Comparison() : core::comparison_from_json(*compare);
}

}  // namespace

/// What NewSubmission and Submission share beyond code and stdin: "args", "expected_stdout",
/// "tests" and "compare", "problem_id", "interactive", "class_id", "student", each only when set.
template <typename Request>
void put_run_options(bj::object& object, const Request& request) {
  if (!request.args.empty()) object["args"] = bj::value_from(request.args);
  if (request.expected_stdout) {
    object["expected_stdout"] = core::json::bytes_to_json(*request.expected_stdout);
  }
  put_tests(object, request.tests, request.compare);
  if (!request.problem_id.empty()) object["problem_id"] = request.problem_id;
  if (request.interactive) object["interactive"] = true;
  if (!request.class_id.empty()) object["class_id"] = request.class_id;
  // Byte strings: a refused label crosses to the service that refuses it.
  if (!request.student.empty()) object["student"] = core::json::bytes_to_json(request.student);
}

template <typename Request>
void read_run_options(const bj::object& object, Request& request) {
  request.args = args_at(object);
  request.expected_stdout = expected_stdout_at(object);
  request.tests = tests_at(object);
  request.compare = compare_at(object);
  if (const bj::value* problem = object.if_contains("problem_id")) {
    request.problem_id = std::string(problem->as_string());
  }
  const bj::value* interactive = object.if_contains("interactive");
  request.interactive = interactive != nullptr && interactive->as_bool();
  if (const bj::value* class_id = object.if_contains("class_id")) {
    request.class_id = std::string(class_id->as_string());
  }
  if (const bj::value* student = object.if_contains("student")) {
    request.student = core::json::bytes_from_json(*student);
  }
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const NewSubmission& request) {
  // The keys of the public submit body, each left out when empty as a client may: the request is
  // then never longer than the public one it carries, so the same max_body admits it.
  bj::object object{{"language", request.language},
                    {"code", core::json::bytes_to_json(request.code)}};
  if (!request.stdin_data.empty()) object["stdin"] = core::json::bytes_to_json(request.stdin_data);
  const bj::value limits = bj::value_from(request.limits);
  if (!limits.as_object().empty()) object["limits"] = limits;
  put_run_options(object, request);
  out = std::move(object);
}

NewSubmission tag_invoke(const bj::value_to_tag<NewSubmission>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  const bj::value* stdin_data = object.if_contains("stdin");
  const bj::value* limits = object.if_contains("limits");
  NewSubmission request{
      .language = remote::string_at(object, "language"),
      .code = core::json::bytes_from_json(object.at("code")),
      .stdin_data = stdin_data ? core::json::bytes_from_json(*stdin_data) : std::string(),
      .limits = limits ? bj::value_to<core::RequestedLimits>(*limits) : core::RequestedLimits{}};
  read_run_options(object, request);
  return request;
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const Submission& submission) {
  bj::object object{{"id", submission.id},
                    {"language", submission.language},
                    {"code", core::json::bytes_to_json(submission.code)},
                    {"stdin", core::json::bytes_to_json(submission.stdin_data)},
                    {"limits", bj::value_from(submission.limits)},
                    {"created_at", remote::time_to_json(submission.created_at)}};
  put_run_options(object, submission);
  out = std::move(object);
}

Submission tag_invoke(const bj::value_to_tag<Submission>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  Submission submission{.id = remote::string_at(object, "id"),
                        .language = remote::string_at(object, "language"),
                        .code = core::json::bytes_from_json(object.at("code")),
                        .stdin_data = core::json::bytes_from_json(object.at("stdin")),
                        .limits = bj::value_to<core::RequestedLimits>(object.at("limits")),
                        .created_at = remote::time_from_json(object.at("created_at"))};
  read_run_options(object, submission);
  return submission;
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const SubmissionIdPage& page) {
  out = {{"ids", bj::value_from(page.ids)}, {"next", page.next}};
}

SubmissionIdPage tag_invoke(const bj::value_to_tag<SubmissionIdPage>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.ids = bj::value_to<std::vector<std::string>>(object.at("ids")),
          .next = remote::string_at(object, "next")};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ClassSubmissionQuery& query) {
  out = {{"class_id", query.class_id},
         {"problem_id", core::json::bytes_to_json(query.problem_id)},
         {"student", core::json::bytes_to_json(query.student)},
         {"limit", query.limit},
         {"after", query.after}};
}

ClassSubmissionQuery tag_invoke(const bj::value_to_tag<ClassSubmissionQuery>&,
                                const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.class_id = remote::string_at(object, "class_id"),
          .problem_id = core::json::bytes_from_json(object.at("problem_id")),
          .student = core::json::bytes_from_json(object.at("student")),
          .limit = object.at("limit").to_number<std::size_t>(),
          .after = remote::string_at(object, "after")};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ClassSubmission& submission) {
  out = {{"id", submission.id},
         {"language", submission.language},
         {"problem_id", submission.problem_id},
         {"student", core::json::bytes_to_json(submission.student)},
         {"created_at", remote::time_to_json(submission.created_at)}};
}

ClassSubmission tag_invoke(const bj::value_to_tag<ClassSubmission>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.id = remote::string_at(object, "id"),
          .language = remote::string_at(object, "language"),
          .problem_id = remote::string_at(object, "problem_id"),
          .student = core::json::bytes_from_json(object.at("student")),
          .created_at = remote::time_from_json(object.at("created_at"))};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ClassSubmissionPage& page) {
  out = {{"submissions", bj::value_from(page.submissions)}, {"next", page.next}};
}

ClassSubmissionPage tag_invoke(const bj::value_to_tag<ClassSubmissionPage>&,
                               const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.submissions = bj::value_to<std::vector<ClassSubmission>>(object.at("submissions")),
          .next = remote::string_at(object, "next")};
}

}  // namespace ide::submission

namespace ide::result {

void tag_invoke(const bj::value_from_tag&, bj::value& out, const TestOutcome& outcome) {
  out = test_outcome_to_json(outcome);
}

TestOutcome tag_invoke(const bj::value_to_tag<TestOutcome>&, const bj::value& in) {
  return test_outcome_from_json(in);
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const RunResult& run) {
  out = {{"id", run.id},
         {"status", to_string(run.status)},
         {"verdict", to_string(run.verdict)},
         {"exit_code", remote::optional_to_json(run.exit_code)},
         {"signal", remote::optional_to_json(run.signal)},
         {"stdout", core::json::bytes_to_json(run.stdout_data)},
         {"stderr", core::json::bytes_to_json(run.stderr_data)},
         {"compile_output", core::json::bytes_to_json(run.compile_output)},
         {"time_ms", run.time_ms},
         {"wall_ms", run.wall_ms},
         {"memory_kb", run.memory_kb},
         {"stdout_truncated", run.stdout_truncated},
         {"stderr_truncated", run.stderr_truncated},
         {"created_at", remote::time_to_json(run.created_at)},
         {"finished_at", run.finished_at ? remote::time_to_json(*run.finished_at) : nullptr}};
  // Absent when empty, as from a server that predates test cases.
  if (!run.tests.empty()) out.as_object()["tests"] = bj::value_from(run.tests);
}

RunResult tag_invoke(const bj::value_to_tag<RunResult>&, const bj::value& in) {
  const bj::object& o = in.as_object();
  const bj::value& finished_at = o.at("finished_at");
  const bj::value* tests = o.if_contains("tests");
  return {.id = remote::string_at(o, "id"),
          .status = remote::enum_from_json(o.at("status"), remote::kStatuses),
          .verdict = remote::enum_from_json(o.at("verdict"), remote::kVerdicts),
          .exit_code = remote::optional_from_json<int>(o, "exit_code"),
          .signal = remote::optional_from_json<int>(o, "signal"),
          .stdout_data = core::json::bytes_from_json(o.at("stdout")),
          .stderr_data = core::json::bytes_from_json(o.at("stderr")),
          .compile_output = core::json::bytes_from_json(o.at("compile_output")),
          .time_ms = o.at("time_ms").to_number<std::int64_t>(),
          .wall_ms = o.at("wall_ms").to_number<std::int64_t>(),
          .memory_kb = o.at("memory_kb").to_number<std::int64_t>(),
          .stdout_truncated = o.at("stdout_truncated").as_bool(),
          .stderr_truncated = o.at("stderr_truncated").as_bool(),
          .created_at = remote::time_from_json(o.at("created_at")),
          .finished_at = finished_at.is_null()
                             ? std::nullopt
                             : std::optional(remote::time_from_json(finished_at)),
          .tests = tests ? bj::value_to<std::vector<TestOutcome>>(*tests)
                         : std::vector<TestOutcome>()};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const Language& language) {
  out = {{"id", language.id},
         {"name", language.name},
         {"version", language.version},
         {"aliases", bj::value_from(language.aliases)},
         {"judge0_id", remote::optional_to_json(language.judge0_id)},
         {"piston_runtime", language.piston_runtime},
         {"compiled", language.compiled}};
}

Language tag_invoke(const bj::value_to_tag<Language>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.id = remote::string_at(object, "id"),
          .name = remote::string_at(object, "name"),
          .version = remote::string_at(object, "version"),
          .aliases = bj::value_to<std::vector<std::string>>(object.at("aliases")),
          .judge0_id = remote::optional_from_json<int>(object, "judge0_id"),
          .piston_runtime = remote::string_at(object, "piston_runtime"),
          .compiled = object.at("compiled").as_bool()};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const QueueStats& stats) {
  out = {{"queued", stats.queued},
         {"oldest_queued_age_ms", remote::optional_to_json(stats.oldest_queued_age_ms)},
         {"live_leases", stats.live_leases},
         {"expired_leases", stats.expired_leases}};
}

QueueStats tag_invoke(const bj::value_to_tag<QueueStats>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.queued = object.at("queued").to_number<std::size_t>(),
          .oldest_queued_age_ms =
              remote::optional_from_json<std::int64_t>(object, "oldest_queued_age_ms"),
          .live_leases = object.at("live_leases").to_number<std::size_t>(),
          .expired_leases = object.at("expired_leases").to_number<std::size_t>()};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const PurgeOutcome& outcome) {
  out = {{"purged", outcome.purged}, {"skipped", bj::value_from(outcome.skipped)}};
}

PurgeOutcome tag_invoke(const bj::value_to_tag<PurgeOutcome>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.purged = object.at("purged").to_number<std::size_t>(),
          .skipped = bj::value_to<std::vector<std::string>>(object.at("skipped"))};
}

}  // namespace ide::result

namespace ide::url {

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ShareLink& link) {
  out = {{"slug", link.slug}, {"created", link.created}};
}

ShareLink tag_invoke(const bj::value_to_tag<ShareLink>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.slug = remote::string_at(object, "slug"), .created = object.at("created").as_bool()};
}

}  // namespace ide::url

namespace ide::problem {

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ProblemContent& content) {
  out = content_to_json(content);
}

ProblemContent tag_invoke(const bj::value_to_tag<ProblemContent>&, const bj::value& in) {
  return content_from_json(in);
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const Problem& problem) {
  out = {{"id", problem.id},
         {"content", content_to_json(problem.content)},
         {"created_at", remote::time_to_json(problem.created_at)},
         {"updated_at", remote::time_to_json(problem.updated_at)}};
}

Problem tag_invoke(const bj::value_to_tag<Problem>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.id = remote::string_at(object, "id"),
          .content = content_from_json(object.at("content")),
          .created_at = remote::time_from_json(object.at("created_at")),
          .updated_at = remote::time_from_json(object.at("updated_at"))};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ProblemSummary& summary) {
  out = {{"id", summary.id},
         {"title", core::json::bytes_to_json(summary.title)},
         {"visible_tests", summary.visible_tests},
         {"hidden_tests", summary.hidden_tests},
         {"updated_at", remote::time_to_json(summary.updated_at)}};
}

ProblemSummary tag_invoke(const bj::value_to_tag<ProblemSummary>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.id = remote::string_at(object, "id"),
          .title = core::json::bytes_from_json(object.at("title")),
          .visible_tests = object.at("visible_tests").to_number<std::size_t>(),
          .hidden_tests = object.at("hidden_tests").to_number<std::size_t>(),
          .updated_at = remote::time_from_json(object.at("updated_at"))};
}

}  // namespace ide::problem

namespace ide::access {

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ClassQuota& quota) {
  out = {{"submissions_per_hour", quota.submissions_per_hour}, {"max_queued", quota.max_queued}};
}

ClassQuota tag_invoke(const bj::value_to_tag<ClassQuota>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.submissions_per_hour = object.at("submissions_per_hour").to_number<std::int64_t>(),
          .max_queued = object.at("max_queued").to_number<std::int64_t>()};
}

namespace {

bj::value expiry_to_json(const std::optional<core::TimePoint>& expires_at) {
  return expires_at ? remote::time_to_json(*expires_at) : bj::value(nullptr);
}

std::optional<core::TimePoint> expiry_from_json(const bj::object& object) {
  const bj::value& expires_at = object.at("expires_at");
  if (expires_at.is_null()) return std::nullopt;
  return remote::time_from_json(expires_at);
}

}  // namespace

void tag_invoke(const bj::value_from_tag&, bj::value& out, const NewClassToken& request) {
  out = {{"name", core::json::bytes_to_json(request.name)},
         {"quota", bj::value_from(request.quota)},
         {"expires_at", expiry_to_json(request.expires_at)}};
}

NewClassToken tag_invoke(const bj::value_to_tag<NewClassToken>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.name = core::json::bytes_from_json(object.at("name")),
          .quota = bj::value_to<ClassQuota>(object.at("quota")),
          .expires_at = expiry_from_json(object)};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const ClassToken& token) {
  out = {{"id", token.id},
         {"name", core::json::bytes_to_json(token.name)},
         {"quota", bj::value_from(token.quota)},
         {"expires_at", expiry_to_json(token.expires_at)},
         {"created_at", remote::time_to_json(token.created_at)}};
}

ClassToken tag_invoke(const bj::value_to_tag<ClassToken>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.id = remote::string_at(object, "id"),
          .name = core::json::bytes_from_json(object.at("name")),
          .quota = bj::value_to<ClassQuota>(object.at("quota")),
          .expires_at = expiry_from_json(object),
          .created_at = remote::time_from_json(object.at("created_at"))};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const IssuedClassToken& issued) {
  out = {{"token", bj::value_from(issued.token)},
         {"student_secret", issued.student_secret},
         {"owner_secret", issued.owner_secret}};
}

IssuedClassToken tag_invoke(const bj::value_to_tag<IssuedClassToken>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  return {.token = bj::value_to<ClassToken>(object.at("token")),
          .student_secret = remote::string_at(object, "student_secret"),
          .owner_secret = remote::string_at(object, "owner_secret")};
}

void tag_invoke(const bj::value_from_tag&, bj::value& out, const Bearer& bearer) {
  out = {{"token", bj::value_from(bearer.token)},
         {"role", bearer.role == Role::owner ? "owner" : "student"}};
}

Bearer tag_invoke(const bj::value_to_tag<Bearer>&, const bj::value& in) {
  const bj::object& object = in.as_object();
  const bj::string& role = object.at("role").as_string();
  if (role != "owner" && role != "student") {
    throw std::invalid_argument("unknown role '" + std::string(role) + "'");
  }
  return {.token = bj::value_to<ClassToken>(object.at("token")),
          .role = role == "owner" ? Role::owner : Role::student};
}

}  // namespace ide::access

namespace ide::remote {

template <typename T>
bj::value to_json(const T& value) {
  return bj::value_from(value);
}

template <typename T>
core::Result<T> from_json(const bj::value& json) {
  try {
    return bj::value_to<T>(json);
  } catch (const std::exception& e) {
    return core::fail(core::ErrorCode::invalid_argument,
                      std::string("malformed internal message: ") + e.what());
  }
}

// The types that cross the internal API.
#define IDE_REMOTE_CODEC(T)                      \
  template bj::value to_json<T>(const T& value); \
  template core::Result<T> from_json<T>(const bj::value& json);
IDE_REMOTE_CODEC(core::RequestedLimits)
IDE_REMOTE_CODEC(core::Error)
IDE_REMOTE_CODEC(submission::NewSubmission)
IDE_REMOTE_CODEC(submission::Submission)
IDE_REMOTE_CODEC(submission::SubmissionIdPage)
IDE_REMOTE_CODEC(submission::ClassSubmissionQuery)
IDE_REMOTE_CODEC(submission::ClassSubmissionPage)
IDE_REMOTE_CODEC(result::RunResult)
IDE_REMOTE_CODEC(result::Language)
IDE_REMOTE_CODEC(std::vector<result::Language>)
IDE_REMOTE_CODEC(result::QueueStats)
IDE_REMOTE_CODEC(result::PurgeOutcome)
IDE_REMOTE_CODEC(url::ShareLink)
IDE_REMOTE_CODEC(problem::ProblemContent)
IDE_REMOTE_CODEC(problem::Problem)
IDE_REMOTE_CODEC(std::vector<problem::ProblemSummary>)
IDE_REMOTE_CODEC(access::NewClassToken)
IDE_REMOTE_CODEC(access::ClassToken)
IDE_REMOTE_CODEC(access::IssuedClassToken)
IDE_REMOTE_CODEC(access::Bearer)
IDE_REMOTE_CODEC(std::vector<access::ClassToken>)
IDE_REMOTE_CODEC(std::vector<std::string>)
IDE_REMOTE_CODEC(std::string)
IDE_REMOTE_CODEC(bool)
IDE_REMOTE_CODEC(std::size_t)
#undef IDE_REMOTE_CODEC

}  // namespace ide::remote
