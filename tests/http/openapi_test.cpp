// The OpenAPI document (issue 11, item 3) against the real server over loopback: it is served at
// /api/v1/openapi.json, names exactly the routes `ide serve` registers, and every answer of every
// route (happy paths and each documented error) has a documented status and a body its schema
// accepts. A small JSON Schema validator covers the subset the document uses.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "http/routes.hpp"
#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;
namespace json = boost::json;

namespace {

/// JSON Schema (2020-12) for the keywords the document uses: $ref (local), allOf, oneOf, type
/// (string or array), const, enum, properties, required, additionalProperties: false, items,
/// maxItems, maxLength, minimum, maximum. Anything else is ignored.
class SchemaValidator {
 public:
  explicit SchemaValidator(const json::value& document) : document_(document) {}

  /// `node` with its $ref followed (transitively).
  const json::value& resolve(const json::value& node) const {
    const json::value* at = &node;
    while (at->is_object() && at->as_object().contains("$ref")) {
      const std::string ref(at->at("$ref").as_string());
      REQUIRE(ref.rfind("#/", 0) == 0);
      at = &document_.at_pointer(ref.substr(1));
    }
    return *at;
  }

  /// What is wrong with `value` against `schema` (empty: it conforms), each naming where.
  std::vector<std::string> problems(const json::value& value, const json::value& schema,
                                    const std::string& where = "$") const {
    std::vector<std::string> found;
    check(value, resolve(schema).as_object(), where, found);
    return found;
  }

 private:
  static bool has_type(const json::value& value, std::string_view type) {
    if (type == "null") return value.is_null();
    if (type == "boolean") return value.is_bool();
    if (type == "string") return value.is_string();
    if (type == "array") return value.is_array();
    if (type == "object") return value.is_object();
    if (type == "number") return value.is_number();
    if (type == "integer") return value.is_int64() || value.is_uint64();
    return false;
  }

  static bool type_matches(const json::value& value, const json::value& type) {
    if (type.is_string()) return has_type(value, type.get_string());
    for (const json::value& each : type.as_array()) {
      if (has_type(value, each.as_string())) return true;
    }
    return false;
  }

  void check(const json::value& value, const json::object& schema, const std::string& where,
             std::vector<std::string>& found) const {
    if (const auto* all = schema.if_contains("allOf")) {
      for (const json::value& each : all->as_array()) {
        check(value, resolve(each).as_object(), where, found);
      }
    }
    if (const auto* one = schema.if_contains("oneOf")) check_one_of(value, *one, where, found);
    if (const auto* type = schema.if_contains("type"); type && !type_matches(value, *type)) {
      found.push_back(where + ": not of type " + json::serialize(*type));
      return;
    }
    if (const auto* constant = schema.if_contains("const"); constant && value != *constant) {
      found.push_back(where + ": not " + json::serialize(*constant));
    }
    if (const auto* choices = schema.if_contains("enum")) {
      const auto& list = choices->as_array();
      if (std::find(list.begin(), list.end(), value) == list.end()) {
        found.push_back(where + ": " + json::serialize(value) + " is not in the enum");
      }
    }
    check_limits(value, schema, where, found);
    if (value.is_array()) check_array(value.get_array(), schema, where, found);
    if (value.is_object()) check_object(value.get_object(), schema, where, found);
  }

  void check_one_of(const json::value& value, const json::value& choices, const std::string& where,
                    std::vector<std::string>& found) const {
    std::size_t matches = 0;
    for (const json::value& each : choices.as_array()) {
      if (problems(value, each, where).empty()) ++matches;
    }
    if (matches != 1) {
      found.push_back(where + ": matches " + std::to_string(matches) + " of oneOf, not 1");
    }
  }

