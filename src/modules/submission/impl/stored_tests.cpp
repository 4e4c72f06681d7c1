#include "stored_tests.hpp"

#include <cstdint>
#include <stdexcept>

#include <boost/json.hpp>

#include "core/json.hpp"

namespace ide::submission {

namespace json = boost::json;

namespace {

json::object case_to_json(const core::TestCase& test) {
  json::object object{{"name", test.name},
                      {"stdin", core::json::bytes_to_json(test.stdin_data)},
                      {"expected_stdout", core::json::bytes_to_json(test.expected_stdout)}};
  if (test.cpu_ms) object["cpu_ms"] = *test.cpu_ms;
  if (test.wall_ms) object["wall_ms"] = *test.wall_ms;
  return object;
}

std::optional<std::int64_t> optional_limit(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  return value->to_number<std::int64_t>();
}

core::TestCase case_from_json(const json::value& value) {
  const json::object& object = value.as_object();
  return {.name = std::string(object.at("name").as_string()),
          .stdin_data = core::json::bytes_from_json(object.at("stdin")),
          .expected_stdout = core::json::bytes_from_json(object.at("expected_stdout")),
          .cpu_ms = optional_limit(object, "cpu_ms"),
          .wall_ms = optional_limit(object, "wall_ms")};
}

core::Comparison compare_from_json(const json::value& value) {
  const json::object& object = value.as_object();
  const std::optional<core::CompareMode> mode =
      core::compare_mode_from(object.at("mode").as_string());
  if (!mode) throw std::runtime_error("a stored compare mode is unknown");
  return {.mode = *mode, .epsilon = object.at("epsilon").to_number<double>()};
}

}  // namespace

std::optional<std::string> encode_stored_tests(const std::vector<core::TestCase>& tests,
                                               const core::Comparison& compare) {
  if (tests.empty()) return std::nullopt;
  json::array cases;
  for (const core::TestCase& test : tests) cases.emplace_back(case_to_json(test));
  const json::object document{
      {"compare", {{"mode", core::to_string(compare.mode)}, {"epsilon", compare.epsilon}}},
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
    stored.compare = compare_from_json(document.at("compare"));
    for (const json::value& test : document.at("cases").as_array()) {
      stored.tests.push_back(case_from_json(test));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("stored tests are malformed: ") + e.what());
  }
  return stored;
}

}  // namespace ide::submission
