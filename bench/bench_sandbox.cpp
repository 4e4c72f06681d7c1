// bench_sandbox: per-run cost of the sandbox beside bare fork+exec, raw kernel namespaces,
// util-linux unshare and bubblewrap, all measured in the same process run (issue 3, item 5).
//
//   bench_sandbox [--runs N] [--python-runs N] [--throughput-runs N] [--boxes DIR]
//                 [--server-rss-mb N] [--json FILE]
//
// Prints a Markdown table (median and p90 per method) and the runs/s of two workers; --json
// writes the same figures for scripts/bench.sh.
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "sandbox/sandbox.hpp"

extern char** environ;

namespace {

namespace sb = ide::sandbox;
using Clock = std::chrono::steady_clock;

struct Stats {
  double median_ms = 0;
  double p90_ms = 0;
  double cpu_ms = 0;  // CPU time per run of this process and its children (less noisy)
  int failures = 0;
};

double cpu_ms_now() {
  rusage self{};
  rusage children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto ms = [](const timeval& tv) { return tv.tv_sec * 1e3 + tv.tv_usec / 1e3; };
  return ms(self.ru_utime) + ms(self.ru_stime) + ms(children.ru_utime) + ms(children.ru_stime);
}

Stats measure(int runs, const std::function<bool()>& once) {
  for (int i = 0; i < std::min(runs, 5); ++i) once();  // warm caches
  std::vector<double> samples;
  Stats stats;
  double cpu_before = cpu_ms_now();
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    bool ok = once();
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!ok) ++stats.failures;
  }
  stats.cpu_ms = (cpu_ms_now() - cpu_before) / runs;
  std::sort(samples.begin(), samples.end());
  stats.median_ms = samples[samples.size() / 2];
  stats.p90_ms = samples[std::min(samples.size() - 1, samples.size() * 9 / 10)];
  return stats;
}