  static void check_limits(const json::value& value, const json::object& schema,
                           const std::string& where, std::vector<std::string>& found) {
    if (value.is_number()) {
      const double number = value.to_number<double>();
      if (const auto* low = schema.if_contains("minimum");
          low && number < low->to_number<double>()) {
        found.push_back(where + ": below its minimum");
      }
      if (const auto* high = schema.if_contains("maximum");
          high && number > high->to_number<double>()) {
        found.push_back(where + ": above its maximum");
      }
    }
    if (const auto* most = schema.if_contains("maxLength"); most && value.is_string()) {
      if (value.get_string().size() > most->to_number<std::size_t>()) {
        found.push_back(where + ": longer than its maxLength");
      }
    }
  }

  void check_array(const json::array& array, const json::object& schema, const std::string& where,
                   std::vector<std::string>& found) const {
    if (const auto* most = schema.if_contains("maxItems");
        most && array.size() > most->to_number<std::size_t>()) {
      found.push_back(where + ": more items than maxItems");
    }
    const auto* items = schema.if_contains("items");
    if (items == nullptr) return;
    for (std::size_t i = 0; i < array.size(); ++i) {
      check(array[i], resolve(*items).as_object(), where + "[" + std::to_string(i) + "]", found);
    }
  }

  void check_object(const json::object& object, const json::object& schema,
                    const std::string& where, std::vector<std::string>& found) const {
    static const json::object kNoProperties;
    const auto* declared = schema.if_contains("properties");
    const json::object& properties = declared ? declared->as_object() : kNoProperties;
    if (const auto* required = schema.if_contains("required")) {
      for (const json::value& name : required->as_array()) {
        if (!object.contains(name.as_string())) {
          found.push_back(where + ": lacks required '" + std::string(name.as_string()) + "'");
        }
      }
    }
    const auto* extra = schema.if_contains("additionalProperties");
    const bool closed = extra != nullptr && extra->is_bool() && !extra->get_bool();
    for (const auto& [name, member] : object) {
      const std::string at = where + "." + std::string(name);
      if (const auto* property = properties.if_contains(name)) {
        check(member, resolve(*property).as_object(), at, found);
      } else if (closed) {
        found.push_back(at + ": not in the schema (additionalProperties is false)");
      }
    }
  }

  const json::value& document_;
};

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// Whether `pattern` is one of the public API's (the web page's and /internal routes are not).
bool is_public_api(std::string_view pattern) {
  return pattern.rfind("/api/v1/", 0) == 0 || pattern == "/healthz" ||
         pattern.rfind("/healthz/", 0) == 0;
}

/// The server under test, its document as served, and every (path, method, status) seen.
class Conformance {
 public:
  Conformance() : document_(fetch_document()), validator_(document_) {}

  HttpTestServer server;
  HttpTestServer closed{http::AnonymousAccess::off};  // anonymous_access off

  const json::value& document() const { return document_; }
  const SchemaValidator& validator() const { return validator_; }

  /// The documented response for `status` of `method` on `path` (null: undocumented).
  const json::value* documented(const std::string& path, std::string_view method,
                                unsigned status) const {
    const auto* item = document_.at("paths").as_object().if_contains(path);
    if (item == nullptr) return nullptr;
    const auto* operation = item->as_object().if_contains(method);
    if (operation == nullptr) return nullptr;
    const auto& responses = operation->at("responses").as_object();
    const auto* response = responses.if_contains(std::to_string(status));
    return response ? &validator_.resolve(*response) : nullptr;
  }

  /// Sends the request, then checks the answer has `status`, documented for `method` (lower
  /// case) on the document's `path`, with its required headers and a body its schema accepts.
  Answer expect(unsigned status, const std::string& path, std::string_view method, Verb verb,
                const std::string& target, std::string body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return expect_of(server, status, path, method, verb, target, std::move(body), headers);
  }

  /// expect() of the server whose anonymous_access is off.
  Answer expect_closed(unsigned status, const std::string& path, std::string_view method,
                       Verb verb, const std::string& target) {
    return expect_of(closed, status, path, method, verb, target, "", {});
  }

