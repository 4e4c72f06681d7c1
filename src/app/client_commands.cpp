#include "client_commands.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/core.h>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/codec.hpp"
#include "http/http_client.hpp"

namespace ide::app {

namespace json = boost::json;

namespace {

// A long-poll asks the server to wait up to 30 s: give the connection a little longer.
constexpr std::chrono::milliseconds kPollTimeout{45'000};

int fail(std::string_view message) {
  fmt::print(stderr, "error: {}\n", message);
  return kExitFailure;
}

core::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::not_found, "cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return core::fail(core::ErrorCode::unavailable, "cannot read " + path);
  return buffer.str();
}

/// The language of a source file from its extension; "" when it cannot be told.
std::string language_of(const std::string& path) {
  static const std::map<std::string, std::string> kByExtension = {
      {".py", "python"}, {".c", "c"},      {".cpp", "cpp"},   {".cc", "cpp"},
      {".cxx", "cpp"},   {".js", "javascript"}, {".mjs", "javascript"}, {".sh", "bash"},
      {".java", "java"}, {".go", "go"},    {".rs", "rust"},   {".rb", "ruby"},
      {".lua", "lua"},   {".php", "php"}};
  const std::string extension = std::filesystem::path(path).extension().string();
  auto it = kByExtension.find(extension);
  return it == kByExtension.end() ? "" : it->second;
}

/// `text` as one path segment: everything but unreserved characters percent-encoded.
std::string encode_segment(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

/// The server's error as one readable line.
std::string describe(const http::ClientResponse& response) {
  std::string message;
  std::string code;
  boost::system::error_code ec;
  json::value body = json::parse(response.body, ec);
  if (!ec && body.is_object()) {
    if (const json::value* error = body.as_object().if_contains("error");
        error != nullptr && error->is_object()) {
      if (const auto* m = error->as_object().if_contains("message"); m && m->is_string()) {
        message = std::string(m->get_string());
      }
      if (const auto* c = error->as_object().if_contains("code"); c && c->is_string()) {
        code = std::string(c->get_string());
      }
    }
  }
  if (message.empty()) message = "the server answered HTTP " + std::to_string(response.status);
  std::string line = fmt::format("{} ({}HTTP {})", message, code.empty() ? "" : code + ", ",
                                 response.status);
  if (response.retry_after) line += fmt::format("; retry in {} s", *response.retry_after);
  return line;
}

core::Result<json::object> parse_object(const http::ClientResponse& response) {
  boost::system::error_code ec;
  json::value body = json::parse(response.body, ec);
  if (ec || !body.is_object()) {
    return core::fail(core::ErrorCode::internal, "the server's answer is not a JSON object");
  }
  return std::move(body.as_object());
}

std::string string_field(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

std::string int_field(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_int64() ? std::to_string(value->get_int64()) : "";
}

void write_raw(std::FILE* stream, std::string_view bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stream);
}

/// An output field of a result, decoded when the result came base64-encoded.
std::string output(const json::object& result, std::string_view name) {
  std::string text = string_field(result, name);
  if (string_field(result, "encoding") == "base64") {
    if (auto decoded = http::base64_decode(text)) return *decoded;
  }
  return text;
}

/// "ok, exit code 0, 12 ms CPU, 40 ms wall, 9004 KiB"
std::string verdict_line(const json::object& result) {
  std::string line = string_field(result, "verdict");
  if (std::string exit_code = int_field(result, "exit_code"); !exit_code.empty()) {
    line += ", exit code " + exit_code;
  }
  if (std::string signal = int_field(result, "signal"); !signal.empty()) {
    line += ", signal " + signal;
  }
  line += fmt::format(", {} ms CPU, {} ms wall, {} KiB", int_field(result, "time_ms"),
                      int_field(result, "wall_ms"), int_field(result, "memory_kb"));
  if (const auto* summary = result.if_contains("summary"); summary && summary->is_object()) {
    const json::object& counts = summary->as_object();
    line += fmt::format(", {} of {} tests passed", int_field(counts, "passed"),
                        int_field(counts, "total"));
  }
  if (const auto* truncated = result.if_contains("truncated"); truncated && truncated->is_object()) {
    for (const char* stream : {"stdout", "stderr"}) {
      const auto* flag = truncated->as_object().if_contains(stream);
      if (flag != nullptr && flag->is_bool() && flag->get_bool()) {
        line += fmt::format(", {} truncated", stream);
      }
    }
  }
  return line;
}

bool is_done(const json::object& result) { return string_field(result, "status") == "done"; }

/// Prints a finished result the way a terminal user expects: the program's stdout on stdout,
/// everything else on stderr. Returns the exit code.
int print_done(const json::object& result) {
  write_raw(stderr, output(result, "compile_output"));
  std::fflush(stderr);
  write_raw(stdout, output(result, "stdout"));
  std::fflush(stdout);
  write_raw(stderr, output(result, "stderr"));
  fmt::print(stderr, "[{}]\n", verdict_line(result));
  return string_field(result, "verdict") == "ok" ? kExitOk : kExitVerdict;
}

/// Long-polls the result of `id` until it is done. The answer is the last response (a non-200
/// one is for the caller to report).
core::Result<http::ClientResponse> wait_for(const http::HttpClient& client,
                                            const std::string& id, bool base64) {
  const std::string target = "/api/v1/submissions/" + encode_segment(id) +
                             "/result?wait_ms=30000" + (base64 ? "&base64=true" : "");
  while (true) {
    auto response = client.get(target, kPollTimeout);
    if (!response || response->status != 200) return response;
    auto body = parse_object(*response);
    if (!body || is_done(*body)) return response;
  }
}

/// Prints a getResult answer (human or --json); returns the exit code.
int report_result(const http::ClientResponse& response, bool as_json) {
  if (response.status != 200) return fail(describe(response));
  auto body = parse_object(response);
  if (!body) return fail(body.error().message);
  const bool done = is_done(*body);
  if (as_json) {
    fmt::print("{}\n", response.body);
    if (!done) return kExitNotReady;
    return string_field(*body, "verdict") == "ok" ? kExitOk : kExitVerdict;
  }
  if (!done) {
    fmt::print("{}: {}\n", string_field(*body, "status"), string_field(*body, "message"));
    return kExitNotReady;
  }
  return print_done(*body);
}

void print_block(std::string_view title, std::string_view text) {
  fmt::print("--- {} ---\n", title);
  write_raw(stdout, text);
  if (!text.empty() && text.back() != '\n') fmt::print("\n");
}

/// The RFC 3339 time `--expires` names: as given, or for a date alone (YYYY-MM-DD) the last
/// millisecond of that day in UTC, so that the class may still submit on it. "" when it is
/// neither.
std::string expiry_of(const std::string& given) {
  if (core::from_rfc3339(given)) return given;
  const std::string end_of_day = given + "T23:59:59.999Z";
  return given.size() == 10 && core::from_rfc3339(end_of_day) ? end_of_day : "";
}

/// "CS101  30/hour, 3 queued, expires 2027-01-31T23:59:59.999Z" for a class of GET
/// /api/v1/classes.
std::string class_line(const json::object& o) {
  const auto limit = [&o](std::string_view field, std::string_view unit) {
    const std::string value = int_field(o, field);
    return value.empty() || value == "0" ? fmt::format("no {} limit", unit)
                                         : fmt::format("{} {}", value, unit);
  };
  const std::string expires = string_field(o, "expires_at");
  return fmt::format("{}  {}  {}, {}, {}", string_field(o, "id"), string_field(o, "name"),
                     limit("quota_per_hour", "per hour"), limit("max_queued", "queued"),
                     expires.empty() ? "never expires" : "expires " + expires);
}

/// GETs the list at `target` and prints it: as it is with `as_json`, else one `line` for each
/// object of its array `field`. Returns the exit code.
int print_list(const http::HttpClient& client, const std::string& target, std::string_view field,
               bool as_json, const std::function<std::string(const json::object&)>& line) {
  auto response = client.get(target);
  if (!response) return fail(response.error().message);
  if (response->status != 200) return fail(describe(*response));
  if (as_json) {
    fmt::print("{}\n", response->body);
    return kExitOk;
  }
  auto list = parse_object(*response);
  if (!list) return fail(list.error().message);
  const json::value* items = list->if_contains(field);
  if (items == nullptr || !items->is_array()) {
    return fail(fmt::format("the answer lists no {}", field));
  }
  for (const json::value& item : items->as_array()) {
    if (item.is_object()) fmt::print("{}\n", line(item.as_object()));
  }
  return kExitOk;
}

CLI::App* client_command(CLI::App& app, const std::string& name, const std::string& help,
                         std::string& server, bool& as_json) {
  CLI::App* command = app.add_subcommand(name, help);
  command->add_option("--server", server, "The ide server")
      ->envname("IDE_SERVER")
      ->capture_default_str();
  command->add_flag("--json", as_json, "Print the server's JSON answer as it is");
  return command;
}

}  // namespace

ClientCommands::ClientCommands(CLI::App& app) {
  submit_ = client_command(app, "submit", "Submit a source file to run", server_, json_);
  submit_->add_option("file", file_, "The source file")->required();
  submit_->add_option("--lang,-l", language_,
                      "Language id (see `ide languages`); default: from the file's extension");
  submit_->add_option("--stdin", stdin_file_, "File whose contents are the program's stdin");
  submit_->add_flag("--wait,-w", wait_,
                    "Wait for the result: the program's stdout goes to stdout, its stderr and "
                    "the verdict to stderr");
  submit_->add_option("--cpu-ms", cpu_ms_, "CPU time limit (within the server's maximum)");
  submit_->add_option("--wall-ms", wall_ms_, "Wall-clock limit (within the server's maximum)");
  submit_->add_option("--memory-kb", memory_kb_, "Memory limit (within the server's maximum)");
  submit_->add_option("--problem", problem_id_,
                      "Judge it on this problem's tests (`ide problem list`)");

  result_ = client_command(app, "result", "Show the result of a submission", server_, json_);
  result_->add_option("id", id_, "The submission id")->required();
  result_->add_flag("--wait,-w", wait_, "Wait until it has finished");

  share_ = client_command(app, "share", "Make a share link for a submission", server_, json_);
  share_->add_option("id", id_, "The submission id")->required();

  show_ = client_command(app, "show", "Show a shared submission: code, input and output",
                         server_, json_);
  show_->add_option("slug", slug_or_url_, "The slug or the whole share link")->required();

  languages_ = client_command(app, "languages", "List the languages the server runs", server_,
                              json_);

  CLI::App* problem = app.add_subcommand("problem", "Create and list a teacher's problems");
  problem->require_subcommand(1);
  problem_create_ = client_command(*problem, "create",
                                   "Store a problem from a JSON file (docs/API.md); prints its id",
                                   server_, json_);
  problem_create_->add_option("file", file_, "The problem as JSON")->required();
  problem_create_->add_option("--token", token_, "An admin token of the server (admin_tokens)")
      ->envname("IDE_ADMIN_TOKEN")
      ->required();
  problem_list_ = client_command(*problem, "list", "List the problems", server_, json_);
  add_token_commands(app);
}

void ClientCommands::add_token_commands(CLI::App& app) {
  CLI::App* token = app.add_subcommand("token", "Make, list and revoke class tokens");
  token->require_subcommand(1);
  token_create_ = client_command(*token, "create",
                                 "Make a class token; prints its id, student token and owner "
                                 "token (shown this once)",
                                 server_, json_);
  token_create_->add_option("--name", class_name_, "The class, e.g. CS101")->required();
  token_create_->add_option("--quota-per-hour", quota_per_hour_,
                            "Submits of the whole class in any rolling hour (0: no limit)");
  token_create_->add_option("--max-queued", max_queued_,
                            "The class's unfinished submissions at once (0: no limit)");
  token_create_->add_option("--expires", expires_,
                            "YYYY-MM-DD (the end of that day, UTC) or an RFC 3339 time");
  token_list_ = client_command(*token, "list", "List the class tokens", server_, json_);
  token_revoke_ = client_command(*token, "revoke",
                                 "Revoke a class token: its secrets stop working at once",
                                 server_, json_);
  token_revoke_->add_option("id", id_, "The class id (`ide token list`)")->required();
  for (CLI::App* command : {token_create_, token_list_, token_revoke_}) {
    command->add_option("--token", token_, "An admin token of the server (admin_tokens)")
        ->envname("IDE_ADMIN_TOKEN")
        ->required();
  }
}

int ClientCommands::run() {
  if (submit_->parsed()) return submit();
  if (result_->parsed()) return result();
  if (share_->parsed()) return share();
  if (show_->parsed()) return show();
  if (languages_->parsed()) return languages();
  if (problem_create_->parsed()) return problem_create();
  if (problem_list_->parsed()) return problem_list();
  if (token_create_->parsed()) return token_create();
  if (token_list_->parsed()) return token_list();
  if (token_revoke_->parsed()) return token_revoke();
  return -1;
}

int ClientCommands::submit() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  std::string language = language_.empty() ? language_of(file_) : language_;
  if (language.empty()) return fail("cannot tell the language of " + file_ + ": give --lang");
  auto code = read_file(file_);
  if (!code) return fail(code.error().message);
  if (!core::json::is_valid_utf8(*code)) return fail(file_ + " is not UTF-8 text");