// fork+exec+wait through posix_spawn (vfork-like) and plain fork.
bool spawn_and_wait(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool fork_exec(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct CloneArgs {
  char** argv;
};

int exec_child(void* arg) {
  auto* args = static_cast<CloneArgs*>(arg);
  execv(args->argv[0], args->argv);
  _exit(127);
}

// The kernel's floor for the namespaces the sandbox uses: clone with them, exec, wait.
bool clone_namespaces_exec(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  CloneArgs clone_args{argv.data()};
  static std::vector<char> stack(256 * 1024);
  int flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC |
              CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD;
  pid_t pid = clone(exec_child, stack.data() + stack.size(), flags, &clone_args);
  if (pid < 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::vector<std::string> bwrap_command(const std::vector<std::string>& program) {
  std::vector<std::string> cmd = {"/usr/bin/bwrap",
                                  "--unshare-all",
                                  "--die-with-parent",
                                  "--new-session",
                                  "--clearenv",
                                  "--ro-bind",
                                  "/usr",
                                  "/usr",
                                  "--symlink",
                                  "usr/bin",
                                  "/bin",
                                  "--symlink",
                                  "usr/lib",
                                  "/lib",
                                  "--symlink",
                                  "usr/lib64",
                                  "/lib64",
                                  "--ro-bind",
                                  "/etc/ld.so.cache",
                                  "/etc/ld.so.cache",
                                  "--proc",
                                  "/proc",
                                  "--dev",
                                  "/dev",
                                  "--tmpfs",
                                  "/tmp",
                                  "--uid",
                                  "1000",
                                  "--gid",
                                  "1000"};
  cmd.insert(cmd.end(), program.begin(), program.end());
  return cmd;
}

std::vector<std::string> unshare_command(const std::vector<std::string>& program) {
  std::vector<std::string> cmd = {"/usr/bin/unshare", "--user",      "--pid", "--net",
                                  "--mount",          "--ipc",       "--uts", "--cgroup",
                                  "--fork",           "--kill-child"};
  cmd.insert(cmd.end(), program.begin(), program.end());
  return cmd;
}

bool sandbox_run(sb::Box& box, const std::vector<std::string>& program) {
  sb::StageSpec spec;
  spec.argv = program;
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.limits.cpu_ms = 5000;
  spec.limits.wall_ms = 10000;
  auto outcome = box.run(spec);
  return outcome.termination == sb::Termination::exited && outcome.exit_code == 0;
}

bool has_file(const char* path) { return access(path, X_OK) == 0; }

// Other work on the machine skews wall times: the figures are printed with it.
std::string load_average() {
  std::FILE* file = std::fopen("/proc/loadavg", "r");
  if (file == nullptr) return "unknown";
  char buffer[128] = {};
  std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, file);
  std::fclose(file);
  std::string text(buffer, n);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// Every printed row, for --json.
struct Row {
  std::string method;
  std::string program;
  Stats stats;
};
std::vector<Row> printed_rows;

void print_row(const std::string& method, const std::string& program, const Stats& s) {
  printed_rows.push_back({method, program, s});
  fmt::print("| {} | {} | {:.2f} | {:.2f} | {:.2f} |{}\n", method, program, s.median_ms, s.p90_ms,
             s.cpu_ms, s.failures ? fmt::format(" {} failed runs", s.failures) : "");
  std::fflush(stdout);
}

double throughput(sb::Sandbox& sandbox, int total_runs, unsigned workers) {
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      while (next.fetch_add(1) < total_runs) {
        auto box = sandbox.open_box(w);
        if (!box || !sandbox_run(**box, {"/bin/true"})) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failures.load() > 0) fmt::print("({} failed runs in the throughput test)\n", failures.load());
  return total_runs / seconds;
}

bool write_json(const std::string& path, double throughput_runs_per_s, const std::string& load_start,
                const std::string& load_end) {
  std::string rows;
  for (const Row& row : printed_rows) {
    rows += fmt::format(
        "{}{{\"method\": \"{}\", \"program\": \"{}\", \"median_ms\": {:.4f}, \"p90_ms\": {:.4f}, "
        "\"cpu_ms\": {:.4f}, \"failures\": {}}}",
        rows.empty() ? "" : ",\n  ", row.method, row.program, row.stats.median_ms, row.stats.p90_ms,
        row.stats.cpu_ms, row.stats.failures);
  }
  std::ofstream file(path);
  file << fmt::format(
      "{{\"rows\": [\n  {}\n], \"throughput_runs_per_s\": {:.2f}, \"load_start\": \"{}\", "
      "\"load_end\": \"{}\"}}\n",
      rows, throughput_runs_per_s, load_start, load_end);
  return static_cast<bool>(file);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 200;
  int python_runs = 50;
  int throughput_runs = 400;
  int server_rss_mb = 0;
  std::string json_file;
  double throughput_runs_per_s = 0;
  std::filesystem::path boxes =
      std::filesystem::temp_directory_path() / fmt::format("ide-bench-{}", getpid());
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--runs")
      runs = std::atoi(argv[i + 1]);
    else if (flag == "--python-runs")
      python_runs = std::atoi(argv[i + 1]);
    else if (flag == "--throughput-runs")
      throughput_runs = std::atoi(argv[i + 1]);
    else if (flag == "--boxes")
      boxes = argv[i + 1];
    else if (flag == "--server-rss-mb")
      server_rss_mb = std::atoi(argv[i + 1]);
    else if (flag == "--json")
      json_file = argv[i + 1];
  }
  // A server's heap makes every fork/clone copy more page tables: simulate one.
  std::vector<char> ballast(static_cast<std::size_t>(server_rss_mb) << 20, 1);
  if (server_rss_mb > 0) fmt::print("Simulated server heap: {} MiB touched\n\n", server_rss_mb);
  auto report = sb::probe_isolation();
  fmt::print("Isolation on this machine:\n{}\n\n", report.describe());
  const std::string load_start = load_average();
  fmt::print("Load average at start: {}\n", load_start);

  const std::vector<std::string> true_cmd = {"/bin/true"};
  const std::vector<std::string> python_cmd = {"/usr/bin/python3", "-c", "pass"};

  {
    auto secure = sb::make_sandbox(sb::SandboxOptions{.boxes_dir = boxes / "secure", .slots = 2});
    auto insecure = sb::make_sandbox(
        sb::SandboxOptions{.boxes_dir = boxes / "insecure", .slots = 1, .insecure = true});
    if (!secure) fmt::print("secure sandbox unavailable: {}\n\n", secure.error().message);

    fmt::print("| method | program | median ms | p90 ms | CPU ms/run |\n|---|---|---|---|---|\n");
    for (const auto* program : {&true_cmd, &python_cmd}) {
      int n = program == &true_cmd ? runs : python_runs;
      std::string name = program == &true_cmd ? "/bin/true" : "python3 -c pass";
      print_row("posix_spawn + wait", name, measure(n, [&] { return spawn_and_wait(*program); }));
      print_row("fork + exec + wait", name, measure(n, [&] { return fork_exec(*program); }));
      print_row("clone(7 namespaces) + exec", name,
                measure(n, [&] { return clone_namespaces_exec(*program); }));
      if (has_file("/usr/bin/unshare")) {
        print_row("unshare(1) -Upnmiuc --fork", name,
                  measure(n, [&] { return spawn_and_wait(unshare_command(*program)); }));
      }
      if (has_file("/usr/bin/bwrap")) {
        print_row("bwrap --unshare-all (minimal root)", name,
                  measure(n, [&] { return spawn_and_wait(bwrap_command(*program)); }));
      }
      if (insecure) {
        auto box = (*insecure)->open_box(0);
        if (box) {
          print_row("ide sandbox, insecure mode", name,
                    measure(n, [&] { return sandbox_run(**box, *program); }));
        }
      }
      if (secure) {
        {
          auto box = (*secure)->open_box(0);
          if (box) {
            print_row("ide sandbox, isolated", name,
                      measure(n, [&] { return sandbox_run(**box, *program); }));
          }
        }
        auto per_box = measure(n, [&] {
          auto fresh = (*secure)->open_box(0);
          return fresh && sandbox_run(**fresh, *program);
        });
        print_row("ide sandbox, isolated, new box per run", name, per_box);
      }
    }
    if (secure) {
      double rate = throughput(**secure, throughput_runs, 2);
      throughput_runs_per_s = rate;
      fmt::print("\nThroughput, 2 workers, /bin/true, a new box per run: {:.0f} runs/s\n", rate);
    }
  }  // the sandboxes go before their directory
  const std::string load_end = load_average();
  fmt::print("Load average at end: {}\n", load_end);
  std::error_code ignored;
  std::filesystem::remove_all(boxes, ignored);
  if (!json_file.empty() && !write_json(json_file, throughput_runs_per_s, load_start, load_end)) {
    fmt::print(stderr, "cannot write {}\n", json_file);
    return 1;
  }
  return 0;
}