 private:
  Answer expect_of(const HttpTestServer& of, unsigned status, const std::string& path,
                   std::string_view method, Verb verb, const std::string& target,
                   std::string body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
    Answer answer = test::Connection(of.port()).request(verb, target, std::move(body), headers);
    INFO(std::string(boost::beast::http::to_string(verb))
         << " " << target << " -> " << answer.status << " " << answer.body);
    REQUIRE(answer.status == status);
    const json::value* response = documented(path, method, status);
    INFO("documented as " << method << " " << path);
    REQUIRE(response != nullptr);
    check_headers(answer, *response);
    check_body(answer, *response, verb == Verb::head);
    covered_.insert(path + " " + std::string(method) + " " + std::to_string(status));
    return answer;
  }

 public:
  /// Every documented (path, method, status) that `expect` has not seen.
  std::set<std::string> uncovered() const {
    std::set<std::string> left;
    for (const auto& [path, item] : document_.at("paths").as_object()) {
      for (const auto& [method, operation] : item.as_object()) {
        if (method == "parameters") continue;
        for (const auto& [status, response] : operation.at("responses").as_object()) {
          const std::string key =
              std::string(path) + " " + std::string(method) + " " + std::string(status);
          if (!covered_.contains(key)) left.insert(key);
        }
      }
    }
    return left;
  }

 private:
  json::value fetch_document() {
    Answer answer = test::get(server.port(), "/api/v1/openapi.json");
    REQUIRE(answer.status == 200);
    REQUIRE(answer.header("content-type").rfind("application/json", 0) == 0);
    return json::parse(answer.body);
  }

  void check_headers(const Answer& answer, const json::value& response) const {
    const auto* headers = response.as_object().if_contains("headers");
    if (headers == nullptr) return;
    for (const auto& [name, header] : headers->as_object()) {
      const json::value& resolved = validator_.resolve(header);
      const auto* required = resolved.as_object().if_contains("required");
      if (required == nullptr || !required->as_bool()) continue;
      INFO("header " << std::string(name));
      CHECK_FALSE(answer.header(lower(std::string(name))).empty());
    }
  }

  void check_body(const Answer& answer, const json::value& response, bool head) const {
    const auto* content = response.as_object().if_contains("content");
    if (content == nullptr) {
      CHECK(answer.body.empty());
      return;
    }
    if (!content->as_object().contains("application/json")) {
      // A download (the scores' CSV): its type, and something in it.
      const std::string type(content->as_object().begin()->key());
      CHECK(answer.header("content-type").rfind(type, 0) == 0);
      CHECK(answer.body.empty() == head);
      return;
    }
    const auto& schema = content->at("application/json").at("schema");
    REQUIRE(answer.header("content-type").rfind("application/json", 0) == 0);
    if (head) {
      CHECK(answer.body.empty());
      return;
    }
    const auto problems = validator_.problems(json::parse(answer.body), schema);
    for (const std::string& problem : problems) UNSCOPED_INFO(problem);
    CHECK(problems.empty());
  }

  json::value document_;
  SchemaValidator validator_;
  std::set<std::string> covered_;
};

const std::string kSubmissions = "/api/v1/submissions";
const std::string kSubmission = "/api/v1/submissions/{id}";
const std::string kResult = "/api/v1/submissions/{id}/result";
const std::string kShare = "/api/v1/submissions/{id}/share";
const std::string kStream = "/api/v1/submissions/{id}/stream";
const std::string kShared = "/api/v1/shares/{slug}";

const std::string kValidSubmit =
    R"j({"language": "python", "code": "print(1)", "stdin": "", "limits": {"cpu_ms": 1000},
        "args": ["-v", "x"], "expected_stdout": "1",
        "tests": [{"name": "one", "stdin": "1", "expected_stdout": "1", "cpu_ms": 500},
                  {"expected_stdout": "2"}],
        "compare": {"mode": "float", "epsilon": 0.001}})j";