  json::object body;
  body["language"] = language;
  body["code"] = std::move(*code);
  if (!stdin_file_.empty()) {
    auto input = read_file(stdin_file_);
    if (!input) return fail(input.error().message);
    if (!core::json::is_valid_utf8(*input)) return fail(stdin_file_ + " is not UTF-8 text");
    body["stdin"] = std::move(*input);
  }
  json::object limits;
  if (cpu_ms_ >= 0) limits["cpu_ms"] = cpu_ms_;
  if (wall_ms_ >= 0) limits["wall_ms"] = wall_ms_;
  if (memory_kb_ >= 0) limits["memory_kb"] = memory_kb_;
  if (!limits.empty()) body["limits"] = std::move(limits);
  if (!problem_id_.empty()) body["problem_id"] = problem_id_;

  auto response = client->post("/api/v1/submissions", core::json::serialize(body));
  if (!response) return fail(response.error().message);
  if (response->status != 202) return fail(describe(*response));
  auto accepted = parse_object(*response);
  if (!accepted) return fail(accepted.error().message);
  const std::string id = string_field(*accepted, "id");
  if (!wait_) {
    if (json_) {
      fmt::print("{}\n", response->body);
    } else {
      fmt::print("{}\n", id);
    }
    return kExitOk;
  }
  if (!json_) fmt::print(stderr, "submission {}\n", id);
  auto finished = wait_for(*client, id, !json_);
  if (!finished) return fail(finished.error().message);
  return report_result(*finished, json_);
}

int ClientCommands::result() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  core::Result<http::ClientResponse> response =
      wait_ ? wait_for(*client, id_, !json_)
            : client->get("/api/v1/submissions/" + encode_segment(id_) + "/result" +
                          (json_ ? "" : "?base64=true"));
  if (!response) return fail(response.error().message);
  return report_result(*response, json_);
}

