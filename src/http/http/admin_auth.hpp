// Who may write problems and manage class tokens (issue 12): a request whose
// `Authorization: Bearer <token>` names one of the admin_tokens setting. Tokens are compared in
// constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "http/router.hpp"

namespace ide::http {

/// The token of `Authorization: Bearer <token>` (the scheme case-insensitive), "" without one.
std::string_view bearer_token(const Request& request);

/// Whether `request` carries one of `admin_tokens` (never, when there are none).
bool is_admin(const std::vector<std::string>& admin_tokens, const Request& request);

/// nullopt when `request` is an admin's, else the 401 to answer: one that says how to become
/// one, or that managing `managed` ("problems", "class tokens") is off when no admin token is
/// configured.
std::optional<Response> admin_refusal(const std::vector<std::string>& admin_tokens,
                                      const Request& request,
                                      std::string_view managed = "problems");

/// `handler`, answered admin_refusal()'s 401 unless an admin sent the request.
Handler admin_only(std::vector<std::string> admin_tokens, Handler handler,
                   std::string managed = "problems");

}  // namespace ide::http
