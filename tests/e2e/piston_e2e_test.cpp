// Piston's v2 API on the real `ide serve` with the real languages: the request and response
// examples of Piston's docs/api-v2.md, sent unchanged (a version we do not have, a file name we
// do not use, limit fields of -1), and the runtime list carrying every language's probed version.
#include <catch2/catch.hpp>

#include <cctype>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServerProcess;
using test::str;

namespace {

// Verbatim from Piston's docs/api-v2.md, "Execute", "Example".
constexpr std::string_view kDocumentedExecute = R"json({
  "language": "js",
  "version": "15.10.0",
  "files": [
    {
      "name": "my_cool_code.js",
      "content": "console.log(process.argv)"
    }
  ],
  "stdin": "",
  "args": ["1", "2", "3"],
  "compile_timeout": 10000,
  "run_timeout": 3000,
  "compile_memory_limit": -1,
  "run_memory_limit": -1
})json";

}  // namespace

TEST_CASE("Piston's documented execute example runs unchanged", "[e2e][piston]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  const auto answer = api.post("/api/v2/execute", std::string(kDocumentedExecute));
  INFO(answer.body << "\n" << server.log());
  REQUIRE(answer.status == 200);
  const auto body = boost::json::parse(answer.body).as_object();
  CHECK(body.at("language") == "javascript");
  CHECK_FALSE(str(body.at("version")).empty());
  const auto& run = body.at("run").as_object();
  // [node, the program, '1', '2', '3'], on one line or several as node's version likes.
  std::string printed = str(run.at("stdout"));
  std::erase_if(printed, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  CHECK_THAT(printed, Catch::Matches(R"(\['/[^']+','/[^']+','1','2','3'\])"));
  CHECK(run.at("stderr") == "");
  CHECK(run.at("output") == run.at("stdout"));
  CHECK(run.at("code") == 0);
  CHECK(run.at("signal").is_null());
  CHECK(run.at("status").is_null());
  CHECK(run.at("wall_time").as_int64() >= 0);
  // An ordinary submission: its result is there for the v1 API (and so for sharing) too.
  auto stored = api.wait_done(str(body.at("id")));
  CHECK(stored.at("stdout") == run.at("stdout"));
  CHECK(server.stop() == 0);
}

TEST_CASE("Piston's runtimes list every served language with its probed version",
          "[e2e][piston]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  const auto served = boost::json::parse(api.get("/api/v1/languages").body).as_array();
  const auto runtimes = boost::json::parse(api.get("/api/v2/runtimes").body).as_array();
  REQUIRE(runtimes.size() == served.size());
  for (std::size_t i = 0; i < served.size(); ++i) {
    INFO(boost::json::serialize(runtimes[i]));
    CHECK(runtimes[i].at("language") == served[i].at("id"));
    CHECK(runtimes[i].at("version") == served[i].at("version"));
    CHECK(runtimes[i].at("aliases").is_array());
  }
  CHECK(server.stop() == 0);
}

TEST_CASE("a compiled language answers Piston's compile and run stages", "[e2e][piston]") {
  test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  const auto execute = [&api](const std::string& code) {
    boost::json::object body{{"language", "c++"},
                             {"version", "*"},
                             {"files", boost::json::array{{{"content", code}}}},
                             {"stdin", "20 22"}};
    auto answer = api.post("/api/v2/execute", boost::json::serialize(body));
    INFO(answer.body);
    REQUIRE(answer.status == 200);
    return boost::json::parse(answer.body).as_object();
  };
  const auto sum = execute(
      "#include <iostream>\nint main() { int a, b; std::cin >> a >> b; std::cout << a + b; }\n");
  CHECK(sum.at("language") == "cpp");
  CHECK(sum.at("compile").at("code") == 0);
  CHECK(sum.at("run").at("stdout") == "42");
  const auto broken = execute("int main() { return x; }\n");
  CHECK(broken.at("compile").at("code") == 1);
  CHECK_THAT(str(broken.at("compile").at("output")), Catch::Contains("not declared"));
  CHECK(broken.at("run") == broken.at("compile"));
  CHECK(server.stop() == 0);
}
