// Closed-loop execution throughput: `lanes` runs a program through the server on N lanes (submit,
// long-poll the result, check, repeat); `bare` runs the same program directly on N lanes, the
// reference the server's runs/s is compared with.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <fmt/core.h>

#include "http_pool.hpp"
#include "modes.hpp"
#include "stats.hpp"
#include "workload.hpp"

extern char** environ;

namespace ide::bench {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The program a lane runs: --code-file (with --expect) or the built-in hello world.
std::optional<Program> lane_program(const std::string& language, const std::string& code_file,
                                    const std::optional<std::string>& expected) {
  if (code_file.empty()) {
    auto program = hello_world(language);
    if (!program) fmt::print(stderr, "bench_load: no built-in program for {}\n", language);
    return program;
  }
  std::ifstream file(code_file, std::ios::binary);
  if (!file) {
    fmt::print(stderr, "bench_load: cannot read {}\n", code_file);
    return std::nullopt;
  }
  std::ostringstream text;
  text << file.rdbuf();
  return Program{text.str(), expected.value_or("")};
}

/// Counts runs across lanes and says when to stop: after `runs` in all, or after the duration.
class Budget {
 public:
  Budget(int runs, double duration_s) : runs_(runs), duration_s_(duration_s) {}
  void start() { start_ = Clock::now(); }
  bool take() {
    if (runs_ > 0) return taken_.fetch_add(1) < runs_;
    return seconds_since(start_) < duration_s_;
  }
  double elapsed() const { return seconds_since(start_); }

