// The seed workload, open loop (issue 8): P client processes, each with its own io_context,
// send submits and reads at rate/P each on a fixed schedule; latency counts from the time a
// request was due, so a slow server cannot slow the client down and hide its own queueing
// (no coordinated omission). Every answer is checked.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fmt/core.h>

#include "http_pool.hpp"
#include "modes.hpp"
#include "stats.hpp"
#include "workload.hpp"

namespace ide::bench {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int poll_wait_ms = 30000;
constexpr int max_polls = 20;  // 10 minutes of long polls per submission at most
constexpr int check_concurrency = 4;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string result_target(const std::string& id) { return "/api/v1/submissions/" + id + "/result"; }

/// What went wrong with an answer, as an error kind; empty when it has `wanted` status.
std::string transport_error(const Reply& reply, unsigned wanted) {
  if (reply.error) return "connection: " + reply.error.message();
  if (reply.status != wanted) return fmt::format("status {}", reply.status);
  return {};
}

/// A finished result that reads may ask for.
struct Readable {
  std::string target;
  Expected expected;
};

/// Long-polls a submission's result until it is done, then checks its output.
asio::awaitable<Check> await_result(ConnectionPool& pool, const std::string& id,
                                    const Expected& expected) {
  const std::string target = fmt::format("{}?wait_ms={}", result_target(id), poll_wait_ms);
  for (int poll = 0; poll < max_polls; ++poll) {
    Reply reply = co_await pool.exchange(http::verb::get, target, {});
    if (std::string error = transport_error(reply, 200); !error.empty()) {
      co_return Check{.finished = true, .error = error};
    }
    Check check = check_result(reply.body, expected);
    if (check.finished) co_return check;
  }
  co_return Check{.finished = true, .error = "unfinished after 10 minutes"};
}

struct Submission {
  std::string body;
  Expected expected;
};

Submission make_submission(const std::string& code, std::size_t stdin_bytes, std::uint64_t seed) {
  std::string input = seed_input(stdin_bytes, seed);
  Expected expected = expect(swapcase(input));
  return {submission_body("python", code, input), expected};
}

/// Submits `count` programs before the clock, `check_concurrency` at a time, and waits for
/// every one: the finished results the reads draw on.
std::optional<std::vector<Readable>> seed_read_pool(const tcp::endpoint& endpoint,
                                                    const std::string& code,
                                                    std::size_t stdin_bytes, int count,
                                                    std::uint64_t seed) {
  asio::io_context io;
  ConnectionPool pool(io.get_executor(), endpoint);
  std::vector<Readable> readable;
  std::string failure;
  int next = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < count && failure.empty()) {
      const int index = next++;
      Submission submission = make_submission(code, stdin_bytes, seed * 1'000'000'000ULL + 900'000'000ULL + index);
      Reply reply = co_await pool.exchange(http::verb::post, "/api/v1/submissions", submission.body);
      auto id = transport_error(reply, 202).empty() ? submitted_id(reply.body) : std::nullopt;
      if (!id) {
        failure = fmt::format("submit: {} {}", transport_error(reply, 202), reply.body.substr(0, 200));
        co_return;
      }
      Check check = co_await await_result(pool, *id, submission.expected);
      if (!check.error.empty()) {
        failure = fmt::format("result of {}: {}", *id, check.error);
        co_return;
      }
      readable.push_back({result_target(*id), submission.expected});
    }
  };
  for (int w = 0; w < check_concurrency; ++w) asio::co_spawn(io, worker(), asio::detached);
  io.run();
  if (!failure.empty()) {
    fmt::print(stderr, "bench_load: seeding the read pool failed: {}\n", failure);
    return std::nullopt;
  }
  return readable;
}

/// What one client process sends: its share of the schedule.
struct Share {
  int index = 0;      // k of P
  int processes = 1;  // P
  const SeedOptions* options = nullptr;
  std::string code;
  tcp::endpoint endpoint;
  std::vector<Readable> pool;

  /// Request i of this process on a stream of `rate`/s is due at t0 + (k + i*P) / rate.
  double due_s(int i, double rate) const { return (index + static_cast<double>(i) * processes) / rate; }
  int requests(double rate) const {
    int n = 0;
    while (due_s(n, rate) < options->duration_s) ++n;
    return n;
  }
};

/// One client process: prepares every body, then runs its share from t0 and checks the rest.
class Client {
 public:
  explicit Client(Share share) : share_(std::move(share)), readable_(share_.pool), pick_(share_.index + 1) {}

