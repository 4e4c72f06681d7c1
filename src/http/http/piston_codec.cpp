#include "http/piston_codec.hpp"

#include <string.h>  // sigabbrev_np

#include <algorithm>
#include <array>
#include <cmath>

#include <boost/algorithm/hex.hpp>
#include <boost/json.hpp>

#include "core/json.hpp"
#include "http/codec.hpp"

namespace ide::http::piston {

namespace json = boost::json;

namespace {

core::Error bad_request(std::string message) {
  return {core::ErrorCode::invalid_argument, std::move(message)};
}

core::Result<std::string> decode_content(const json::object& file, std::size_t index) {
  const json::value* content = file.if_contains("content");
  if (content == nullptr || !content->is_string()) {
    return core::Unexpected(
        bad_request("files[" + std::to_string(index) + "].content is required as a string"));
  }
  const std::string_view text = content->get_string();
  const json::value* encoding = file.if_contains("encoding");
  const std::string_view scheme =
      encoding != nullptr && encoding->is_string() ? std::string_view(encoding->get_string())
                                                   : "utf8";
  if (scheme == "utf8") return std::string(text);
  if (scheme == "base64") {
    if (auto bytes = base64_decode(text)) return std::move(*bytes);
  } else if (scheme == "hex") {
    try {
      return boost::algorithm::unhex(std::string(text));
    } catch (const std::exception&) {
      // answered below
    }
  } else {
    return core::Unexpected(bad_request("files[" + std::to_string(index) +
                                        "].encoding must be one of utf8, base64 or hex"));
  }
  return core::Unexpected(bad_request("files[" + std::to_string(index) + "].content is not " +
                                      std::string(scheme)));
}

/// The one file we run: Piston writes every file into the job and runs the first.
core::Result<std::string> decode_files(const json::object& body) {
  const json::value* files = body.if_contains("files");
  if (files == nullptr || !files->is_array()) {
    return core::Unexpected(bad_request("files is required as an array"));
  }
  const json::array& list = files->get_array();
  if (list.empty()) return core::Unexpected(bad_request("files must hold one file"));
  if (list.size() > 1) {
    return core::Unexpected(bad_request("ide runs one file per job; this request has " +
                                        std::to_string(list.size())));
  }
  if (!list[0].is_object()) return core::Unexpected(bad_request("files[0] must be an object"));
  return decode_content(list[0].get_object(), 0);
}

/// A limit field: nullopt when absent, null, -1 or 0 (Piston's "no limit": our default).
core::Result<std::optional<double>> limit_field(const json::object& body, std::string_view name) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::optional<double>();
  if (!value->is_number()) {
    return core::Unexpected(
        bad_request("If specified, " + std::string(name) + " must be a number"));
  }
  const double number = value->to_number<double>();
  if (!(number > 0)) return std::optional<double>();
  return std::optional<double>(number);
}

std::optional<std::int64_t> clamped(std::optional<double> value, double scale,
                                    std::int64_t maximum) {
  if (!value) return std::nullopt;
  const double scaled = std::ceil(*value * scale);
  return static_cast<std::int64_t>(std::clamp(scaled, 1.0, static_cast<double>(maximum)));
}

core::Result<core::RequestedLimits> decode_limits(const json::object& body,
                                                  const core::LimitSettings& maxima) {
  for (std::string_view name : {"compile_timeout", "compile_cpu_time", "compile_memory_limit"}) {
    if (auto checked = limit_field(body, name); !checked) return core::Unexpected(checked.error());
  }
  auto wall = limit_field(body, "run_timeout");
  if (!wall) return core::Unexpected(wall.error());
  auto cpu = limit_field(body, "run_cpu_time");
  if (!cpu) return core::Unexpected(cpu.error());
  auto memory = limit_field(body, "run_memory_limit");
  if (!memory) return core::Unexpected(memory.error());
  return core::RequestedLimits{.cpu_ms = clamped(*cpu, 1.0, maxima.max_cpu_ms),
                               .wall_ms = clamped(*wall, 1.0, maxima.max_wall_ms),
                               .memory_kb = clamped(*memory, 1.0 / 1024, maxima.max_memory_kb)};
}

core::Result<std::string> required_piston_string(const json::object& body,
                                                 std::string_view name) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || !value->is_string() || value->get_string().empty()) {
    return core::Unexpected(bad_request(std::string(name) + " is required as a string"));
  }
  return std::string(value->get_string());
}

core::Result<std::string> optional_piston_string(const json::object& body,
                                                 std::string_view name) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) {
    return core::Unexpected(bad_request(std::string(name) + " must be a string"));
  }
  return std::string(value->get_string());
}

/// Piston passes args as strings; clients also send numbers, which become their JSON text.
core::Result<std::vector<std::string>> decode_args(const json::object& body) {
  std::vector<std::string> args;
  const json::value* value = body.if_contains("args");
  if (value == nullptr || value->is_null()) return args;
  if (!value->is_array()) return core::Unexpected(bad_request("args must be an array"));
  for (const json::value& arg : value->get_array()) {
    if (arg.is_string()) {
      args.emplace_back(arg.get_string());
    } else if (arg.is_number()) {
      args.push_back(json::serialize(arg));
    } else {
      return core::Unexpected(bad_request("args must be an array of strings"));
    }
  }
  return args;
}