int ClientCommands::share() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  auto response = client->post("/api/v1/submissions/" + encode_segment(id_) + "/share", "");
  if (!response) return fail(response.error().message);
  if (response->status != 200 && response->status != 201) return fail(describe(*response));
  if (json_) {
    fmt::print("{}\n", response->body);
    return kExitOk;
  }
  auto body = parse_object(*response);
  if (!body) return fail(body.error().message);
  fmt::print("{}\n", string_field(*body, "url"));
  return kExitOk;
}

int ClientCommands::show() {
  std::string server = server_;
  std::string slug = slug_or_url_;
  if (slug_or_url_.find("://") != std::string::npos) {
    auto url = http::parse_http_url(slug_or_url_);
    if (!url) return fail(url.error().message);
    if (url->segments.empty()) return fail(slug_or_url_ + " is not a share link");
    slug = url->segments.back();
    // A share link names its server; --server (or IDE_SERVER) still wins when given.
    if (show_->get_option("--server")->count() == 0) server = url->origin();
  }
  auto client = http::HttpClient::create(server);
  if (!client) return fail(client.error().message);
  auto response = client->get("/api/v1/shares/" + encode_segment(slug) +
                              (json_ ? "" : "?base64=true"));
  if (!response) return fail(response.error().message);
  if (response->status != 200) return fail(describe(*response));
  if (json_) {
    fmt::print("{}\n", response->body);
    return kExitOk;
  }
  auto body = parse_object(*response);
  if (!body) return fail(body.error().message);
  fmt::print("language: {}\ncreated:  {}\n", string_field(*body, "language"),
             string_field(*body, "created_at"));
  print_block("code", string_field(*body, "code"));
  if (std::string input = string_field(*body, "stdin"); !input.empty()) {
    print_block("stdin", input);
  }
  const json::value* run = body->if_contains("result");
  if (run == nullptr || !run->is_object()) {
    fmt::print("--- no result yet ---\n");
  } else if (!is_done(run->as_object())) {
    fmt::print("--- {} ---\n", string_field(run->as_object(), "status"));
  } else {
    const json::object& done = run->as_object();
    if (std::string text = output(done, "compile_output"); !text.empty()) {
      print_block("compile output", text);
    }
    print_block("stdout", output(done, "stdout"));
    if (std::string text = output(done, "stderr"); !text.empty()) print_block("stderr", text);
    fmt::print("--- {} ---\n", verdict_line(done));
  }
  return kExitOk;
}