/// Submits through `failing` set to fail with each of `codes`, expecting `status` each time.
void expect_submit_failures(Conformance& api, std::initializer_list<core::ErrorCode> codes,
                            unsigned status) {
  for (core::ErrorCode code : codes) {
    api.server.submissions.fail_with(code);
    api.expect(status, kSubmissions, "post", Verb::post, kSubmissions, kValidSubmit);
  }
  api.server.submissions.fail_with(std::nullopt);
}

std::string exercise_submit(Conformance& api) {
  Answer submitted = api.expect(202, kSubmissions, "post", Verb::post, kSubmissions, kValidSubmit);
  for (const char* bad : {"not json", "[1]", R"({"language": "python"})",
                          R"({"language": "python", "code": "x", "args": [1]})",
                          R"({"language": "python", "code": "x", "limits": {"cpu_ms": "1"}})",
                          R"({"language": "python", "code": "x", "tests": [{"stdin": "1"}]})",
                          R"({"language": "python", "code": "x", "compare": "fuzzy"})"}) {
    api.expect(400, kSubmissions, "post", Verb::post, kSubmissions, bad);
  }
  api.expect(405, kSubmissions, "post", Verb::get, kSubmissions);
  api.expect(401, kSubmissions, "post", Verb::post, kSubmissions, kValidSubmit,
             {{"Authorization", "Bearer ide_cls_unknown"}});
  api.expect(413, kSubmissions, "post", Verb::post, kSubmissions,
             R"({"language": "python", "code": ")" + std::string(70 * 1024, 'x') + "\"}");
  expect_submit_failures(api, {core::ErrorCode::unknown_language, core::ErrorCode::invalid_limits},
                         422);
  expect_submit_failures(api, {core::ErrorCode::rate_limited}, 429);
  expect_submit_failures(api, {core::ErrorCode::internal}, 500);
  expect_submit_failures(api,
                         {core::ErrorCode::queue_full, core::ErrorCode::shutting_down,
                          core::ErrorCode::storage_unavailable},
                         503);
  return std::string(submitted.json().at("id").as_string());
}

/// `path` (a document path) answered 500 and 503 while the submission store fails.
void expect_store_failures(Conformance& api, const std::string& path, std::string_view method,
                           Verb verb, const std::string& target) {
  api.server.submissions.fail_with(core::ErrorCode::internal);
  api.expect(500, path, method, verb, target);
  api.server.submissions.fail_with(core::ErrorCode::storage_unavailable);
  api.expect(503, path, method, verb, target);
  api.server.submissions.fail_with(std::nullopt);
}

void exercise_submission(Conformance& api, const std::string& id) {
  const std::string own = "/api/v1/submissions/" + id;
  api.expect(200, kSubmission, "get", Verb::get, own);
  api.expect(200, kSubmission, "get", Verb::head, own);
  api.expect(404, kSubmission, "get", Verb::get, "/api/v1/submissions/nope");
  api.expect(405, kSubmission, "get", Verb::delete_, own);
  expect_store_failures(api, kSubmission, "get", Verb::get, own);
}

/// Finishes `id` as wrong_answer with a stderr that is not UTF-8 (so it is answered as base64).
void finish(HttpTestServer& server, const std::string& id) {
  server.results.set({.id = id,
                      .status = result::Status::done,
                      .verdict = result::Verdict::wrong_answer,
                      .exit_code = 0,
                      .signal = std::nullopt,
                      .stdout_data = "2\n",
                      .stderr_data = std::string("\x01\xff", 2),
                      .compile_output = "",
                      .time_ms = 7,
                      .wall_ms = 9,
                      .memory_kb = 1024,
                      .stdout_truncated = false,
                      .stderr_truncated = true,
                      .created_at = core::from_unix_ms(1'700'000'000'000),
                      .finished_at = core::from_unix_ms(1'700'000'001'000),
                      .tests = {{.name = "one", .verdict = result::Verdict::ok, .time_ms = 5,
                                 .wall_ms = 6, .memory_kb = 900, .stdout_data = "1\n",
                                 .stdout_truncated = false, .hint = ""},
                                {.name = "2", .verdict = result::Verdict::wrong_answer,
                                 .time_ms = 7, .wall_ms = 9, .memory_kb = 1024,
                                 .stdout_data = "2\n", .stdout_truncated = false,
                                 .hint = R"(line 1: expected "3", got "2")"}}});
}