json::value signal_name(std::optional<int> signal) {
  if (!signal) return nullptr;
  const char* abbreviation = sigabbrev_np(*signal);
  if (abbreviation == nullptr) return json::value(*signal);
  return json::value(std::string("SIG") + abbreviation);
}

struct StageStatus {
  json::value status;   // Piston's two letters, null when the stage went well
  json::value message;  // what went wrong, null when nothing did
  json::value signal;
};

StageStatus run_status(const result::RunResult& run) {
  using result::Verdict;
  const json::value killed = "SIGKILL";
  switch (run.verdict) {
    case Verdict::ok:
    case Verdict::wrong_answer:
    case Verdict::compile_error:
      return {nullptr, nullptr, signal_name(run.signal)};
    case Verdict::runtime_error:
      if (run.signal) return {"SG", "Caught fatal signal", signal_name(run.signal)};
      return {"RE", json::string(exit_status_message(run.exit_code.value_or(1))), nullptr};
    case Verdict::time_limit_exceeded:
      return {"TO", "Time limit exceeded", killed};
    case Verdict::memory_limit_exceeded:
      return {"SG", "Memory limit exceeded", killed};
    case Verdict::output_limit_exceeded:
      if (run.stderr_truncated && !run.stdout_truncated) {
        return {"EL", "stderr length exceeded", killed};
      }
      return {"OL", "stdout length exceeded", killed};
    case Verdict::internal_error:
      return {"XX", json::string(core::json::to_json_string_lossy(run.stderr_data)), nullptr};
  }
  return {"XX", "unknown verdict", nullptr};
}

json::object run_stage(const result::RunResult& run) {
  StageStatus status = run_status(run);
  json::value code = nullptr;
  if (run.exit_code && status.signal.is_null()) code = *run.exit_code;
  return {{"stdout", core::json::to_json_string_lossy(run.stdout_data)},
          {"stderr", core::json::to_json_string_lossy(run.stderr_data)},
          // We keep the two streams apart, so "in order of data" is stdout, then stderr.
          {"output", core::json::to_json_string_lossy(run.stdout_data + run.stderr_data)},
          {"code", std::move(code)},
          {"signal", std::move(status.signal)},
          {"message", std::move(status.message)},
          {"status", std::move(status.status)},
          {"cpu_time", run.time_ms},
          {"wall_time", run.wall_ms},
          {"memory", run.memory_kb * 1024}};
}

/// The compiler's output is one stream here: Piston's stdout and output carry it.
json::object compile_stage(const result::RunResult& run) {
  const bool failed = run.verdict == result::Verdict::compile_error;
  json::string output = core::json::to_json_string_lossy(run.compile_output);
  return {{"stdout", output},
          {"stderr", ""},
          {"output", output},
          {"code", failed ? 1 : 0},
          {"signal", nullptr},
          {"message", failed ? json::value("Compilation failed") : json::value(nullptr)},
          {"status", failed ? json::value("RE") : json::value(nullptr)},
          {"cpu_time", nullptr},
          {"wall_time", nullptr},
          {"memory", nullptr}};
}

}  // namespace

core::Result<ExecuteRequest> decode_execute(std::string_view body,
                                            const core::LimitSettings& maxima) {
  auto object = core::json::parse_object(body);
  if (!object) return core::Unexpected(object.error());
  auto language = required_piston_string(*object, "language");
  if (!language) return core::Unexpected(language.error());
  auto version = required_piston_string(*object, "version");
  if (!version) return core::Unexpected(version.error());
  auto code = decode_files(*object);
  if (!code) return core::Unexpected(code.error());
  auto stdin_data = optional_piston_string(*object, "stdin");
  if (!stdin_data) return core::Unexpected(stdin_data.error());
  auto args = decode_args(*object);
  if (!args) return core::Unexpected(args.error());
  auto limits = decode_limits(*object, maxima);
  if (!limits) return core::Unexpected(limits.error());
  ExecuteRequest decoded;
  decoded.request = {.language = std::move(*language),
                     .code = std::move(*code),
                     .stdin_data = std::move(*stdin_data),
                     .limits = *limits,
                     .args = std::move(*args)};
  decoded.version = std::move(*version);
  return decoded;
}

std::optional<result::Language> find_language(const std::vector<result::Language>& served,
                                              std::string_view name) {
  for (const result::Language& language : served) {
    if (language.id == name || std::find(language.aliases.begin(), language.aliases.end(),
                                         name) != language.aliases.end()) {
      return language;
    }
  }
  return std::nullopt;
}

json::array encode_runtimes(const std::vector<result::Language>& served) {
  json::array runtimes;
  for (const result::Language& language : served) {
    json::object runtime{{"language", language.id},
                         {"version", language.version},
                         {"aliases", json::value_from(language.aliases)}};
    if (!language.piston_runtime.empty()) runtime["runtime"] = language.piston_runtime;
    runtimes.push_back(std::move(runtime));
  }
  return runtimes;
}

json::object encode_execute(const result::RunResult& run, const result::Language& language,
                            std::string_view id) {
  json::object answer{{"language", language.id}, {"version", language.version}, {"id", id}};
  if (run.verdict == result::Verdict::compile_error) {
    answer["compile"] = compile_stage(run);
    answer["run"] = answer["compile"];
  } else {
    if (language.compiled) answer["compile"] = compile_stage(run);
    answer["run"] = run_stage(run);
  }
  return answer;
}

}  // namespace ide::http::piston
