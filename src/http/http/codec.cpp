#include "http/codec.hpp"

#include <array>
#include <vector>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/tests_codec.hpp"

namespace ide::http {

namespace json = boost::json;

core::Result<core::RequestedLimits> decode_limits(const json::object& body) {
  core::RequestedLimits limits;
  const json::value* value = body.if_contains("limits");
  if (value == nullptr || value->is_null()) return limits;
  if (!value->is_object()) {
    return core::fail(core::ErrorCode::invalid_argument, "Field 'limits' must be an object.");
  }
  const json::object& object = value->as_object();
  const std::pair<std::string_view, std::optional<std::int64_t>*> fields[] = {
      {"cpu_ms", &limits.cpu_ms}, {"wall_ms", &limits.wall_ms}, {"memory_kb", &limits.memory_kb}};
  for (const auto& [name, target] : fields) {
    auto field = core::json::optional_int(object, name);
    if (!field) {
      // Name the field by its full path: "limits.cpu_ms".
      std::string message = field.error().message;
      const std::string quoted = "'" + std::string(name) + "'";
      if (auto at = message.find(quoted); at != std::string::npos) {
        message.replace(at, quoted.size(), "'limits." + std::string(name) + "'");
      }
      return core::fail(core::ErrorCode::invalid_argument, std::move(message));
    }
    *target = *field;
  }
  return limits;
}

namespace {

/// Whether `run`'s outputs go as base64: when asked, when one is not UTF-8 (text would lose
/// bytes), or when their JSON strings would be longer than their base64 (control bytes cost up
/// to 6 bytes each as \uXXXX): so they never cost more than base64's 4/3.
bool outputs_as_base64(const result::RunResult& run, bool asked) {
  if (asked) return true;
  std::vector<std::string_view> outputs = {run.stdout_data, run.stderr_data, run.compile_output};
  for (const result::TestOutcome& test : run.tests) outputs.push_back(test.stdout_data);
  std::size_t text_size = 0;
  std::size_t base64_size = 0;
  for (std::string_view output : outputs) {
    if (!core::json::is_valid_utf8(output)) return true;
    text_size += json_text_size(output);
    base64_size += base64_encoded_size(output.size());
  }
  return text_size > base64_size;
}

json::string output_string(std::string_view bytes, bool base64) {
  if (base64) return json::string(base64_encode(bytes));
  return json::string(bytes);
}

json::value optional_int(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

}  // namespace

json::value string_or_null(std::string_view text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::object encode_limits(const core::RequestedLimits& limits) {
  return {{"cpu_ms", optional_int(limits.cpu_ms)},
          {"wall_ms", optional_int(limits.wall_ms)},
          {"memory_kb", optional_int(limits.memory_kb)}};
}

core::Result<submission::NewSubmission> decode_new_submission(std::string_view body) {
  if (!core::json::is_valid_utf8(body)) {
    return core::fail(core::ErrorCode::invalid_argument, "The request body is not valid UTF-8.");
  }
  auto object = core::json::parse_object(body);
  if (!object) return core::Unexpected(object.error());
  auto language = core::json::required_string(*object, "language");
  if (!language) return core::Unexpected(language.error());
  auto code = core::json::required_string(*object, "code");
  if (!code) return core::Unexpected(code.error());
  auto stdin_data = core::json::optional_string(*object, "stdin");
  if (!stdin_data) return core::Unexpected(stdin_data.error());
  auto limits = decode_limits(*object);
  if (!limits) return core::Unexpected(limits.error());
  auto args = core::json::optional_string_array(*object, "args");
  if (!args) return core::Unexpected(args.error());
  auto expected_stdout = core::json::optional_string(*object, "expected_stdout");
  if (!expected_stdout) return core::Unexpected(expected_stdout.error());
  auto tests = decode_tests(*object);
  if (!tests) return core::Unexpected(tests.error());
  auto problem_id = core::json::optional_string(*object, "problem_id");
  if (!problem_id) return core::Unexpected(problem_id.error());
  auto student = core::json::optional_string(*object, "student");
  if (!student) return core::Unexpected(student.error());
  const json::value* interactive = object->if_contains("interactive");
  if (interactive != nullptr && !interactive->is_bool() && !interactive->is_null()) {
    return core::fail(core::ErrorCode::invalid_argument, "Field 'interactive' must be a boolean.");
  }

  submission::NewSubmission request;
  request.interactive = interactive != nullptr && interactive->is_bool() && interactive->get_bool();
  request.language = std::move(*language);
  request.code = std::move(*code);
  request.stdin_data = stdin_data->value_or(std::string());
  request.limits = *limits;
  request.args = std::move(*args);
  request.expected_stdout = std::move(*expected_stdout);
  request.tests = std::move(tests->tests);
  request.compare = tests->compare;
  request.problem_id = problem_id->value_or(std::string());
  request.student = student->value_or(std::string());
  return request;
}

json::object encode_submission(const submission::Submission& submission) {
  json::object body;
  body["id"] = submission.id;
  body["language"] = submission.language;
  body["code"] = core::json::to_json_string_lossy(submission.code);
  body["stdin"] = core::json::to_json_string_lossy(submission.stdin_data);
  body["created_at"] = core::to_rfc3339(submission.created_at);
  body["limits"] = encode_limits(submission.limits);
  body["args"] = json::value_from(submission.args);
  body["expected_stdout"] =
      submission.expected_stdout
          ? json::value(core::json::to_json_string_lossy(*submission.expected_stdout))
          : json::value(nullptr);
  encode_tests(submission.tests, submission.compare, body);
  body["problem_id"] = string_or_null(submission.problem_id);
  body["class_id"] = string_or_null(submission.class_id);
  body["student"] = string_or_null(submission.student);
  return body;
}

json::object encode_result(const result::RunResult& run, ResultEncoding encoding) {
  json::object body;
  if (encoding.include_id) body["id"] = run.id;
  body["status"] = status_name(run.status);
  if (run.status != result::Status::done) {
    body["message"] = run.status == result::Status::running ? kRunningMessage : kQueuedMessage;
    return body;
  }
  body["verdict"] = verdict_name(run.verdict);
  body["exit_code"] = run.exit_code ? json::value(*run.exit_code) : json::value(nullptr);
  body["signal"] = run.signal ? json::value(*run.signal) : json::value(nullptr);
  const bool base64 = outputs_as_base64(run, encoding.base64);
  body["encoding"] = base64 ? "base64" : "text";
  body["stdout"] = output_string(run.stdout_data, base64);
  body["stderr"] = output_string(run.stderr_data, base64);
  body["compile_output"] = output_string(run.compile_output, base64);
  body["time_ms"] = run.time_ms;
  body["wall_ms"] = run.wall_ms;
  body["memory_kb"] = run.memory_kb;
  body["truncated"] = {{"stdout", run.stdout_truncated}, {"stderr", run.stderr_truncated}};
  encode_test_outcomes(run, base64, body);
  body["created_at"] = core::to_rfc3339(run.created_at);
  body["finished_at"] =
      run.finished_at ? json::value(core::to_rfc3339(*run.finished_at)) : json::value(nullptr);
  return body;
}

json::object encode_share(std::string_view slug, const submission::Submission& submission,
                          const std::optional<result::RunResult>& run, bool base64) {
  json::object body;
  body["slug"] = slug;
  body["language"] = submission.language;
  body["code"] = core::json::to_json_string_lossy(submission.code);
  body["stdin"] = core::json::to_json_string_lossy(submission.stdin_data);
  body["created_at"] = core::to_rfc3339(submission.created_at);
  body["result"] = run ? json::value(encode_result(*run, {.base64 = base64, .include_id = false}))
                       : json::value(nullptr);
  return body;
}

json::object encode_queue_stats(const result::QueueStats& stats) {
  json::object body{{"queued", stats.queued},
                    {"oldest_queued_age_ms", nullptr},
                    {"live_leases", stats.live_leases},
                    {"expired_leases", stats.expired_leases}};
  if (stats.oldest_queued_age_ms) body["oldest_queued_age_ms"] = *stats.oldest_queued_age_ms;
  return body;
}

json::array encode_languages(const std::vector<result::Language>& languages) {
  json::array array;
  for (const result::Language& language : languages) {
    array.push_back({{"id", language.id}, {"name", language.name}, {"version", language.version}});
  }
  return array;
}

std::string_view status_name(result::Status status) { return result::to_string(status); }

std::string exit_status_message(int exit_code) {
  return "Exited with error status " + std::to_string(exit_code);
}

std::string_view verdict_name(result::Verdict verdict) { return result::to_string(verdict); }

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::size_t base64_encoded_size(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

std::size_t json_text_size(std::string_view text) {
  std::size_t size = 0;
  for (char c : text) {
    switch (c) {
      case '"':
      case '\\':
      case '\b':
      case '\f':
      case '\n':
      case '\r':
      case '\t':
        size += 2;  // a short escape: \n
        break;
      default:
        size += static_cast<unsigned char>(c) < 0x20 ? 6 : 1;  // \u0001
    }
  }
  return size;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve(base64_encoded_size(bytes.size()));
  std::size_t i = 0;
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = at(i) << 16;
    if (rest == 2) n |= at(i + 1) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t k = 0; k < kAlphabet.size(); ++k) {
    value[static_cast<unsigned char>(kAlphabet[k])] = static_cast<int>(k);
  }
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace ide::http
