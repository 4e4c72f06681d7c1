// Piston's v2 API over loopback against the real server with fakes: the runtime list with
// aliases, an execute decoded into an ordinary submission (aliases, files in each encoding,
// args, stdin, limits clamped, no Content-Type needed) whose answer waits for the result, and
// Piston's 400 {message} errors. The real languages run in tests/e2e/piston_e2e_test.cpp.
#include <catch2/catch.hpp>

#include <future>
#include <mutex>

#include "support/http_test_server.hpp"
#include "test_client.hpp"

using namespace ide;
using test::Answer;
using test::Connection;
using test::HttpTestServer;
using Verb = boost::beast::http::verb;

namespace {

/// A server whose submissions reach its result fake, remembering each id submitted.
struct PistonServer {
  HttpTestServer server;
  std::mutex mutex;
  std::vector<std::string> ids;

  PistonServer() {
    server.submissions.hand_off_with([this](const std::string& id) {
      {
        std::lock_guard lock(mutex);
        ids.push_back(id);
      }
      return server.results.enqueue(id);
    });
  }

  std::string first_id() {
    for (int attempt = 0; attempt < 2000; ++attempt) {
      {
        std::lock_guard lock(mutex);
        if (!ids.empty()) return ids.front();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL("nothing was submitted");
    return {};
  }

  /// POSTs `body` as a sloppy client does (text/plain), finishes the run it submits as `run`.
  Answer execute(const std::string& body, result::RunResult run) {
    auto answer = std::async(std::launch::async, [this, body] {
      return Connection(server.port())
          .request(Verb::post, "/api/v2/execute", body, {{"Content-Type", "text/plain"}});
    });
    run.id = first_id();
    run.status = result::Status::done;
    server.results.set(run);
    return answer.get();
  }

  submission::Submission submitted() { return *server.submissions.get(first_id()); }
};

result::RunResult exited(int code, std::string out, std::string err = "") {
  result::RunResult run;
  run.verdict = code == 0 ? result::Verdict::ok : result::Verdict::runtime_error;
  run.exit_code = code;
  run.stdout_data = std::move(out);
  run.stderr_data = std::move(err);
  run.time_ms = 12;
  run.wall_ms = 34;
  run.memory_kb = 2048;
  return run;
}

void check_refused(const Answer& answer, const std::string& message) {
  INFO(answer.body);
  CHECK(answer.status == 400);
  CHECK(test::str(answer.json().at("message")) == message);
}

}  // namespace

TEST_CASE("runtimes list the served languages with Piston's aliases", "[http][piston]") {
  HttpTestServer server;
  const Answer answer = test::get(server.port(), "/api/v2/runtimes");
  REQUIRE(answer.status == 200);
  const auto runtimes = answer.json().as_array();
  REQUIRE(runtimes.size() == 2);
  CHECK(runtimes[0].at("language") == "python");
  CHECK(runtimes[0].at("version") == "3.11.2");
  CHECK(runtimes[0].at("aliases") == boost::json::array{"py", "py3", "python3"});
  CHECK_FALSE(runtimes[0].as_object().contains("runtime"));
  CHECK(runtimes[1].at("language") == "c");
  CHECK(runtimes[1].at("runtime") == "gcc");
}

TEST_CASE("an execute is a submission and answers its run", "[http][piston]") {
  PistonServer piston;
  const Answer answer = piston.execute(
      R"j({"language":"py","version":"*","files":[{"name":"main.py","content":"print(1)"}],)j"
      R"("stdin":"in","args":["1",2],"compile_timeout":10000,"run_timeout":1e9,)"
      R"("run_cpu_time":1500,"compile_memory_limit":-1,"run_memory_limit":-1})",
      exited(3, "out\n", "err\n"));
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  const auto body = answer.json().as_object();
  CHECK(body.at("language") == "python");
  CHECK(body.at("version") == "3.11.2");
  CHECK(test::str(body.at("id")) == piston.first_id());
  CHECK_FALSE(body.contains("compile"));
  const auto& run = body.at("run");
  CHECK(run.at("stdout") == "out\n");
  CHECK(run.at("stderr") == "err\n");
  CHECK(run.at("output") == "out\nerr\n");
  CHECK(run.at("code") == 3);
  CHECK(run.at("signal").is_null());
  CHECK(run.at("status") == "RE");
  CHECK(run.at("message") == "Exited with error status 3");
  CHECK(run.at("cpu_time") == 12);
  CHECK(run.at("wall_time") == 34);
  CHECK(run.at("memory") == 2048 * 1024);

  const submission::Submission stored = piston.submitted();
  CHECK(stored.language == "python");
  CHECK(stored.code == "print(1)");
  CHECK(stored.stdin_data == "in");
  CHECK(stored.args == std::vector<std::string>{"1", "2"});
  CHECK(stored.limits.wall_ms == core::LimitSettings{}.max_wall_ms);  // clamped, not refused
  CHECK(stored.limits.cpu_ms == 1500);
  CHECK_FALSE(stored.limits.memory_kb.has_value());  // -1: the default
}

TEST_CASE("files may be base64 or hex, and a compile error is the run", "[http][piston]") {
  PistonServer piston;
  result::RunResult broken;
  broken.verdict = result::Verdict::compile_error;
  broken.compile_output = "main.c:1: error: expected ';'\n";
  const std::string encoding = GENERATE("base64", "hex");
  const std::string content = encoding == "hex" ? "696e74" : "aW50";  // "int"
  const Answer answer = piston.execute(
      R"({"language":"c","version":"12","files":[{"content":")" + content +
          R"(","encoding":")" + encoding + R"("}]})",
      broken);
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  CHECK(piston.submitted().code == "int");
  const auto body = answer.json().as_object();
  CHECK(body.at("compile").at("code") == 1);
  CHECK(test::str(body.at("compile").at("output")) == broken.compile_output);
  CHECK(body.at("run") == body.at("compile"));
}

