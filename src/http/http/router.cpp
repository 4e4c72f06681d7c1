#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/beast/http/verb.hpp>

namespace ide::http {

namespace {

std::vector<std::string> split_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  std::vector<std::string> segments;
  if (pattern == "/") return segments;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = pattern.find('/', start);
    segments.emplace_back(pattern.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

/// Whether `route` matches `segments`; fills `params` when it does.
bool matches(const Route& route, const std::vector<std::string>& segments,
             std::map<std::string, std::string, std::less<>>& params) {
  params.clear();
  const auto& pattern = route.segments;
  const bool wildcard = !pattern.empty() && pattern.back() == "*";
  const std::size_t fixed = wildcard ? pattern.size() - 1 : pattern.size();
  if (wildcard ? segments.size() <= fixed : segments.size() != fixed) return false;
  for (std::size_t i = 0; i < fixed; ++i) {
    if (is_param(pattern[i])) {
      if (segments[i].empty()) return false;
      params.emplace(pattern[i].substr(1, pattern[i].size() - 2), segments[i]);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  if (wildcard) {
    std::string rest;
    for (std::size_t i = fixed; i < segments.size(); ++i) {
      if (i > fixed) rest += '/';
      rest += segments[i];
    }
    params.emplace("*", std::move(rest));
  }
  return true;
}

}  // namespace

void Router::add(Verb method, std::string_view pattern, Handler handler, RouteOptions options) {
  Route route;
  route.method = method;
  route.pattern = std::string(pattern);
  route.segments = split_pattern(pattern);
  route.handler = std::move(handler);
  route.options = options;
  routes_.push_back(std::move(route));
}

Router::Match Router::match(Verb method, const std::vector<std::string>& segments) const {
  Match result;
  std::vector<std::string> allowed;
  std::map<std::string, std::string, std::less<>> params;
  for (const Route& route : routes_) {
    if (!matches(route, segments, params)) continue;
    // HEAD is GET without the body (the server drops it), wherever GET is served.
    if (route.method == method || (method == Verb::head && route.method == Verb::get)) {
      result.kind = Match::Kind::found;
      result.route = &route;
      result.params = std::move(params);
      return result;
    }
    for (Verb verb : {route.method, route.method == Verb::get ? Verb::head : route.method}) {
      const std::string name(boost::beast::http::to_string(verb));
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        allowed.push_back(name);
      }
    }
  }
  if (!allowed.empty()) allowed.push_back("OPTIONS");
  if (!allowed.empty()) {
    result.kind = Match::Kind::method_not_allowed;
    for (const std::string& name : allowed) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += name;
    }
  }
  return result;
}

void Router::wrap_handlers(const std::function<Handler(const Route&, Handler)>& wrap) {
  for (Route& route : routes_) route.handler = wrap(route, std::move(route.handler));
}

}  // namespace ide::http
