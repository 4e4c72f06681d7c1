#include "http/admin_auth.hpp"

#include <algorithm>
#include <utility>

#include <boost/algorithm/string/predicate.hpp>
#include <fmt/format.h>

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
                                      const Request& request, std::string_view managed) {
  if (is_admin(admin_tokens, request)) return std::nullopt;
  return error_response(
      {core::ErrorCode::unauthorized,
       admin_tokens.empty()
           ? fmt::format("Managing {} is off on this server: set admin_tokens to allow it.",
                         managed)
           : fmt::format("Managing {} needs an admin token: send Authorization: Bearer <token>.",
                         managed)});
}

Handler admin_only(std::vector<std::string> admin_tokens, Handler handler,
                   std::string managed) {
  return [tokens = std::move(admin_tokens), handler = std::move(handler),
          managed = std::move(managed)](Request request, Reply reply) {
    if (auto refusal = admin_refusal(tokens, request, managed)) {
      return reply.send(std::move(*refusal));
    }
    handler(std::move(request), std::move(reply));
  };
}

}  // namespace ide::http