int ClientCommands::languages() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  auto response = client->get("/api/v1/languages");
  if (!response) return fail(response.error().message);
  if (response->status != 200) return fail(describe(*response));
  if (json_) {
    fmt::print("{}\n", response->body);
    return kExitOk;
  }
  boost::system::error_code ec;
  json::value list = json::parse(response->body, ec);
  if (ec || !list.is_array()) return fail("the server's answer is not a JSON array");
  std::vector<std::array<std::string, 3>> rows;
  std::array<std::size_t, 3> widths{};
  for (const json::value& item : list.as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    rows.push_back({string_field(o, "id"), string_field(o, "name"), string_field(o, "version")});
    for (std::size_t i = 0; i < 3; ++i) widths[i] = std::max(widths[i], rows.back()[i].size());
  }
  for (const auto& row : rows) {
    fmt::print("{:<{}}  {:<{}}  {}\n", row[0], widths[0], row[1], widths[1], row[2]);
  }
  return kExitOk;
}

int ClientCommands::problem_create() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  client->set_bearer_token(token_);
  auto problem = read_file(file_);
  if (!problem) return fail(problem.error().message);
  auto response = client->post("/api/v1/problems", std::move(*problem));
  if (!response) return fail(response.error().message);
  if (response->status != 201) return fail(describe(*response));
  auto created = parse_object(*response);
  if (!created) return fail(created.error().message);
  fmt::print("{}\n", json_ ? response->body : string_field(*created, "id"));
  return kExitOk;
}

