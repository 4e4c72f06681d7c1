#include "stored_problem.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/json.hpp>

#include "problem/problem_json.hpp"

namespace ide::problem {

namespace json = boost::json;

std::string encode_stored_problem(const ProblemContent& content) {
  return json::serialize(content_to_json(content));
}

ProblemContent decode_stored_problem(std::string_view document) {
  boost::system::error_code ec;
  const json::value value = json::parse(document, ec);
  if (ec || !value.is_object()) throw std::runtime_error("a stored problem is not a JSON object");
  try {
    return content_from_json(value);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("a stored problem is malformed: ") + e.what());
  }
}

StoredContent::StoredContent(const ProblemContent& content)
    : hidden_tests(std::count_if(content.tests.begin(), content.tests.end(),
                                 [](const core::TestCase& test) { return test.hidden; })),
      document(encode_stored_problem(content)) {
  visible_tests = static_cast<std::int64_t>(content.tests.size()) - hidden_tests;
}

}  // namespace ide::problem