void exercise_result(Conformance& api, const std::string& id) {
  const std::string target = "/api/v1/submissions/" + id + "/result";
  api.expect(200, kResult, "get", Verb::get, target);
  api.expect(200, kResult, "get", Verb::get, target + "?wait_ms=20");
  for (const char* query : {"?wait_ms=-1", "?wait_ms=30001", "?wait_ms=x", "?base64=maybe"}) {
    api.expect(400, kResult, "get", Verb::get, target + query);
  }
  api.expect(404, kResult, "get", Verb::get, "/api/v1/submissions/nope/result");
  api.expect(405, kResult, "get", Verb::post, target);
  finish(api.server, id);
  Answer done = api.expect(200, kResult, "get", Verb::get, target);
  CHECK(test::str(done.json().at("verdict")) == "wrong_answer");
  REQUIRE_FALSE(done.header("etag").empty());
  api.expect(200, kResult, "get", Verb::get, target + "?base64=true&wait_ms=0");
  api.expect(304, kResult, "get", Verb::get, target, "", {{"If-None-Match", done.header("etag")}});
}

void exercise_shares(Conformance& api, const std::string& id) {
  const std::string share = "/api/v1/submissions/" + id + "/share";
  Answer made = api.expect(201, kShare, "post", Verb::post, share);
  api.expect(200, kShare, "post", Verb::post, share);
  api.expect(404, kShare, "post", Verb::post, "/api/v1/submissions/nope/share");
  api.expect(405, kShare, "post", Verb::get, share);
  api.expect(413, kShare, "post", Verb::post, share, std::string(70 * 1024, ' '));
  expect_store_failures(api, kShare, "post", Verb::post, share);

  const std::string shared = "/api/v1/shares/" + test::str(made.json().at("slug"));
  api.expect(200, kShared, "get", Verb::get, shared);
  api.expect(200, kShared, "get", Verb::get, shared + "?base64=true");
  api.expect(400, kShared, "get", Verb::get, shared + "?base64=2");
  api.expect(404, kShared, "get", Verb::get, "/api/v1/shares/nope");
  api.expect(405, kShared, "get", Verb::put, shared);
  expect_store_failures(api, kShared, "get", Verb::get, shared);
}

/// Routes that answer anonymous callers 401 when anonymous_access is off.
void exercise_closed(Conformance& api) {
  api.expect_closed(401, kSubmission, "get", Verb::get, "/api/v1/submissions/x");
  api.expect_closed(401, kShare, "post", Verb::post, "/api/v1/submissions/x/share");
  api.expect_closed(401, kShared, "get", Verb::get, "/api/v1/shares/x");
  api.expect_closed(401, "/api/v1/problems", "get", Verb::get, "/api/v1/problems");
  api.expect_closed(401, "/api/v1/problems/{id}", "get", Verb::get, "/api/v1/problems/x");
}

