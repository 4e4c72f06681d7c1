#include "stored_args.hpp"

#include <stdexcept>

#include <boost/json.hpp>

namespace ide::submission {

namespace json = boost::json;

std::optional<std::string> encode_stored_args(const std::vector<std::string>& args) {
  if (args.empty()) return std::nullopt;
  json::array array;
  for (const std::string& arg : args) array.emplace_back(arg);
  return json::serialize(array);
}

std::vector<std::string> decode_stored_args(const std::optional<std::string_view>& column) {
  std::vector<std::string> args;
  if (!column) return args;
  boost::system::error_code ec;
  const json::value value = json::parse(*column, ec);
  if (ec || !value.is_array()) throw std::runtime_error("stored args are not a JSON array");
  for (const json::value& arg : value.as_array()) {
    if (!arg.is_string()) throw std::runtime_error("a stored arg is not a string");
    args.emplace_back(arg.as_string());
  }
  return args;
}

}  // namespace ide::submission
