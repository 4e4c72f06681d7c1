#include "http/judge0_codec.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <utility>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/codec.hpp"

namespace ide::http {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 14> kStatusDescriptions{
    "In Queue",
    "Processing",
    "Accepted",
    "Wrong Answer",
    "Time Limit Exceeded",
    "Compilation Error",
    "Runtime Error (SIGSEGV)",
    "Runtime Error (SIGXFSZ)",
    "Runtime Error (SIGFPE)",
    "Runtime Error (SIGABRT)",
    "Runtime Error (NZEC)",
    "Runtime Error (Other)",
    "Internal Error",
    "Exec Format Error",
};

const std::vector<std::string> kDefaultFields{"stdout", "time",           "memory",  "stderr",
                                              "token",  "compile_output", "message", "status"};

json::object status_object(int id) {
  return {{"id", id}, {"description", kStatusDescriptions.at(static_cast<std::size_t>(id - 1))}};
}

int runtime_error_status(const result::RunResult& run) {
  if (run.signal) {
    switch (*run.signal) {
      case SIGSEGV:
        return 7;
      case SIGXFSZ:
        return 8;
      case SIGFPE:
        return 9;
      case SIGABRT:
        return 10;
      default:
        return 12;
    }
  }
  return run.exit_code.value_or(0) != 0 ? 11 : 12;
}

int done_status_id(const result::RunResult& run) {
  switch (run.verdict) {
    case result::Verdict::ok:
      return 3;
    case result::Verdict::time_limit_exceeded:
      return 5;
    case result::Verdict::compile_error:
      return 6;
    case result::Verdict::output_limit_exceeded:
      return 8;
    case result::Verdict::runtime_error:
      return runtime_error_status(run);
    case result::Verdict::memory_limit_exceeded:
      return 12;
    case result::Verdict::internal_error:
      return 13;
    case result::Verdict::wrong_answer:
      return 4;
  }
  return 13;
}

/// A string field of `body`: absent or null is nullopt; the error names the field otherwise.
std::optional<std::string> text_field(const json::object& body, std::string_view name, bool base64,
                                      json::object& errors) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    errors[name] = json::array{"must be a string"};
    return std::nullopt;
  }
  std::string text(value->as_string());
  if (!base64) return text;
  auto decoded = base64_decode(text);
  if (!decoded) errors[name] = json::array{"is not valid base64"};
  return decoded;
}

/// A limit in seconds (float) or kilobytes, as an integer of `scale` per unit.
std::optional<std::int64_t> number_field(const json::object& body, std::string_view name,
                                         double scale, json::object& errors) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_number()) {
    errors[name] = json::array{"is not a number"};
    return std::nullopt;
  }
  const double number = value->to_number<double>();
  if (!(number >= 0 && number < 1e12)) {
    errors[name] = json::array{"must be greater than or equal to 0"};
    return std::nullopt;
  }
  return static_cast<std::int64_t>(std::llround(number * scale));
}

/// Our language for Judge0's `language_id`, when the server serves it.
std::optional<std::string> served_language(const json::object& body,
                                           const std::vector<result::Language>& served,
                                           json::object& errors) {
  const json::value* value = body.if_contains("language_id");
  if (value == nullptr || value->is_null()) {
    errors["language_id"] = json::array{"can't be blank"};
    return std::nullopt;
  }
  const std::int64_t* id = value->if_int64();
  for (const result::Language& language : served) {
    if (id != nullptr && language.judge0_id == *id) return language.id;
  }
  errors["language_id"] =
      json::array{json::string("language with id " + json::serialize(*value) + " doesn't exist")};
  return std::nullopt;
}

std::string seconds_text(std::int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(ms) / 1000.0);
  return text;
}

json::value optional_seconds(std::optional<std::int64_t> ms) {
  if (!ms) return nullptr;
  return static_cast<double>(*ms) / 1000.0;
}

json::value optional_int(std::optional<std::int64_t> value) {
  if (!value) return nullptr;
  return *value;
}

/// An output field: null when empty, base64 when asked; nullopt when it is not UTF-8 text.
std::optional<json::value> output_value(std::string_view bytes, bool base64) {
  if (bytes.empty()) return json::value(nullptr);
  if (base64) return json::value(base64_encode(bytes));
  if (!core::json::is_valid_utf8(bytes)) return std::nullopt;
  return json::value(json::string(bytes));
}

}  // namespace

json::array encode_judge0_languages(const std::vector<result::Language>& served) {
  json::array languages;
  for (const result::Language& language : served) {
    if (!language.judge0_id) continue;
    languages.push_back(json::object{{"id", *language.judge0_id},
                                     {"name", language.name + " (" + language.version + ")"}});
  }
  std::sort(languages.begin(), languages.end(), [](const json::value& a, const json::value& b) {
    return a.at("id").as_int64() < b.at("id").as_int64();
  });
  return languages;
}

json::array encode_judge0_statuses() {
  json::array statuses;
  for (int id = 1; id <= static_cast<int>(kStatusDescriptions.size()); ++id) {
    statuses.push_back(status_object(id));
  }
  return statuses;
}

