// Judge0 CE's shapes (https://ce.judge0.com): its language ids, its fourteen statuses, its
// submission body and the fields of its answers, over our plain data types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "result/result_service.hpp"
#include "submission/submission_service.hpp"

namespace ide::http {

/// GET /languages: [{"id", "name": "Python (3.11.2)"}] for those of `served` with a judge0_id.
boost::json::array encode_judge0_languages(const std::vector<result::Language>& served);

/// GET /statuses: ids 1 to 14 with Judge0's descriptions.
boost::json::array encode_judge0_statuses();

/// {"id", "description"} of `run`: 1 In Queue, 2 Processing, else its verdict's.
boost::json::object judge0_status(const result::RunResult& run);

/// A decoded submission body, or Judge0's field errors: {"language_id": ["..."]}.
struct Judge0Request {
  submission::NewSubmission submission;
  std::optional<std::string> callback_url;  // where to PUT the result once done; not checked
  boost::json::object field_errors;         // empty when `submission` is good
};

/// One submission of POST /submissions (or of its batch). `base64`: source_code, stdin and
/// expected_output are base64. `served` are the languages the server runs.
Judge0Request decode_judge0_submission(const boost::json::value& body, bool base64,
                                       const std::vector<result::Language>& served);

/// "a,,b" -> {"a", "b"}.
std::vector<std::string> split_commas(std::string_view list);

struct Judge0Fields {
  std::vector<std::string> names;  // empty: all of them ("*")
  bool base64 = false;             // stdout, stderr, compile_output (and inputs) as base64

  /// Whether the field `name` is among them.
  bool wants(std::string_view name) const;
};

/// ?fields=a,b (Judge0's default set when absent, all for "*") and ?base64_encoded=.
Judge0Fields judge0_fields(std::optional<std::string_view> fields, bool base64);

/// GET /submissions/{token}: the fields asked for, empty outputs as null, time in seconds as a
/// decimal string; `language_id` is the judge0_id of the submission's language. nullopt when
/// an output is not UTF-8 and `fields` are not base64.
std::optional<boost::json::object> encode_judge0_submission(const submission::Submission& stored,
                                                            const result::RunResult& run,
                                                            const Judge0Fields& fields,
                                                            std::optional<int> language_id);

}  // namespace ide::http