void exercise_problems(Conformance& api) {
  const std::string problems = "/api/v1/problems";
  const std::string one = "/api/v1/problems/{id}";
  const std::vector<std::pair<std::string, std::string>> admin = {
      {"Authorization", "Bearer " + std::string(test::kTestAdminToken)}};
  const std::string body = R"({"title": "Double", "starter_code": {"python": "n = 1\n"},
    "tests": [{"stdin": "1", "expected_stdout": "2"},
              {"name": "big", "stdin": "9", "expected_stdout": "18", "hidden": true}]})";
  Answer made = api.expect(201, problems, "post", Verb::post, problems, body, admin);
  const std::string target = problems + "/" + test::str(made.json().at("id"));
  api.expect(400, problems, "post", Verb::post, problems, R"({"title": "t"})", admin);
  api.expect(401, problems, "post", Verb::post, problems, body);
  for (const char* method : {"get", "post"}) {
    api.expect(405, problems, method, Verb::patch, problems);
  }
  api.expect(413, problems, "post", Verb::post, problems, std::string(70 * 1024, ' '), admin);
  const std::string one_test = R"("tests": [{"expected_stdout": ""}])";
  api.expect(422, problems, "post", Verb::post, problems,
             R"({"title": "t", "starter_code": {"cobol": ""}, )" + one_test + "}", admin);
  api.expect(200, problems, "get", Verb::get, problems);
  api.expect(200, one, "get", Verb::get, target);
  api.expect(200, one, "get", Verb::get, target, "", admin);
  api.expect(404, one, "get", Verb::get, problems + "/nope");
  for (const char* method : {"get", "put", "delete"}) {
    api.expect(405, one, method, Verb::post, target);
  }
  api.expect(200, one, "put", Verb::put, target, body, admin);
  api.expect(400, one, "put", Verb::put, target, "[]", admin);
  api.expect(401, one, "put", Verb::put, target, body);
  api.expect(404, one, "put", Verb::put, problems + "/nope", body, admin);
  api.expect(413, one, "put", Verb::put, target, std::string(70 * 1024, ' '), admin);
  api.expect(422, one, "put", Verb::put, target,
             R"({"title": "t", "limits": {"cpu_ms": 99999999}, )" + one_test + "}", admin);

  // A submission to it shows the problem and its hidden test redacted.
  Answer submitted =
      api.expect(202, kSubmissions, "post", Verb::post, kSubmissions,
                 R"j({"language": "python", "code": "print(2)", "problem_id": ")j" +
                     test::str(made.json().at("id")) + "\"}");
  api.expect(200, kSubmission, "get", Verb::get,
             "/api/v1/submissions/" + test::str(submitted.json().at("id")));

  api.expect(401, one, "delete", Verb::delete_, target);
  api.expect(204, one, "delete", Verb::delete_, target, "", admin);
  api.expect(404, one, "delete", Verb::delete_, target, "", admin);
}

void exercise_classes(Conformance& api) {
  const std::string classes = "/api/v1/classes";
  const std::string one = "/api/v1/classes/{id}";
  const std::vector<std::pair<std::string, std::string>> admin = {
      {"Authorization", "Bearer " + std::string(test::kTestAdminToken)}};
  const std::string body =
      R"({"name": "CS101", "quota_per_hour": 5, "expires_at": "2099-01-01T00:00:00Z"})";
  Answer made = api.expect(201, classes, "post", Verb::post, classes, body, admin);
  const std::string target = classes + "/" + test::str(made.json().at("id"));
  api.expect(201, classes, "post", Verb::post, classes, R"({"name": "CS102"})", admin);
  api.expect(400, classes, "post", Verb::post, classes, R"({"name": ""})", admin);
  api.expect(401, classes, "post", Verb::post, classes, body);
  api.expect(413, classes, "post", Verb::post, classes, std::string(70 * 1024, ' '), admin);
  for (const char* method : {"get", "post"}) {
    api.expect(405, classes, method, Verb::patch, classes);
  }
  api.expect(200, classes, "get", Verb::get, classes, "", admin);
  api.expect(401, classes, "get", Verb::get, classes);
  api.expect(200, one, "get", Verb::get, target, "", admin);
  api.expect(401, one, "get", Verb::get, target);
  api.expect(404, one, "get", Verb::get, classes + "/nope", "", admin);
  for (const char* method : {"get", "delete"}) {
    api.expect(405, one, method, Verb::post, target);
  }
  api.expect(401, one, "delete", Verb::delete_, target);
  api.expect(204, one, "delete", Verb::delete_, target, "", admin);
  api.expect(404, one, "delete", Verb::delete_, target, "", admin);
}