json::object judge0_status(const result::RunResult& run) {
  if (run.status == result::Status::queued) return status_object(1);
  if (run.status == result::Status::running) return status_object(2);
  return status_object(done_status_id(run));
}

Judge0Request decode_judge0_submission(const json::value& body, bool base64,
                                       const std::vector<result::Language>& served) {
  Judge0Request decoded;
  const json::object* object = body.if_object();
  if (object == nullptr) {
    decoded.field_errors["error"] = "the submission must be a JSON object";
    return decoded;
  }
  json::object& errors = decoded.field_errors;
  submission::NewSubmission& request = decoded.submission;
  auto code = text_field(*object, "source_code", base64, errors);
  if (!code && !errors.contains("source_code"))
    errors["source_code"] = json::array{"can't be blank"};
  request.code = code.value_or("");
  request.stdin_data = text_field(*object, "stdin", base64, errors).value_or("");
  request.expected_stdout = text_field(*object, "expected_output", base64, errors);
  request.language = served_language(*object, served, errors).value_or("");
  request.limits.cpu_ms = number_field(*object, "cpu_time_limit", 1000.0, errors);
  request.limits.wall_ms = number_field(*object, "wall_time_limit", 1000.0, errors);
  request.limits.memory_kb = number_field(*object, "memory_limit", 1.0, errors);
  decoded.callback_url = text_field(*object, "callback_url", false, errors);
  if (decoded.callback_url && decoded.callback_url->empty()) decoded.callback_url.reset();
  return decoded;
}

std::vector<std::string> split_commas(std::string_view list) {
  std::vector<std::string> items;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (!item.empty()) items.emplace_back(item);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return items;
}

Judge0Fields judge0_fields(std::optional<std::string_view> fields, bool base64) {
  Judge0Fields chosen{kDefaultFields, base64};
  if (!fields) return chosen;
  chosen.names.clear();
  if (*fields == "*") return chosen;
  chosen.names = split_commas(*fields);
  if (chosen.names.empty()) chosen.names = kDefaultFields;
  return chosen;
}

namespace {

json::value run_message(const result::RunResult& run) {
  if (run.status != result::Status::done) return nullptr;
  if (run.signal) return json::string("Exited with signal " + std::to_string(*run.signal));
  if (run.exit_code.value_or(0) != 0) {
    return json::string(exit_status_message(*run.exit_code));
  }
  if (run.verdict == result::Verdict::internal_error) return "Internal error";
  return nullptr;
}

/// The measured fields: null until the run is done.
void add_measurements(json::object& all, const result::RunResult& run) {
  const bool done = run.status == result::Status::done;
  all["time"] = done ? json::value(json::string(seconds_text(run.time_ms))) : nullptr;
  all["wall_time"] = done ? json::value(json::string(seconds_text(run.wall_ms))) : nullptr;
  all["memory"] = done ? json::value(run.memory_kb) : nullptr;
  all["exit_code"] = done ? optional_int(run.exit_code) : nullptr;
  all["exit_signal"] = done ? optional_int(run.signal) : nullptr;
  all["finished_at"] = run.finished_at
                           ? json::value(json::string(core::to_rfc3339(*run.finished_at)))
                           : json::value(nullptr);
}

/// Every field we answer, before ?fields= picks.
std::optional<json::object> all_fields(const submission::Submission& stored,
                                       const result::RunResult& run, bool base64,
                                       std::optional<int> language_id) {
  json::object all;
  const std::pair<std::string_view, std::string_view> outputs[] = {
      {"source_code", stored.code},
      {"stdin", stored.stdin_data},
      {"stdout", run.stdout_data},
      {"stderr", run.stderr_data},
      {"compile_output", run.compile_output}};
  for (const auto& [name, bytes] : outputs) {
    auto value = output_value(bytes, base64);
    if (!value) return std::nullopt;
    all[name] = std::move(*value);
  }
  all["token"] = stored.id;
  all["language_id"] = optional_int(language_id);
  auto expected = output_value(stored.expected_stdout.value_or(""), base64);
  if (!expected) return std::nullopt;
  all["expected_output"] = std::move(*expected);
  all["status"] = judge0_status(run);
  all["status_id"] = all["status"].at("id");
  all["message"] = run_message(run);
  all["cpu_time_limit"] = optional_seconds(stored.limits.cpu_ms);
  all["wall_time_limit"] = optional_seconds(stored.limits.wall_ms);
  all["memory_limit"] = optional_int(stored.limits.memory_kb);
  all["created_at"] = core::to_rfc3339(stored.created_at);
  add_measurements(all, run);
  return all;
}

}  // namespace

bool Judge0Fields::wants(std::string_view name) const {
  return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<json::object> encode_judge0_submission(const submission::Submission& stored,
                                                     const result::RunResult& run,
                                                     const Judge0Fields& fields,
                                                     std::optional<int> language_id) {
  auto all = all_fields(stored, run, fields.base64, language_id);
  if (!all || fields.names.empty()) return all;
  json::object chosen;
  for (const std::string& name : fields.names) {
    if (const json::value* value = all->if_contains(name)) chosen[name] = *value;
  }
  return chosen;
}

}  // namespace ide::http