int ClientCommands::problem_list() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  return print_list(*client, "/api/v1/problems", "problems", json_, [](const json::object& o) {
    return fmt::format("{}  {} ({} tests, {} hidden)", string_field(o, "id"),
                       string_field(o, "title"), int_field(o, "visible_tests"),
                       int_field(o, "hidden_tests"));
  });
}

int ClientCommands::token_create() {
  json::object body{{"name", class_name_}};
  if (quota_per_hour_ >= 0) body["quota_per_hour"] = quota_per_hour_;
  if (max_queued_ >= 0) body["max_queued"] = max_queued_;
  if (!expires_.empty()) {
    const std::string expires_at = expiry_of(expires_);
    if (expires_at.empty()) {
      return fail("--expires must be YYYY-MM-DD or an RFC 3339 time, not " + expires_);
    }
    body["expires_at"] = expires_at;
  }
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  client->set_bearer_token(token_);
  auto response = client->post("/api/v1/classes", json::serialize(body));
  if (!response) return fail(response.error().message);
  if (response->status != 201) return fail(describe(*response));
  if (json_) {
    fmt::print("{}\n", response->body);
    return kExitOk;
  }
  auto created = parse_object(*response);
  if (!created) return fail(created.error().message);
  fmt::print("class: {}\nstudent token: {}\nowner token: {}\n", string_field(*created, "id"),
             string_field(*created, "token"), string_field(*created, "owner_token"));
  fmt::print(stderr, "Keep both tokens: the server stores only their hashes.\n");
  return kExitOk;
}

int ClientCommands::token_list() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  client->set_bearer_token(token_);
  return print_list(*client, "/api/v1/classes", "classes", json_, class_line);
}

int ClientCommands::token_revoke() {
  auto client = http::HttpClient::create(server_);
  if (!client) return fail(client.error().message);
  client->set_bearer_token(token_);
  auto response = client->request(http::Verb::delete_, "/api/v1/classes/" + encode_segment(id_),
                                  "", http::HttpClient::kDefaultTimeout);
  if (!response) return fail(response.error().message);
  if (response->status != 204) return fail(describe(*response));
  if (!json_) fmt::print("revoked {}\n", id_);
  return kExitOk;
}

}  // namespace ide::app
