#include "stored_tests.hpp"

#include <stdexcept>

#include <boost/json.hpp>

namespace ide::submission {

namespace json = boost::json;

std::optional<std::string> encode_stored_tests(const std::vector<core::TestCase>& tests,
                                               const core::Comparison& compare) {
  if (tests.empty()) return std::nullopt;
  json::array cases;
  for (const core::TestCase& test : tests) cases.emplace_back(core::test_case_to_json(test));
  const json::object document{{"compare", core::comparison_to_json(compare)},
                              {"cases", std::move(cases)}};
  return json::serialize(document);
}

StoredTests decode_stored_tests(const std::optional<std::string_view>& column) {
  StoredTests stored;
  if (!column) return stored;
  boost::system::error_code ec;
  const json::value value = json::parse(*column, ec);
  if (ec || !value.is_object()) throw std::runtime_error("stored tests are not a JSON object");
  try {
    const json::object& document = value.as_object();
    stored.compare = core::comparison_from_json(document.at("compare"));
    for (const json::value& test : document.at("cases").as_array()) {
      stored.tests.push_back(core::test_case_from_json(test));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("stored tests are malformed: ") + e.what());
  }
  return stored;
}

}  // namespace ide::submission
