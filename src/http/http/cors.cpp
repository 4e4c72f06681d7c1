#include "http/cors.hpp"

#include <algorithm>

namespace ide::http {

namespace {

// What a page sends beyond the CORS-safelisted headers: JSON bodies, conditional reads, tokens.
constexpr std::string_view kAllowedHeaders =
    "Content-Type, If-None-Match, Authorization, X-Auth-Token";
// What a page may read beyond the safelisted response headers.
constexpr std::string_view kExposedHeaders = "ETag, Retry-After, Location";

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

bool CorsPolicy::allows(std::string_view origin) const {
  return std::any_of(origins_.begin(), origins_.end(), [&](const std::string& allowed) {
    return allowed == "*" || allowed == origin;
  });
}

void CorsPolicy::decorate(Response& response, std::string_view origin, bool preflight) const {
  if (origin.empty() || !allows(origin)) return;
  const bool any = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
  response.headers.emplace_back("Access-Control-Allow-Origin", any ? "*" : std::string(origin));
  // The answer differs by Origin unless every origin gets the same one.
  if (!any) add_vary(response, "Origin");
  if (!preflight) {
    response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposedHeaders));
    return;
  }
  const std::string* allow = find_header(response, "Allow");
  response.headers.emplace_back("Access-Control-Allow-Methods", allow ? *allow : std::string());
  response.headers.emplace_back("Access-Control-Allow-Headers", std::string(kAllowedHeaders));
  response.headers.emplace_back("Access-Control-Max-Age", "600");
}

}  // namespace ide::http
