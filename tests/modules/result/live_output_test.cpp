// ResultService::read_live and send_stdin over the real executor and sandbox (insecure mode):
// a running job's output is readable while it runs, an interactive job takes stdin lines, and
// the stored result is what it would be without anyone watching.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "compose/job_source.hpp"
#include "live_runs.hpp"
#include "result/module.hpp"
#include "service_harness.hpp"

using namespace std::chrono_literals;
using ide::result::LiveOutput;
using ide::result::LiveStream;
using ide::result::ResultService;
using ide::result::StdinReply;

namespace {

struct LiveModule {
  ide::test::TempDir dir;
  ide::core::SystemClock clock;
  ide::test::FakeSubmissionService submissions;
  ide::compose::SubmissionJobSource jobs{submissions};
  std::unique_ptr<ide::result::ResultModule> module;

  LiveModule() {
    ide::result::ResultOptions config;
    config.data_dir = dir / "data";
    config.workers = 1;
    config.insecure_no_sandbox = true;
    auto made = ide::result::make_result_module(config, clock);
    REQUIRE(made);
    module = std::move(*made);
    module->start(jobs);
  }
  ~LiveModule() { module->stop(5s); }

  ResultService& service() { return module->service(); }

  std::string submit(ide::submission::Submission submission) {
    const std::string id = submissions.add(std::move(submission));
    REQUIRE(service().enqueue(id));
    return id;
  }
};

ide::submission::Submission python(std::string code, bool interactive = false) {
  ide::submission::Submission s;
  s.language = "python";
  s.code = std::move(code);
  s.interactive = interactive;
  return s;
}

/// Reads a job's live output on until the stdout read so far contains `until` (or the run
/// is done), long-polling; fails after a minute.
class Reader {
 public:
  Reader(ResultService& service, std::string id) : service_(service), id_(std::move(id)) {}

  void read_until(std::string_view until) {
    const auto limit = std::chrono::steady_clock::now() + 60s;
    while (!done && stdout_seen.find(until) == std::string::npos) {
      REQUIRE(std::chrono::steady_clock::now() < limit);
      auto output = service_.read_live(id_, offset_, 1s);
      REQUIRE(output);
      for (const auto& chunk : output->chunks) {
        (chunk.stream == LiveStream::stdout_stream ? stdout_seen : stderr_seen) += chunk.bytes;
      }
      CHECK(output->next_offset >= offset_);
      offset_ = output->next_offset;
      done = output->done;
    }
  }
  std::string stdout_seen;
  std::string stderr_seen;
  bool done = false;

 private:
  ResultService& service_;
  std::string id_;
  std::uint64_t offset_ = 0;
};

StdinReply reply_of(ide::core::Result<StdinReply> reply) {
  INFO((reply ? "" : reply.error().message));
  REQUIRE(reply);
  return *reply;
}

}  // namespace

TEST_CASE("a running job's output is live, and an interactive one reads stdin lines",
          "[result][execution][live]") {
  LiveModule live;
  const std::string id = live.submit(
      python("import sys, time\nprint('name?', flush=True)\nname = input()\n"
             "print('hello', name, flush=True)\nprint('warn', file=sys.stderr, flush=True)\n"
             "time.sleep(0.2)\nprint('rest', repr(sys.stdin.read()))\n",
             true));
  Reader reader{live.service(), id};
  reader.read_until("name?");
  // The program waits for its line: it is running, its first line already here.
  REQUIRE_FALSE(reader.done);
  CHECK(reply_of(live.service().send_stdin(id, "Ada\n", false)) == StdinReply::accepted);
  reader.read_until("hello Ada");
  CHECK(reply_of(live.service().send_stdin(id, "", true)) == StdinReply::accepted);
  reader.read_until("the end");
  REQUIRE(reader.done);
  auto stored = live.service().get_result(id);
  REQUIRE(stored);
  CHECK(stored->verdict == ide::result::Verdict::ok);
  CHECK(stored->stdout_data == "name?\nhello Ada\nrest ''\n");
  CHECK(reader.stdout_seen == stored->stdout_data);
  CHECK(reader.stderr_seen == "warn\n");
  CHECK(reply_of(live.service().send_stdin(id, "late\n", false)) == StdinReply::ended);
}

TEST_CASE("a plain job streams but keeps its stdin, and a job with tests streams nothing",
          "[result][execution][live]") {
  LiveModule live;
  ide::submission::Submission ticker =
      python("import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.4)\n");
  const std::string id = live.submit(ticker);
  Reader reader{live.service(), id};
  reader.read_until("0\n");
  REQUIRE_FALSE(reader.done);  // the first line came while the program still ran
  CHECK(reply_of(live.service().send_stdin(id, "x\n", false)) == StdinReply::not_interactive);
  reader.read_until("never printed");
  CHECK(reader.stdout_seen == "0\n1\n2\n");

  ide::submission::Submission tested = python("print(input())\n", true);
  tested.tests = {
      ide::core::TestCase{.name = "", .stdin_data = "secret\n", .expected_stdout = "secret\n"}};
  const std::string tested_id = live.submit(tested);
  Reader quiet{live.service(), tested_id};
  quiet.read_until("never printed");
  CHECK(quiet.stdout_seen.empty());
  auto stored = live.service().get_result(tested_id);
  REQUIRE(stored);
  REQUIRE(stored->tests.size() == 1);
  CHECK(stored->tests[0].verdict == ide::result::Verdict::ok);
}

TEST_CASE("live calls on an unknown id", "[result][live]") {
  LiveModule live;
  auto output = live.service().read_live("nope", 0, 0ms);
  REQUIRE_FALSE(output);
  CHECK(output.error().code == ide::core::ErrorCode::not_found);
  CHECK(reply_of(live.service().send_stdin("nope", "x", false)) == StdinReply::not_found);
}

TEST_CASE("a live run keeps at most its cap: the oldest pieces go, offsets stay true",
          "[result][live]") {
  ide::result::LiveRun run(10);
  run.start(false);
  run.output(ide::sandbox::OutputStream::stdout_stream, "aaaaaa");
  run.output(ide::sandbox::OutputStream::stderr_stream, "bbbbbb");
  run.output(ide::sandbox::OutputStream::stdout_stream, "cccccc");
  // 10 bytes hold one piece of 6: the two older ones went, and a reader behind them skips.
  const LiveOutput behind = run.read(0, 0ms);
  REQUIRE(behind.chunks.size() == 1);
  CHECK(behind.chunks[0].bytes == "cccccc");
  CHECK(behind.next_offset == 18);
  CHECK_FALSE(behind.done);
  const LiveOutput middle = run.read(14, 0ms);
  REQUIRE(middle.chunks.size() == 1);
  CHECK(middle.chunks[0].bytes == "cccc");
  CHECK(reply_of(run.send("x", false)) == StdinReply::not_interactive);
  run.finish();
  const LiveOutput end = run.read(18, 5s);  // answered at once: the run is over
  CHECK(end.chunks.empty());
  CHECK(end.done);
  CHECK(reply_of(run.send("x", false)) == StdinReply::ended);
}