  void prepare() {
    const int count = share_.requests(share_.options->submit_rate);
    for (int i = 0; i < count; ++i) {
      const auto global = static_cast<std::uint64_t>(share_.index + i * share_.processes);
      bodies_.push_back(make_submission(share_.code, share_.options->stdin_bytes,
                                        share_.options->seed * 1'000'000'000ULL + global));
    }
  }

  json::value run(Clock::time_point t0) {
    asio::io_context io;
    ConnectionPool pool(io.get_executor(), share_.endpoint);
    pool_ = &pool;
    const SeedOptions& o = *share_.options;
    asio::co_spawn(io, stream(t0, o.submit_rate, [this](int i, Clock::time_point due) { return submit(i, due); }),
                   asio::detached);
    asio::co_spawn(io, stream(t0, o.read_rate, [this](int, Clock::time_point due) { return read(due); }),
                   asio::detached);
    io.run();
    const auto measured_end = Clock::now();
    for (int w = 0; w < check_concurrency; ++w) asio::co_spawn(io, check_rest(), asio::detached);
    io.restart();
    io.run();
    const auto end = Clock::now();
    return json::object{{"submit", submit_.to_json()},
                        {"read", read_.to_json()},
                        {"check", check_.to_json()},
                        {"accepted", accepted_.size()},
                        {"connections", pool.opened()},
                        {"retries", pool.retries()},
                        {"measured_s", ms_between(t0, measured_end) / 1000},
                        {"drain_s", ms_between(measured_end, end) / 1000}};
  }

 private:
  struct Accepted {
    std::string id;
    Expected expected;
    bool checked = false;
  };
  using Fire = std::function<asio::awaitable<void>(int, Clock::time_point)>;

  asio::awaitable<void> stream(Clock::time_point t0, double rate, Fire fire) {
    if (rate <= 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0;; ++i) {
      const double due_s = share_.due_s(i, rate);
      if (due_s >= share_.options->duration_s) break;
      const auto due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(due_s));
      timer.expires_at(due);
      co_await timer.async_wait(asio::use_awaitable);
      asio::co_spawn(timer.get_executor(), fire(i, due), asio::detached);
    }
  }

  asio::awaitable<void> submit(int i, Clock::time_point due) {
    Reply reply = co_await pool_->exchange(http::verb::post, "/api/v1/submissions", bodies_[i].body);
    const double latency = ms_between(due, Clock::now());
    std::string error = transport_error(reply, 202);
    auto id = error.empty() ? submitted_id(reply.body) : std::nullopt;
    if (error.empty() && !id) error = "answer without id";
    if (!error.empty()) {
      submit_.fail(error);
      co_return;
    }
    submit_.ok(latency);
    accepted_.push_back({*id, bodies_[i].expected});
    if (share_.options->watch) co_await check(accepted_.size() - 1);
  }

  asio::awaitable<void> read(Clock::time_point due) {
    if (readable_.empty()) {
      read_.fail("nothing to read");
      co_return;
    }
    const Readable target = readable_[std::uniform_int_distribution<std::size_t>(0, readable_.size() - 1)(pick_)];
    Reply reply = co_await pool_->exchange(http::verb::get, target.target, {});
    const double latency = ms_between(due, Clock::now());
    std::string error = transport_error(reply, 200);
    if (error.empty()) {
      Check check = check_result(reply.body, target.expected);
      error = !check.finished ? "unfinished" : check.error;
    }
    if (error.empty()) read_.ok(latency);
    else read_.fail(error);
  }

  // Waits for accepted submission `index` and checks its output; right ones become readable.
  asio::awaitable<void> check(std::size_t index) {
    accepted_[index].checked = true;
    const std::string id = accepted_[index].id;
    const Expected expected = accepted_[index].expected;
    Check result = co_await await_result(*pool_, id, expected);
    if (!result.error.empty()) {
      check_.fail(result.error);
      co_return;
    }
    check_.ok(result.turnaround_ms);
    readable_.push_back({result_target(id), expected});
  }

  asio::awaitable<void> check_rest() {
    while (next_unchecked_ < accepted_.size()) {
      const std::size_t index = next_unchecked_++;
      if (!accepted_[index].checked) co_await check(index);
    }
  }

  Share share_;
  std::vector<Submission> bodies_;
  std::vector<Accepted> accepted_;
  std::size_t next_unchecked_ = 0;
  std::vector<Readable> readable_;
  std::mt19937_64 pick_;
  ConnectionPool* pool_ = nullptr;
  RouteStats submit_, read_, check_;
};

bool write_all(int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

/// A forked client process and the two pipes to it.
struct Child {
  pid_t pid = -1;
  int to_child = -1;    // the start time t0
  int from_child = -1;  // a ready byte, then the results as JSON
};

[[noreturn]] void child_main(Share share, int from_parent, int to_parent) {
  Client client(std::move(share));
  client.prepare();
  char ready = 'r';
  std::int64_t t0_ns = 0;
  if (!write_all(to_parent, &ready, 1) || ::read(from_parent, &t0_ns, sizeof t0_ns) != sizeof t0_ns) _exit(3);
  const Clock::time_point t0{std::chrono::nanoseconds(t0_ns)};
  const std::string results = json::serialize(client.run(t0));
  _exit(write_all(to_parent, results.data(), results.size()) ? 0 : 3);
}

std::optional<Child> fork_client(const Share& share) {
  int down[2];
  int up[2];
  if (::pipe(down) != 0 || ::pipe(up) != 0) return std::nullopt;
  const pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    ::close(down[1]);
    ::close(up[0]);
    child_main(share, down[0], up[1]);
  }
  ::close(down[0]);
  ::close(up[1]);
  return Child{pid, down[1], up[0]};
}

long vm_rss_kb(int pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

/// The server's VmRSS at t0 and then every second, on a thread of its own.
class RssSampler {
 public:
  RssSampler(int pid, Clock::time_point t0) : pid_(pid) {
    if (pid_ > 0) thread_ = std::thread([this, t0] { sample(t0); });
  }
  ~RssSampler() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  /// Samples [second, kB]; the maximum over the load's `duration_s` and over the whole run
  /// (which includes the checks after the clock).
  json::value to_json(double duration_s) const {
    json::array samples;
    long max = 0;
    long max_during_load = 0;
    for (const auto& [s, kb] : samples_) {
      samples.push_back(json::array{s, kb});
      max = std::max(max, kb);
      if (s <= duration_s) max_during_load = std::max(max_during_load, kb);
    }
    const long start = samples_.empty() ? 0 : samples_.front().second;
    return json::object{{"pid", pid_},
                        {"start_kb", start},
                        {"max_kb_during_load", max_during_load},
                        {"max_kb", max},
                        {"samples", std::move(samples)}};
  }

 private:
  void sample(Clock::time_point t0) {
    std::this_thread::sleep_until(t0);
    for (int second = 0; !stop_; ++second) {
      const long kb = vm_rss_kb(pid_);
      if (kb >= 0) samples_.emplace_back(second, kb);
      std::this_thread::sleep_until(t0 + std::chrono::seconds(second + 1));
    }
  }
  int pid_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::pair<int, long>> samples_;
};

void write_sample(const std::string& dir, const std::string& code, std::size_t stdin_bytes,
                  std::uint64_t seed) {
  std::filesystem::create_directories(dir);
  const std::string input = seed_input(stdin_bytes, seed * 1'000'000'000ULL);
  std::ofstream(std::filesystem::path(dir) / "code.py", std::ios::binary) << code;
  std::ofstream(std::filesystem::path(dir) / "stdin.txt", std::ios::binary) << input;
  std::ofstream(std::filesystem::path(dir) / "stdout.txt", std::ios::binary) << swapcase(input);
}

void print_route(const char* name, const json::value& summary) {
  const json::object& s = summary.as_object();
  fmt::print("  {:<7} count {:>5}  errors {:>3}  p50 {:>8.1f} ms  p99 {:>8.1f} ms  max {:>8.1f} ms{}\n",
             name, s.at("count").to_number<int>(), s.at("errors").to_number<int>(),
             s.at("p50_ms").to_number<double>(), s.at("p99_ms").to_number<double>(),
             s.at("max_ms").to_number<double>(),
             s.contains("rate_per_s") ? fmt::format("  {:.2f}/s", s.at("rate_per_s").to_number<double>()) : "");
  for (const auto& [kind, n] : s.at("errors_by_kind").as_object()) {
    fmt::print("          {} x {}\n", n.to_number<int>(), std::string_view(kind));
  }
}

}  // namespace

int run_seed(const SeedOptions& o) {
  auto endpoint = parse_url(o.url);
  if (!endpoint) {
    fmt::print(stderr, "bench_load: bad --url {} (want http://HOST:PORT)\n", o.url);
    return 2;
  }
  const std::string code = seed_program(o.code_bytes);
  if (!o.sample_dir.empty()) write_sample(o.sample_dir, code, o.stdin_bytes, o.seed);
  const auto seeding = Clock::now();
  auto pool = seed_read_pool(*endpoint, code, o.stdin_bytes, o.read_pool, o.seed);
  if (!pool) return 1;
  const double seed_s = ms_between(seeding, Clock::now()) / 1000;
  fmt::print("seeded {} finished results in {:.1f} s; encoding the bodies in {} processes\n",
             pool->size(), seed_s, o.processes);
  std::fflush(stdout);

  std::vector<Child> children;
  for (int k = 0; k < o.processes; ++k) {
    auto child = fork_client(Share{k, o.processes, &o, code, *endpoint, *pool});
    if (!child) {
      fmt::print(stderr, "bench_load: fork failed\n");
      return 1;
    }
    children.push_back(*child);
  }
  for (const Child& child : children) {
    char ready = 0;
    if (::read(child.from_child, &ready, 1) != 1) fmt::print(stderr, "bench_load: a client died\n");
  }
  const auto t0 = Clock::now() + std::chrono::milliseconds(200);
  const std::int64_t t0_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch()).count();
  RssSampler rss(o.server_pid, t0);
  for (const Child& child : children) write_all(child.to_child, &t0_ns, sizeof t0_ns);
  fmt::print("running {:.0f} s: {} submits/s, {} reads/s\n", o.duration_s, o.submit_rate, o.read_rate);
  std::fflush(stdout);

  RouteStats submit, read, check;
  std::size_t accepted = 0, connections = 0, retries = 0;
  double measured_s = 0, drain_s = 0;
  bool clients_ok = true;
  for (const Child& child : children) {
    const std::string text = read_all(child.from_child);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    boost::system::error_code error;
    json::value parsed = json::parse(text, error);
    if (error || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      clients_ok = false;
      continue;
    }
    const json::object& r = parsed.as_object();
    submit.merge(RouteStats::from_json(r.at("submit")));
    read.merge(RouteStats::from_json(r.at("read")));
    check.merge(RouteStats::from_json(r.at("check")));
    accepted += r.at("accepted").to_number<std::size_t>();
    connections += r.at("connections").to_number<std::size_t>();
    retries += r.at("retries").to_number<std::size_t>();
    measured_s = std::max(measured_s, r.at("measured_s").to_number<double>());
    drain_s = std::max(drain_s, r.at("drain_s").to_number<double>());
  }
  rss.stop();

  const bool ok = clients_ok && submit.error_count() == 0 && read.error_count() == 0 &&
                  check.error_count() == 0 && check.latencies_ms.size() == accepted;
  json::object report{
      {"mode", "seed"},
      {"url", o.url},
      {"duration_s", o.duration_s},
      {"submit_rate", o.submit_rate},
      {"read_rate", o.read_rate},
      {"processes", o.processes},
      {"code_bytes", o.code_bytes},
      {"stdin_bytes", o.stdin_bytes},
      {"read_pool", pool->size()},
      {"watch", o.watch},
      {"schedule", "uniform: request i of process k (of P) on a stream of rate R is due at t0 + (k + i*P)/R; "
                   "latency counts from the due time"},
      {"routes", json::object{{"submit", submit.summary(o.duration_s)}, {"read", read.summary(o.duration_s)}}},
      {"turnaround", check.summary(0)},
      {"submissions_accepted", accepted},
      {"submissions_stored", accepted + pool->size()},
      {"connections_opened", connections},
      {"stale_connection_retries", retries},
      {"seed_pool_s", seed_s},
      {"last_answer_s", measured_s},
      {"drain_s", drain_s},
      {"rss", rss.to_json(o.duration_s)},
      {"clients_ok", clients_ok},
      {"ok", ok}};
  fmt::print("seed workload, {:.0f} s, {} processes, {} connections opened:\n", o.duration_s, o.processes, connections);
  print_route("submit", report["routes"].as_object()["submit"]);
  print_route("read", report["routes"].as_object()["read"]);
  fmt::print("  after the clock: {} of {} submissions checked in {:.1f} s (turnaround = server's finished_at - created_at)\n",
             check.latencies_ms.size(), accepted, drain_s);
  print_route("turn", report["turnaround"]);
  if (o.server_pid > 0) {
    const json::object& r = report["rss"].as_object();
    fmt::print("  server VmRSS: {} kB at t0, {} kB max during the load, {} kB max with the checks after it\n",
               r.at("start_kb").to_number<long>(), r.at("max_kb_during_load").to_number<long>(),
               r.at("max_kb").to_number<long>());
  }
  fmt::print("{}\n", ok ? "OK: every answer right" : "FAILED: errors above");
  if (!o.json_file.empty() && !write_json(o.json_file, report)) return 1;
  return ok ? 0 : 1;
}

}  // namespace ide::bench
