#include "core/test_cases.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/json.hpp"

namespace ide::core {

namespace bj = boost::json;

namespace {

constexpr std::string_view kWhitespace = " \t\r\n\v\f";
constexpr std::size_t kHintSide = 60;

/// `text` with each line's trailing whitespace and the whole's surrounding whitespace gone.
std::string trimmed_lines(std::string_view text) {
  std::string lines;
  lines.reserve(text.size());
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    const std::size_t last = line.find_last_not_of(kWhitespace);
    if (last != std::string_view::npos) lines.append(line.substr(0, last + 1));
    lines += '\n';
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  const std::size_t first = lines.find_first_not_of(kWhitespace);
  if (first == std::string::npos) return {};
  return lines.substr(first, lines.find_last_not_of(kWhitespace) - first + 1);
}

/// The lines of `text`; one ending in '\n' has an empty last line, so that it differs from one
/// that does not.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  if (text.empty()) return lines;
  while (true) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return lines;
    text.remove_prefix(end + 1);
  }
}

std::vector<std::string_view> tokens_of(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t start = text.find_first_not_of(kWhitespace);
  while (start != std::string_view::npos) {
    const std::size_t end = std::min(text.find_first_of(kWhitespace, start), text.size());
    tokens.push_back(text.substr(start, end - start));
    start = text.find_first_not_of(kWhitespace, end);
  }
  return tokens;
}

std::optional<double> number(std::string_view token) {
  double value = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool same_token(std::string_view actual, std::string_view expected, const Comparison& comparison) {
  if (actual == expected) return true;
  if (comparison.mode != CompareMode::float_tokens) return false;
  const auto a = number(actual);
  const auto e = number(expected);
  return a && e && std::fabs(*a - *e) <= comparison.epsilon * std::max(1.0, std::fabs(*e));
}

/// The units compared: tokens, or lines (of the trimmed text for trim_trailing).
struct Units {
  std::string storage;  // what the views point into, when not the input
  std::vector<std::string_view> items;
};

Units units_of(std::string_view text, const Comparison& comparison) {
  Units units;
  switch (comparison.mode) {
    case CompareMode::exact:
      units.items = lines_of(text);
      break;
    case CompareMode::trim_trailing:
      units.storage = trimmed_lines(text);
      units.items = lines_of(units.storage);
      break;
    case CompareMode::tokens:
    case CompareMode::float_tokens:
      units.items = tokens_of(text);
      break;
  }
  return units;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text.substr(0, kHintSide)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  if (text.size() > kHintSide) out += "...";
  return out + "\"";
}

}  // namespace

std::string_view to_string(CompareMode mode) {
  switch (mode) {
    case CompareMode::exact:
      return "exact";
    case CompareMode::trim_trailing:
      return "trim_trailing";
    case CompareMode::tokens:
      return "tokens";
    case CompareMode::float_tokens:
      return "float";
  }
  return "trim_trailing";
}

std::optional<CompareMode> compare_mode_from(std::string_view name) {
  for (CompareMode mode : {CompareMode::exact, CompareMode::trim_trailing, CompareMode::tokens,
                           CompareMode::float_tokens}) {
    if (to_string(mode) == name) return mode;
  }
  return std::nullopt;
}

bool outputs_match(std::string_view actual, std::string_view expected,
                   const Comparison& comparison) {
  switch (comparison.mode) {
    case CompareMode::exact:
      return actual == expected;
    case CompareMode::trim_trailing:
      return trimmed_lines(actual) == trimmed_lines(expected);
    case CompareMode::tokens:
    case CompareMode::float_tokens:
      break;
  }
  const auto a = tokens_of(actual);
  const auto e = tokens_of(expected);
  return a.size() == e.size() && std::equal(a.begin(), a.end(), e.begin(), [&](auto x, auto y) {
           return same_token(x, y, comparison);
         });
}

std::string difference_hint(std::string_view actual, std::string_view expected,
                            const Comparison& comparison) {
  if (outputs_match(actual, expected, comparison)) return "";
  const Units a = units_of(actual, comparison);
  const Units e = units_of(expected, comparison);
  const bool by_token =
      comparison.mode == CompareMode::tokens || comparison.mode == CompareMode::float_tokens;
  const std::string_view unit = by_token ? "token" : "line";
  for (std::size_t i = 0; i < std::max(a.items.size(), e.items.size()); ++i) {
    const bool has_a = i < a.items.size();
    const bool has_e = i < e.items.size();
    if (has_a && has_e && same_token(a.items[i], e.items[i], comparison)) continue;
    return fmt::format("{} {}: expected {}, got {}", unit, i + 1,
                       has_e ? quoted(e.items[i]) : "end of output",
                       has_a ? quoted(a.items[i]) : "end of output");
  }
  return "the outputs differ";  // not reached: equal units mean matching outputs
}

bj::object test_case_to_json(const TestCase& test) {
  bj::object object{{"stdin", json::bytes_to_json(test.stdin_data)},
                    {"expected_stdout", json::bytes_to_json(test.expected_stdout)}};
  if (!test.name.empty()) object["name"] = test.name;
  if (test.cpu_ms) object["cpu_ms"] = *test.cpu_ms;
  if (test.wall_ms) object["wall_ms"] = *test.wall_ms;
  if (test.hidden) object["hidden"] = true;
  return object;
}

TestCase test_case_from_json(const bj::value& value) {
  const bj::object& object = value.as_object();
  const auto limit = [&object](std::string_view key) -> std::optional<std::int64_t> {
    const bj::value* field = object.if_contains(key);
    if (field == nullptr || field->is_null()) return std::nullopt;
    return field->to_number<std::int64_t>();
  };
  const bj::value* name = object.if_contains("name");
  const bj::value* hidden = object.if_contains("hidden");
  return {.name = name ? std::string(name->as_string()) : std::string(),
          .stdin_data = json::bytes_from_json(object.at("stdin")),
          .expected_stdout = json::bytes_from_json(object.at("expected_stdout")),
          .cpu_ms = limit("cpu_ms"),
          .wall_ms = limit("wall_ms"),
          .hidden = hidden != nullptr && hidden->as_bool()};
}

bj::object comparison_to_json(const Comparison& comparison) {
  return {{"mode", to_string(comparison.mode)}, {"epsilon", comparison.epsilon}};
}

Comparison comparison_from_json(const bj::value& value) {
  const bj::object& object = value.as_object();
  const std::optional<CompareMode> mode = compare_mode_from(object.at("mode").as_string());
  if (!mode) throw std::invalid_argument("unknown compare mode");
  return {.mode = *mode, .epsilon = object.at("epsilon").to_number<double>()};
}

}  // namespace ide::core
