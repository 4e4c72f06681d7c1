// Cross-origin access (CORS), for pages of other sites that call the API from the browser: off
// unless origins are configured (cors_origins). Only the answers change; what a request may do
// does not, since nothing here relies on cookies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace ide::http {

class CorsPolicy {
 public:
  /// `origins`: exact origins ("https://lms.example.edu") or "*" for any; empty: CORS off.
  explicit CorsPolicy(std::vector<std::string> origins = {});

  bool enabled() const { return !origins_.empty(); }

  /// Adds the CORS headers of an answer to a request from `origin` (the Origin header, "" when
  /// absent): nothing when CORS is off, the origin is not allowed or none was sent. A preflight
  /// (an OPTIONS answer whose Allow lists the path's methods) also gets the methods, the request
  /// headers a page may send and how long a browser may cache the answer.
  void decorate(Response& response, std::string_view origin, bool preflight) const;

 private:
  bool allows(std::string_view origin) const;

  std::vector<std::string> origins_;
};

}  // namespace ide::http