TEST_CASE("a signal and a time limit answer Piston's statuses", "[http][piston]") {
  PistonServer piston;
  result::RunResult run;
  const bool timed_out = GENERATE(false, true);
  run.verdict = timed_out ? result::Verdict::time_limit_exceeded : result::Verdict::runtime_error;
  run.signal = 11;
  const Answer answer = piston.execute(
      R"({"language":"c","version":"*","files":[{"content":"int main;"}]})", run);
  REQUIRE(answer.status == 200);
  const auto body = answer.json().as_object();
  CHECK(body.at("compile").at("code") == 0);
  CHECK(body.at("run").at("code").is_null());
  CHECK(body.at("run").at("status") == (timed_out ? "TO" : "SG"));
  CHECK(body.at("run").at("signal") == (timed_out ? "SIGKILL" : "SIGSEGV"));
}

TEST_CASE("bad executes answer Piston's 400 {message} and submit nothing", "[http][piston]") {
  PistonServer piston;
  const auto execute = [&](const std::string& body) {
    return test::post(piston.server.port(), "/api/v2/execute", body);
  };
  check_refused(execute(R"({"version":"*","files":[]})"), "language is required as a string");
  check_refused(execute(R"({"language":"py","files":[]})"), "version is required as a string");
  check_refused(execute(R"({"language":"py","version":"*"})"), "files is required as an array");
  check_refused(execute(R"({"language":"py","version":"*","files":[{"content":1}]})"),
                "files[0].content is required as a string");
  check_refused(execute(R"({"language":"cobol","version":"1.0","files":[{"content":""}]})"),
                "cobol-1.0 runtime is unknown");
  check_refused(
      execute(R"({"language":"py","version":"*","files":[{"content":"a"},{"content":"b"}]})"),
      "ide runs one file per job; this request has 2");
  check_refused(
      execute(R"({"language":"py","version":"*","files":[{"content":"zz","encoding":"hex"}]})"),
      "files[0].content is not hex");
  check_refused(
      execute(R"({"language":"py","version":"*","files":[{"content":"a","encoding":"rot13"}]})"),
      "files[0].encoding must be one of utf8, base64 or hex");
  check_refused(execute(R"({"language":"py","version":"*","files":[{"content":"a"}],)"
                        R"("run_timeout":"3s"})"),
                "If specified, run_timeout must be a number");
  check_refused(execute(R"({"language":"py","version":"*","files":[{"content":"a"}],)"
                        R"("args":[{}]})"),
                "args must be an array of strings");
  const Answer not_json = execute("{");
  CHECK(not_json.status == 400);
  CHECK(not_json.json().as_object().contains("message"));
  std::lock_guard lock(piston.mutex);
  CHECK(piston.ids.empty());
}
