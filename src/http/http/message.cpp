#include "http/message.hpp"

#include <boost/algorithm/string/predicate.hpp>

namespace ide::http {

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

namespace {
std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}
std::string_view without_weak(std::string_view tag) {
  return tag.substr(0, 2) == "W/" ? tag.substr(2) : tag;
}
}  // namespace

std::string* find_header(Response& response, std::string_view name) {
  for (auto& [key, value] : response.headers) {
    if (boost::iequals(key, name)) return &value;
  }
  return nullptr;
}

void add_vary(Response& response, std::string_view token) {
  if (std::string* vary = find_header(response, "Vary")) {
    if (vary->find(token) == std::string::npos) *vary += ", " + std::string(token);
    return;
  }
  response.headers.emplace_back("Vary", std::string(token));
}

bool none_match_hits(std::string_view if_none_match, std::string_view etag) {
  if (trimmed(if_none_match) == "*") return true;
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    if (without_weak(trimmed(if_none_match.substr(0, comma))) == without_weak(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace ide::http