/// The teacher's view of a class with one submission, and whoami.
void exercise_class_views(Conformance& api) {
  const access::IssuedClassToken issued = *api.server.access->create({.name = "view", .quota = {}});
  const std::vector<std::pair<std::string, std::string>> owner = {
      {"Authorization", "Bearer " + issued.owner_secret}};
  REQUIRE(test::Connection(api.server.port())
              .request(Verb::post, kSubmissions, kValidSubmit, owner)
              .status == 202);
  const std::string base = "/api/v1/classes/" + issued.token.id;
  for (const std::string view : {"/submissions", "/report", "/scores.csv"}) {
    const std::string path = "/api/v1/classes/{id}" + view;
    api.expect(200, path, "get", Verb::get, base + view, "", owner);
    api.expect(200, path, "get", Verb::head, base + view, "", owner);
    api.expect(401, path, "get", Verb::get, base + view);
    api.expect(404, path, "get", Verb::get, "/api/v1/classes/nope" + view, "",
               {{"Authorization", "Bearer " + std::string(test::kTestAdminToken)}});
    api.expect(405, path, "get", Verb::post, base + view, "", owner);
    api.server.submissions.fail_with(core::ErrorCode::internal);
    api.expect(500, path, "get", Verb::get, base + view, "", owner);
    api.server.submissions.fail_with(core::ErrorCode::storage_unavailable);
    api.expect(503, path, "get", Verb::get, base + view, "", owner);
    api.server.submissions.fail_with(std::nullopt);
  }
  api.expect(400, "/api/v1/classes/{id}/submissions", "get", Verb::get,
             base + "/submissions?limit=0", "", owner);
  const std::string whoami = "/api/v1/whoami";
  api.expect(200, whoami, "get", Verb::get, whoami);
  api.expect(200, whoami, "get", Verb::get, whoami, "", owner);
  api.expect(401, whoami, "get", Verb::get, whoami, "",
             {{"Authorization", "Bearer ide_own_unknown"}});
  api.expect(405, whoami, "get", Verb::post, whoami);
}

void exercise_stream(Conformance& api, const std::string& id) {
  const std::vector<std::pair<std::string, std::string>> upgrade = {
      {"Upgrade", "websocket"},
      {"Connection", "Upgrade"},
      {"Sec-WebSocket-Version", "13"},
      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  const std::string target = "/api/v1/submissions/" + id + "/stream";
  api.expect(101, kStream, "get", Verb::get, target, "", upgrade);
  api.expect(404, kStream, "get", Verb::get, "/api/v1/submissions/nope/stream", "", upgrade);
  api.expect(426, kStream, "get", Verb::get, target);
  api.expect(405, kStream, "get", Verb::post, target);
}

void exercise_meta(Conformance& api) {
  for (const std::string path :
       {"/api/v1/languages", "/api/v1/openapi.json", "/healthz", "/healthz/queue"}) {
    api.expect(200, path, "get", Verb::get, path);
    api.expect(200, path, "get", Verb::head, path);
    api.expect(405, path, "get", Verb::post, path);
  }
}

}  // namespace

TEST_CASE("openapi: the document names exactly the routes ide serve registers", "[openapi]") {
  Conformance api;
  http::Router router;
  HttpTestServer& s = api.server;
  http::add_all_routes(router, {.submissions = s.submissions,
                                .results = s.results,
                                .urls = s.urls,
                                .problems = *s.problems,
                                .views = s.views,
                                .client_jobs = s.client_jobs,
                                .result_cache = s.result_cache,
                                .base_url = "",
                                .limits = {},
                                .access = s.access.get()});
  std::set<std::string> registered;
  for (const http::Route& route : router.routes()) {
    if (!is_public_api(route.pattern)) continue;
    registered.insert(lower(std::string(boost::beast::http::to_string(route.method))) + " " +
                      route.pattern);
  }
  std::set<std::string> documented;
  for (const auto& [path, item] : api.document().at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (method != "parameters") documented.insert(std::string(method) + " " + std::string(path));
    }
  }
  CHECK(registered.size() >= 9);
  CHECK(registered == documented);
  CHECK(api.document().at("openapi") == "3.1.0");
}

