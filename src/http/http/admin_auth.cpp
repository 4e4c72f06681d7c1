#include "http/admin_auth.hpp"

#include <algorithm>

#include <boost/algorithm/string/predicate.hpp>

#include "core/ids.hpp"
#include "http/errors.hpp"

namespace ide::http {

std::string_view bearer_token(const Request& request) {
  constexpr std::string_view kScheme = "Bearer ";
  const std::string_view header = request.authorization;
  if (header.size() <= kScheme.size() ||
      !boost::algorithm::iequals(header.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  return header.substr(kScheme.size());
}

bool is_admin(const std::vector<std::string>& admin_tokens, const Request& request) {
  const std::string_view given = bearer_token(request);
  if (given.empty()) return false;
  return std::any_of(admin_tokens.begin(), admin_tokens.end(),
                     [given](const std::string& token) { return core::same_secret(given, token); });
}

std::optional<Response> admin_refusal(const std::vector<std::string>& admin_tokens,
                                      const Request& request) {
  if (is_admin(admin_tokens, request)) return std::nullopt;
  Response refusal = error_response(
      {core::ErrorCode::unauthorized,
       admin_tokens.empty()
           ? "Problems are read-only on this server: set admin_tokens to manage them."
           : "Managing problems needs an admin token: send Authorization: Bearer <token>."});
  refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
  return refusal;
}

}  // namespace ide::http
