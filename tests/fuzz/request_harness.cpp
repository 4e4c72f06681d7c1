#include "request_harness.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "http/codec.hpp"
#include "http/dispatch.hpp"
#include "http/errors.hpp"
#include "http/routes.hpp"
#include "access/module.hpp"
#include "problem/module.hpp"
#include "submission/module.hpp"
#include "support/fakes/fake_result_service.hpp"
#include "support/fakes/in_memory_url_service.hpp"

namespace ide::test {

namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

constexpr int kMaxExchanges = 4;
// A fresh data dir (and fresh fakes, whose records grow) every so many inputs bounds the disk
// and memory a long fuzzing run uses.
constexpr int kInputsPerWorld = 500;
constexpr std::string_view kIdPlaceholder = "@ID@";
constexpr std::string_view kSlugPlaceholder = "@SLUG@";
const http::IpAddress kPeer = boost::asio::ip::make_address_v4("192.0.2.1");
// The dictionary holds it, so inputs reach the problem routes' writes too.
constexpr std::string_view kFuzzAdminToken = "fuzz-admin-token-0123456789";

[[noreturn]] void broken(std::string_view rule, const http::Response& response) {
  const std::string_view body(response.body.data(),
                              std::min<std::size_t>(response.body.size(), 600));
  std::fprintf(stderr, "request path broke a rule: %.*s\n  answer: %u %.*s\n",
               static_cast<int>(rule.size()), rule.data(), static_cast<unsigned>(response.status),
               static_cast<int>(body.size()), body.data());
  std::abort();
}

void require(bool ok, std::string_view rule, const http::Response& response) {
  if (!ok) broken(rule, response);
}

/// A temporary directory under $IDE_FUZZ_TMPDIR, else on tmpfs when there is one: the submission
/// store syncs every commit, which on a disk would make each input cost a flush. A crash skips
/// the destructor, so scripts/test.sh points IDE_FUZZ_TMPDIR into a directory it removes.
class DataDir {
 public:
  DataDir() {
    std::filesystem::path base = "/dev/shm";
    if (const char* chosen = std::getenv("IDE_FUZZ_TMPDIR"); chosen != nullptr && *chosen) {
      base = chosen;
    } else if (!std::filesystem::is_directory(base) || ::access(base.c_str(), W_OK) != 0) {
      base = std::filesystem::temp_directory_path();
    }
    std::string pattern = (base / "ide-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    path_ = pattern;
  }
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  ~DataDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Well-formed (22 base64url characters) and predictable, so a crash replays the same way.
class CountingIdGenerator final : public core::IdGenerator {
 public:
  std::string new_id() override { return fmt::format("fuzz{:018d}", ++next_); }

 private:
  std::atomic<long long> next_{0};
};

/// Everything behind the router: the real submission, problem and access modules on their own
/// SQLite files, fakes for the result module (two languages, nothing runs) and the url module.
struct World {
  World() {
    config.data_dir = dir.path();
    auto made =
        submission::make_submission_service({.data_dir = config.data_dir}, results, clock, ids);
    if (!made) {
      std::fprintf(stderr, "cannot open the submission module: %s\n", made.error().message.c_str());
      std::abort();
    }
    submissions = std::move(*made);
    auto made_problems = problem::make_problem_service({.data_dir = config.data_dir}, clock, ids);
    if (!made_problems) {
      std::fprintf(stderr, "cannot open the problem module: %s\n",
                   made_problems.error().message.c_str());
      std::abort();
    }
    problems = std::move(*made_problems);
    auto made_access = access::make_access_service({.data_dir = config.data_dir}, clock, ids);
    if (!made_access) {
      std::fprintf(stderr, "cannot open the access module: %s\n",
                   made_access.error().message.c_str());
      std::abort();
    }
    access = std::move(*made_access);
    urls = std::make_unique<InMemoryUrlService>(*submissions);
    views = std::make_unique<compose::SubmissionViews>(*submissions, results, *urls);
    http::add_all_routes(router, {.submissions = *submissions,
                                  .results = results,
                                  .urls = *urls,
                                  .problems = *problems,
                                  .views = *views,
                                  .client_jobs = client_jobs,
                                  .result_cache = result_cache,
                                  .base_url = "",
                                  .limits = config.limits,
                                  .admin_tokens = {std::string(kFuzzAdminToken)},
                                  .access = access.get()});
  }

  DataDir dir;
  core::Config config;
  FakeResultService results{{{"python", "Python", "3.11.2"}, {"c", "C", "12.2.0"}}};
  // The fake answers "queued" at once, as a stopping module does, so no place stays taken and
  // no input is refused for what an earlier one submitted.
  http::ClientJobLimit client_jobs{results, config.max_queued_per_client};
  http::ResultCache result_cache{config.result_cache_bytes};
  // The harness's peer is a trusted proxy, so X-Forwarded-For in an input is parsed.
  http::AddressSet trusted_proxies = *http::AddressSet::parse({"192.0.2.0/24"});
  core::SystemClock clock;
  CountingIdGenerator ids;
  std::unique_ptr<submission::SubmissionService> submissions;
  std::unique_ptr<problem::ProblemService> problems;
  std::unique_ptr<access::AccessService> access;
  std::unique_ptr<InMemoryUrlService> urls;
  std::unique_ptr<compose::SubmissionViews> views;
  http::Router router;
  int inputs = 0;
};

World& world() {
  static std::unique_ptr<World> current;
  if (!current || current->inputs >= kInputsPerWorld) {
    current.reset();
    core::log::set_level(core::log::Level::error);
    current = std::make_unique<World>();
  }
  ++current->inputs;
  return *current;
}

/// Completes an exchange on the calling thread: blocking work runs at once, in place.
class SyncChannel final : public http::Reply::Channel {
 public:
  void send(http::Response response) override {
    if (!response_) response_ = std::move(response);
  }
  void post_blocking(std::function<void()> task) override { task(); }
  std::optional<http::Response>& response() { return response_; }

 private:
  std::optional<http::Response> response_;
};

/// Feeds `rest` to `parser` the way Beast's read does from a socket, consuming what it used; the
/// end of `rest` is the client closing the connection.
void read_message(http::RequestParser& parser, std::string_view& rest,
                  boost::system::error_code& ec) {
  parser.eager(true);
  while (!parser.is_done()) {
    std::size_t used = 0;
    if (!rest.empty()) {
      used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
      } else if (ec) {
        return;
      }
    }
    if (used > 0) continue;
    if (!parser.got_some()) {
      ec = bhttp::error::end_of_stream;
      return;
    }
    parser.put_eof(ec);
    if (!ec && !parser.is_done()) ec = bhttp::error::partial_message;
    return;
  }
}

std::optional<core::ErrorCode> error_code_named(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(core::ErrorCode::internal); ++i) {
    const auto code = static_cast<core::ErrorCode>(i);
    if (core::to_string(code) == name) return code;
  }
  return std::nullopt;
}

bool is_expected_status(unsigned status) {
  // 401: a problem write or class route without the admin token; 204: a problem deleted or a
  // class token revoked; 426: a plain request to the stream route, which is a WebSocket.
  static constexpr std::array<unsigned, 12> kExpected = {200, 201, 202, 204, 400, 401,
                                                         404, 405, 413, 422, 426, 431};
  return std::find(kExpected.begin(), kExpected.end(), status) != kExpected.end();
}

/// A JSON answer's body, which must be UTF-8 and parse.
json::value parsed_body(const http::Response& response) {
  require(core::json::is_valid_utf8(response.body), "a JSON body is UTF-8", response);
  boost::system::error_code ec;
  json::value body = json::parse(response.body, ec);
  require(!ec, "a JSON body parses", response);
  return body;
}

/// Whether `route` belongs to a peer's API we speak (Piston's, Judge0's), whose error shapes
/// are its own.
bool is_foreign_api(const http::Route* route) {
  if (route == nullptr) return false;
  const std::string_view pattern = route->pattern;
  return pattern.starts_with("/api/v2/") || pattern.starts_with("/languages") ||
         pattern.starts_with("/statuses") || pattern.starts_with("/submissions") ||
         pattern == "/authenticate";
}

/// A foreign API's answer: JSON, UTF-8; an error is an object saying something; a 503 only
/// because the fake result module answers as a stopping one does.
json::value check_foreign_answer(const http::Response& response) {
  const auto status = static_cast<unsigned>(response.status);
  require(status == 503 || is_expected_status(status), "a foreign API answers a known status",
          response);
  require(response.content_type == http::kJsonType, "a foreign API answers JSON", response);
  json::value body = parsed_body(response);
  if (status >= 400) {
    const json::object* object = body.if_object();
    require(object != nullptr && !object->empty(), "a foreign API's error is an object",
            response);
  }
  return body;
}

/// The rules every answer follows; returns its JSON body (null for a page).
json::value check_answer(const http::Response& response) {
  const auto status = static_cast<unsigned>(response.status);
  // Storage is a healthy tmpfs and nothing is overloaded: a 5xx here is a bug.
  require(is_expected_status(status), "the status is one the API answers to a client's input",
          response);
  if (status == 204) {
    require(response.body.empty(), "a 204 has no body", response);
    return nullptr;
  }
  if (response.content_type != http::kJsonType) {
    require(status == 200 && !response.content_type.empty(),
            "only a successful page or asset is not JSON", response);
    return nullptr;
  }
  json::value body = parsed_body(response);
  if (status >= 400) {
    const json::object* object = body.if_object();
    const json::value* error = object ? object->if_contains("error") : nullptr;
    const json::object* fields = error ? error->if_object() : nullptr;
    require(fields != nullptr && object->size() == 1, "an error body is {\"error\": {...}}",
            response);
    const json::value* code = fields->if_contains("code");
    const json::value* message = fields->if_contains("message");
    require(code && code->is_string() && message && message->is_string() &&
                !message->as_string().empty(),
            "an error has a code and a message", response);
    const auto known = error_code_named(code->as_string());
    require(known.has_value(), "the error code is one of core::ErrorCode", response);
    const bool transport_status = status == 405 || status == 431;
    require(transport_status ? *known == core::ErrorCode::invalid_argument
                             : http::status_for(*known) == response.status,
            "the status is the one its error code maps to", response);
  }
  if (status == 405) {
    const bool has_allow = std::any_of(
        response.headers.begin(), response.headers.end(),
        [](const auto& header) { return header.first == "Allow" && !header.second.empty(); });
    require(has_allow, "a 405 says which methods are allowed", response);
  }
  return body;
}

/// A 202 means the submission is stored byte-exact and handed to the result module.
void check_accepted(World& world, std::string_view request_body, const json::value& body,
                    const http::Response& response) {
  const json::object* object = body.if_object();
  const json::value* id = object ? object->if_contains("id") : nullptr;
  require(id && id->is_string() && core::is_well_formed_id(id->as_string()),
          "a 202 carries a well-formed id", response);
  const std::string submission_id(id->as_string());
  auto sent = http::decode_new_submission(request_body);
  require(sent.has_value(), "a 202 answers a body the decoder accepts", response);
  auto stored = world.submissions->get(submission_id);
  require(stored.has_value(), "an accepted submission can be read back", response);
  require(stored->language == sent->language && stored->code == sent->code &&
              stored->stdin_data == sent->stdin_data &&
              stored->limits.cpu_ms == sent->limits.cpu_ms &&
              stored->limits.wall_ms == sent->limits.wall_ms &&
              stored->limits.memory_kb == sent->limits.memory_kb,
          "an accepted submission is stored byte-exact", response);
  require(world.results.was_enqueued(submission_id),
          "an accepted submission is handed to the result module", response);
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// The string field `name` of a JSON object, if there is one.
std::optional<std::string> string_field(const json::value& body, std::string_view name) {
  const json::object* object = body.if_object();
  const json::value* field = object ? object->if_contains(name) : nullptr;
  if (field == nullptr || !field->is_string()) return std::nullopt;
  return std::string(field->as_string());
}

}  // namespace

std::vector<unsigned> run_request_bytes(std::string_view bytes) {
  World& w = world();
  std::vector<unsigned> statuses;
  std::string input(bytes);
  std::string_view rest = input;
  std::string last_id;
  std::string last_slug;
  for (int exchange = 0; exchange < kMaxExchanges && !rest.empty(); ++exchange) {
    http::RequestParser parser;
    http::apply_limits(parser, kFuzzMaxHeaderBytes, kFuzzMaxBodyBytes);
    boost::system::error_code ec;
    read_message(parser, rest, ec);
    const unsigned version = parser.is_header_done() ? parser.get().version() : 11;

    http::Response response;
    bool keep_alive = false;
    if (ec) {
      // Unreadable: the server answers (or not, when the client is gone) and closes.
      auto answer = http::read_error_response(ec, kFuzzMaxBodyBytes);
      if (!answer) break;
      response = std::move(*answer);
      check_answer(response);
    } else {
      keep_alive = parser.get().keep_alive();
      const std::string request_body = parser.get().body();
      const bool is_post = parser.get().method() == bhttp::verb::post;
      http::RoutedRequest routed =
          http::route_request(w.router, parser.release(), kPeer, w.trusted_proxies,
                              "127.0.0.1:8080");
      if (routed.answer) {
        response = std::move(*routed.answer);
      } else {
        auto channel = std::make_shared<SyncChannel>();
        http::invoke_handler(*routed.route, std::move(routed.request), http::Reply(channel));
        require(channel->response().has_value(), "every handler answers", response);
        response = std::move(*channel->response());
      }
      const json::value body = is_foreign_api(routed.route) ? check_foreign_answer(response)
                                                             : check_answer(response);
      const bool is_submit = routed.route && routed.route->pattern == "/api/v1/submissions";
      if (response.status == http::Status::accepted) {
        require(is_submit, "only submitCode answers 202", response);
        check_accepted(w, request_body, body, response);
        last_id = *string_field(body, "id");
      }
      if (is_post &&
          (response.status == http::Status::created || response.status == http::Status::ok)) {
        if (auto slug = string_field(body, "slug")) last_slug = *slug;
      }
      // A created problem's or class's id stands for @ID@ from then on, as a submission's does.
      if (response.status == http::Status::created && routed.route &&
          (routed.route->pattern == "/api/v1/problems" ||
           routed.route->pattern == "/api/v1/classes")) {
        last_id = *string_field(body, "id");
      }
    }
    statuses.push_back(static_cast<unsigned>(response.status));

    // What goes on the wire must serialise.
    std::ostringstream wire;
    wire << http::to_message(std::move(response), version, keep_alive);
    if (wire.str().empty()) std::abort();

    if (!keep_alive) break;
    // Placeholders stay as they are until there is something to put in their place.
    std::string next(rest);
    if (!last_id.empty()) next = replace_all(std::move(next), kIdPlaceholder, last_id);
    if (!last_slug.empty()) next = replace_all(std::move(next), kSlugPlaceholder, last_slug);
    input = std::move(next);
    rest = input;
  }
  return statuses;
}

}  // namespace ide::test