TEST_CASE("openapi: every answer of every route is documented and fits its schema", "[openapi]") {
  Conformance api;
  const std::string id = exercise_submit(api);
  exercise_submission(api, id);
  exercise_result(api, id);
  exercise_shares(api, id);
  exercise_closed(api);
  exercise_problems(api);
  exercise_classes(api);
  exercise_class_views(api);
  exercise_stream(api, id);
  exercise_meta(api);
  // Statuses the in-memory fakes cannot produce (their languages and queue never fail), nor the
  // real problem and access modules on healthy temp dirs.
  const std::set<std::string> unreachable = {"/api/v1/submissions/{id}/result get 500",
                                             "/api/v1/submissions/{id}/result get 503",
                                             "/api/v1/languages get 500",
                                             "/api/v1/languages get 503",
                                             "/healthz/queue get 500",
                                             "/healthz/queue get 503",
                                             "/api/v1/problems get 500",
                                             "/api/v1/problems get 503",
                                             "/api/v1/problems post 500",
                                             "/api/v1/problems post 503",
                                             "/api/v1/problems/{id} get 500",
                                             "/api/v1/problems/{id} get 503",
                                             "/api/v1/problems/{id} put 500",
                                             "/api/v1/problems/{id} put 503",
                                             "/api/v1/problems/{id} delete 500",
                                             "/api/v1/problems/{id} delete 503",
                                             "/api/v1/classes get 500",
                                             "/api/v1/classes get 503",
                                             "/api/v1/classes post 500",
                                             "/api/v1/classes post 503",
                                             "/api/v1/classes/{id} get 500",
                                             "/api/v1/classes/{id} get 503",
                                             "/api/v1/classes/{id} delete 500",
                                             "/api/v1/classes/{id} delete 503",
                                             "/api/v1/whoami get 500",
                                             "/api/v1/whoami get 503",
                                             // max_websockets: tests/http/stream_test.cpp
                                             "/api/v1/submissions/{id}/stream get 503"};
  CHECK(api.uncovered() == unreachable);
}

TEST_CASE("openapi: the checks refuse what the document does not allow", "[openapi]") {
  Conformance api;
  const SchemaValidator& validator = api.validator();
  const json::value error_schema = {{"$ref", "#/components/schemas/Error"}};
  const auto error_with = [](json::value error) { return json::value{{"error", error}}; };
  CHECK(validator.problems(error_with({{"code", "not_found"}, {"message", "m"}}), error_schema)
            .empty());
  CHECK_FALSE(
      validator
          .problems(error_with({{"code", "not_found"}, {"message", "m"}, {"x", 1}}), error_schema)
          .empty());
  CHECK_FALSE(
      validator.problems(error_with({{"code", "teapot"}, {"message", "m"}}), error_schema).empty());
  CHECK_FALSE(validator.problems(error_with({{"code", "not_found"}}), error_schema).empty());
  const json::value wait_schema = {{"type", "integer"}, {"minimum", 0}, {"maximum", 30000}};
  CHECK_FALSE(validator.problems(30001, wait_schema).empty());
  CHECK_FALSE(validator.problems("1", wait_schema).empty());
  const json::value result_schema = {{"$ref", "#/components/schemas/Result"}};
  CHECK_FALSE(
      validator.problems(json::value{{"status", "lost"}, {"message", "m"}}, result_schema).empty());
  CHECK(api.documented(kResult, "get", 418) == nullptr);
  CHECK(api.documented(kSubmissions, "get", 200) == nullptr);
}