 private:
  int runs_;
  double duration_s_;
  std::atomic<int> taken_{0};
  Clock::time_point start_;
};

json::value throughput_report(const char* mode, const std::string& language, int lanes,
                              const RouteStats& stats, double seconds) {
  json::object report = stats.summary(seconds).as_object();
  report["mode"] = mode;
  report["language"] = language;
  report["lanes"] = lanes;
  report["seconds"] = seconds;
  report["runs_per_s"] = static_cast<double>(stats.latencies_ms.size()) / seconds;
  return report;
}

int finish(const json::value& report, const RouteStats& stats, const std::string& json_file) {
  const json::object& r = report.as_object();
  fmt::print("{} {} on {} lanes: {} runs in {:.1f} s = {:.2f} runs/s, p50 {:.1f} ms, p99 {:.1f} ms, {} errors\n",
             std::string_view(r.at("mode").as_string()), std::string_view(r.at("language").as_string()),
             r.at("lanes").to_number<int>(), stats.latencies_ms.size(), r.at("seconds").to_number<double>(),
             r.at("runs_per_s").to_number<double>(), r.at("p50_ms").to_number<double>(),
             r.at("p99_ms").to_number<double>(), stats.error_count());
  for (const auto& [kind, n] : stats.errors) fmt::print("  {} x {}\n", n, kind);
  if (!json_file.empty() && !write_json(json_file, report)) return 1;
  return stats.error_count() == 0 && !stats.latencies_ms.empty() ? 0 : 1;
}

// One run through the server: submit, long-poll until done, check. Empty on success.
asio::awaitable<std::string> run_through_server(ConnectionPool& pool, const std::string& body,
                                                const std::optional<std::string>& expected) {
  Reply reply = co_await pool.exchange(http::verb::post, "/api/v1/submissions", body);
  if (reply.error) co_return "connection: " + reply.error.message();
  if (reply.status != 202) co_return fmt::format("submit status {}", reply.status);
  auto id = submitted_id(reply.body);
  if (!id) co_return "answer without id";
  const std::string target = "/api/v1/submissions/" + *id + "/result?wait_ms=30000";
  for (int poll = 0; poll < 20; ++poll) {
    Reply result = co_await pool.exchange(http::verb::get, target, {});
    if (result.error) co_return "connection: " + result.error.message();
    if (result.status != 200) co_return fmt::format("result status {}", result.status);
    Check check = check_output(result.body, expected);
    if (check.finished) co_return check.error;
  }
  co_return "unfinished after 10 minutes";
}

// One lane's run of the program in its own directory: the steps one after the other, stdout of
// the last one captured. Empty on success.
std::string run_steps(const std::filesystem::path& dir, const std::vector<std::vector<std::string>>& steps,
                      const std::optional<std::string>& expected) {
  static char python_env[] = "PYTHONDONTWRITEBYTECODE=1";
  static char path_env[] = "PATH=/usr/bin:/bin";
  char* env[] = {path_env, python_env, nullptr};
  std::string out;
  for (const auto& step : steps) {
    std::vector<char*> argv;
    for (const auto& a : step) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return "pipe failed";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), env);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    out.clear();
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    if (spawned != 0) return fmt::format("spawn {} failed", step[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return fmt::format("{} failed", step[0]);
  }
  if (expected && out != *expected) return "wrong output";
  return {};
}

/// What `bare` runs for a language: its compile (as config/languages.json) and run commands.
std::optional<std::pair<std::string, std::vector<std::vector<std::string>>>> bare_steps(
    const std::string& language) {
  if (language == "python") return std::pair{std::string("main.py"), std::vector<std::vector<std::string>>{{"/usr/bin/python3", "main.py"}}};
  if (language == "c") {
    return std::pair{std::string("main.c"),
                     std::vector<std::vector<std::string>>{
                         {"/usr/bin/gcc", "-O2", "-pipe", "-o", "main", "main.c", "-lm"}, {"./main"}}};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Program> hello_world(const std::string& language) {
  if (language == "python") return Program{"print(\"hello, world\")\n", "hello, world\n"};
  if (language == "c") {
    return Program{"#include <stdio.h>\n\nint main(void) {\n  puts(\"hello, world\");\n  return 0;\n}\n",
                   "hello, world\n"};
  }
  return std::nullopt;
}

bool write_json(const std::string& path, const json::value& value) {
  std::ofstream file(path, std::ios::binary);
  file << json::serialize(value) << '\n';
  if (!file) fmt::print(stderr, "bench_load: cannot write {}\n", path);
  return static_cast<bool>(file);
}

int run_lanes(const LanesOptions& o) {
  auto endpoint = parse_url(o.url);
  if (!endpoint) {
    fmt::print(stderr, "bench_load: bad --url {} (want http://HOST:PORT)\n", o.url);
    return 2;
  }
  auto program = lane_program(o.language, o.code_file, o.expect);
  if (!program) return 2;
  const std::optional<std::string> expected =
      o.code_file.empty() ? std::optional(program->stdout_text) : o.expect;
  const std::string body = submission_body(o.language, program->source, "");

  asio::io_context io;
  ConnectionPool pool(io.get_executor(), *endpoint);
  RouteStats stats;
  Budget budget(o.runs, o.duration_s);
  int warming = o.lanes;
  auto lane = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < o.warmup; ++i) {
      if (auto error = co_await run_through_server(pool, body, expected); !error.empty()) stats.fail("warm-up: " + error);
    }
    if (--warming == 0) budget.start();  // the last lane to be warm starts the clock
    while (warming > 0) co_await asio::post(io, asio::use_awaitable);
    while (budget.take()) {
      const auto start = Clock::now();
      std::string error = co_await run_through_server(pool, body, expected);
      if (error.empty()) stats.ok(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      else stats.fail(error);
    }
  };
  for (int l = 0; l < o.lanes; ++l) asio::co_spawn(io, lane(), asio::detached);
  io.run();
  const double seconds = budget.elapsed();
  return finish(throughput_report("lanes", o.language, o.lanes, stats, seconds), stats, o.json_file);
}

int run_bare(const BareOptions& o) {
  std::string source_name = "main.sh";
  std::vector<std::vector<std::string>> steps;
  std::optional<Program> program;
  if (!o.command.empty()) {
    steps = {{"/bin/sh", "-c", o.command}};
  } else {
    auto language = bare_steps(o.language);
    if (!language) {
      fmt::print(stderr, "bench_load: bare knows python and c, or give --command\n");
      return 2;
    }
    std::tie(source_name, steps) = *language;
    program = lane_program(o.language, o.code_file, o.expect);
    if (!program) return 2;
  }
  const std::optional<std::string> expected =
      program && o.code_file.empty() ? std::optional(program->stdout_text) : o.expect;

  const auto root = std::filesystem::temp_directory_path() / fmt::format("bench-bare-{}", ::getpid());
  RouteStats stats;
  std::mutex mutex;
  Budget budget(o.runs, o.duration_s);
  std::atomic<int> warming{o.lanes};
  std::atomic<bool> started{false};  // set after budget.start(), which the other lanes then read
  std::vector<std::thread> lanes;
  for (int l = 0; l < o.lanes; ++l) {
    lanes.emplace_back([&, l] {
      const auto dir = root / fmt::format("lane{}", l);
      std::filesystem::create_directories(dir);
      if (program) std::ofstream(dir / source_name, std::ios::binary) << program->source;
      for (int i = 0; i < o.warmup; ++i) run_steps(dir, steps, expected);
      if (warming.fetch_sub(1) == 1) {
        budget.start();
        started = true;
      }
      while (!started.load()) std::this_thread::yield();
      while (budget.take()) {
        const auto start = Clock::now();
        std::string error = run_steps(dir, steps, expected);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        std::lock_guard lock(mutex);
        if (error.empty()) stats.ok(ms);
        else stats.fail(error);
      }
    });
  }
  for (auto& lane : lanes) lane.join();
  const double seconds = budget.elapsed();
  std::error_code ignored;
  std::filesystem::remove_all(root, ignored);
  return finish(throughput_report("bare", o.command.empty() ? o.language : "command", o.lanes, stats, seconds),
                stats, o.json_file);
}

}  // namespace ide::bench
