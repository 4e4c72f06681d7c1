// JSON codecs between the HTTP API (SPEC section 3) and the modules' plain data types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"

namespace ide::http {

inline constexpr std::string_view kQueuedMessage = "Your submission is in queue.";
inline constexpr std::string_view kRunningMessage = "Your submission is running.";

/// `limits` ({"cpu_ms"?, "wall_ms"?, "memory_kb"?}, absent: none) of a submit or problem body.
/// Errors: invalid_argument naming the field ("limits.cpu_ms").
core::Result<core::RequestedLimits> decode_limits(const boost::json::object& body);

/// {"cpu_ms", "wall_ms", "memory_kb"}, each null when not set.
boost::json::object encode_limits(const core::RequestedLimits& limits);

/// `text` as a JSON string, or null when empty (how optional ids and labels are shown).
boost::json::value string_or_null(std::string_view text);

/// The body of POST /api/v1/submissions: {"language", "code", "stdin"?, "limits"?: {"cpu_ms"?,
/// "wall_ms"?, "memory_kb"?}, "args"?: [string], "expected_stdout"?, "tests"?, "compare"?
/// (tests_codec.hpp), "problem_id"?, "interactive"?}. Errors: invalid_argument naming the field
/// (or the body when it is not UTF-8, not JSON or not an object). Range checks are the
/// submission module's.
core::Result<submission::NewSubmission> decode_new_submission(std::string_view body);

/// GET /api/v1/submissions/{id}: id, language, code, stdin, created_at, limits, args,
/// expected_stdout (null when none), tests and compare when it has tests, problem_id (null
/// when none).
boost::json::object encode_submission(const submission::Submission& submission);

struct ResultEncoding {
  /// stdout, stderr, compile_output (and each test's stdout) as standard base64 whatever they
  /// hold. Otherwise they are
  /// base64 only when one is not UTF-8 or their JSON strings would be longer than base64 (mostly
  /// control bytes), so they cost at most 4/3 of their bytes either way. "encoding" says which:
  /// "text" or "base64".
  bool base64 = false;
  /// false for the share view, which never reveals the submission id.
  bool include_id = true;
};

/// A result as getResult answers it: {"id","status","message"} while queued or running, all of
/// SPEC section 3's fields once done, with "tests" and "summary" when it ran tests.
boost::json::object encode_result(const result::RunResult& run, ResultEncoding encoding);

/// GET /api/v1/shares/{slug}: the submission and its result (or null), without the id.
boost::json::object encode_share(std::string_view slug, const submission::Submission& submission,
                                 const std::optional<result::RunResult>& run, bool base64);

/// GET /api/v1/languages.
boost::json::array encode_languages(const std::vector<result::Language>& languages);
/// {"queued", "oldest_queued_age_ms" (null when none), "live_leases", "expired_leases"}.
boost::json::object encode_queue_stats(const result::QueueStats& stats);

std::string_view status_name(result::Status status);
std::string_view verdict_name(result::Verdict verdict);

/// "Exited with error status 1": how Piston and Judge0 describe a non-zero exit.
std::string exit_status_message(int exit_code);

/// The length of the base64 of `bytes` bytes, padding included: 4 per 3 rounded up.
std::size_t base64_encoded_size(std::size_t bytes);
/// The length of `text` (valid UTF-8) as Boost.JSON serialises it in a string, quotes excluded.
std::size_t json_text_size(std::string_view text);

/// Standard base64 (RFC 4648 section 4) with padding.
std::string base64_encode(std::string_view bytes);
/// Decodes standard base64 with or without padding; nullopt when `text` is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ide::http
