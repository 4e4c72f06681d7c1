// Maps a method and a path to a handler: exact segments, {name} segments, and a trailing "*"
// for everything below a prefix. Knows 404 from 405 (and which methods to put in Allow).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace ide::http {

struct RouteOptions {
  /// Runs on the blocking pool (it calls into a module). false: runs on the connection's I/O
  /// strand, for handlers that only touch memory.
  bool blocking = true;
  /// Creates new work (a submit): refused with 503 shutting_down once the server drains, and
  /// counted by the per-client rate limit.
  bool new_work = false;
  /// Served to anyone whatever anonymous_access says (members.hpp): languages, health, metrics.
  bool always_public = false;
};

struct Route {
  Verb method = Verb::get;
  std::string pattern;
  std::vector<std::string> segments;  // "{id}" binds a parameter; a last "*" binds the rest
  Handler handler;
  RouteOptions options;
};

class Router {
 public:
  /// Registers `handler` for `method` on `pattern`, e.g. "/api/v1/submissions/{id}/result".
  void add(Verb method, std::string_view pattern, Handler handler, RouteOptions options = {});

  struct Match {
    enum class Kind { found, method_not_allowed, not_found };
    Kind kind = Kind::not_found;
    const Route* route = nullptr;                           // when found
    std::map<std::string, std::string, std::less<>> params;  // when found
    std::string allow;  // when method_not_allowed: e.g. "GET, POST"
  };

  /// The route for `method` on the path made of the decoded `segments` ("/" has none).
  Match match(Verb method, const std::vector<std::string>& segments) const;

  const std::vector<Route>& routes() const { return routes_; }

  /// Replaces each route's handler with what `wrap` makes of it (the route, its handler).
  void wrap_handlers(const std::function<Handler(const Route&, Handler)>& wrap);

 private:
  std::vector<Route> routes_;
};

}  // namespace ide::http
