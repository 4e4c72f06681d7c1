#include "sandbox_harness.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/time_scale.hpp"

namespace ide::sandbox::test {

const IsolationReport& isolation() {
  static const IsolationReport report = probe_isolation();
  return report;
}

std::vector<std::string> default_env() {
  return {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/box", "LANG=C.UTF-8", "TMPDIR=/tmp"};
}

std::int64_t scaled_ms(std::int64_t ms) { return ms * ide::test::time_scale(); }

core::StageLimits tight_limits() {
  core::StageLimits limits;
  limits.cpu_ms = scaled_ms(2'000);
  limits.wall_ms = scaled_ms(4'000);
  limits.memory_kb = 128 * 1024;
  limits.max_processes = 32;
  limits.output_bytes = 64 * 1024;
  limits.file_size_bytes = 4 * 1024 * 1024;
  return limits;
}

StageSpec bash(std::string script) {
  StageSpec spec;
  spec.argv = {"/bin/bash", "-c", std::move(script)};
  spec.env = default_env();
  spec.limits = tight_limits();
  return spec;
}

StageSpec python(std::string code) {
  StageSpec spec;
  spec.argv = {"/usr/bin/python3", "-c", std::move(code)};
  spec.env = default_env();
  spec.limits = tight_limits();
  return spec;
}

StageSpec program(std::vector<std::string> args) {
  StageSpec spec;
  spec.argv = {"/box/prog"};
  for (auto& arg : args) spec.argv.push_back(std::move(arg));
  spec.env = default_env();
  spec.limits = tight_limits();
  return spec;
}

Harness::Harness(unsigned slots, SandboxOptions overrides) {
  SandboxOptions options = overrides;
  options.boxes_dir = temp_.path() / "boxes";
  options.slots = slots;
  auto made = make_sandbox(options);
  if (!made) FAIL("make_sandbox: " << made.error().message);
  sandbox_ = std::move(*made);
}

std::unique_ptr<Box> Harness::box(unsigned slot) {
  auto opened = sandbox_->open_box(slot);
  if (!opened) FAIL("open_box: " << opened.error().message);
  return std::move(*opened);
}

namespace {

void compile(Box& box, const std::string& compiler, const std::string& file,
             const std::string& source, const std::vector<std::string>& flags) {
  REQUIRE(box.write_file(file, source));
  StageSpec spec;
  spec.argv = {compiler, "-O1", "-o", "prog", file};
  for (const auto& flag : flags) spec.argv.push_back(flag);
  spec.env = default_env();
  spec.limits.cpu_ms = scaled_ms(20'000);
  spec.limits.wall_ms = scaled_ms(40'000);
  spec.limits.memory_kb = 512 * 1024;
  auto outcome = box.run(spec);
  INFO(describe(outcome));
  REQUIRE(outcome.termination == Termination::exited);
  REQUIRE(outcome.exit_code == 0);
}

}  // namespace

void compile_c(Box& box, const std::string& source, const std::vector<std::string>& flags) {
  compile(box, "/usr/bin/gcc", "prog.c", source, flags);
}

void compile_cpp(Box& box, const std::string& source) {
  compile(box, "/usr/bin/g++", "prog.cpp", source, {});
}

std::vector<pid_t> processes_of_uid(std::uint32_t uid) {
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream status(std::string("/proc/") + entry->d_name + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) != 0) continue;
      std::istringstream fields(line.substr(4));
      std::uint32_t real = 0;
      if (fields >> real && real == uid) found.push_back(static_cast<pid_t>(pid));
      break;
    }
  }
  closedir(proc);
  return found;
}

std::vector<std::string> run_cgroups() {
  std::vector<std::string> left;
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  std::string prefix = "ide-" + std::to_string(getpid()) + "-";
  while (std::getline(self, line)) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    std::string controller = controllers.substr(0, controllers.find(','));
    // On v2 a server in a delegated cgroup moves into <cgroup>/ide-server and keeps its
    // sandbox cgroups in <cgroup>.
    const std::string leaf = "/ide-server";
    if (controllers.empty() && path.size() >= leaf.size() &&
        path.compare(path.size() - leaf.size(), leaf.size(), leaf) == 0) {
      path.resize(path.size() - leaf.size());
    }
    for (const std::string& base : {"/sys/fs/cgroup/" + controller + path, "/sys/fs/cgroup" + path,
                                    "/sys/fs/cgroup/unified" + path}) {
      DIR* dir = opendir(base.c_str());
      if (dir == nullptr) continue;
      while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name.rfind(prefix, 0) != 0) continue;
        DIR* instance = opendir((base + "/" + name).c_str());
        if (instance == nullptr) continue;
        while (dirent* run = readdir(instance)) {
          std::string run_name = run->d_name;
          if (run_name.rfind("run-", 0) == 0) left.push_back(base + "/" + name + "/" + run_name);
        }
        closedir(instance);
      }
      closedir(dir);
    }
  }
  return left;
}

void require_host_fine(Harness& harness, std::unique_ptr<Box>& box, unsigned slot) {
  REQUIRE(box);
  std::uint32_t uid = box->host_uid();
  CHECK(uid != 0);
  auto left = processes_of_uid(uid);
  INFO("processes of uid " << uid << " left on the host: " << left.size());
  CHECK(left.empty());
  for (pid_t pid : left) kill(pid, SIGKILL);  // do not let a failure hurt the machine
  auto cgroups = run_cgroups();
  INFO("run cgroups left: " << (cgroups.empty() ? std::string("none") : cgroups.front()));
  CHECK(cgroups.empty());
  box.reset();
  CHECK(processes_of_uid(uid).empty());
  box = harness.box(slot);
  auto outcome = box->run(bash("echo still-serving"));
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "still-serving\n");
}

std::string describe(const StageOutcome& o) {
  static const char* names[] = {"exited",       "signaled",     "time_limit",
                                "memory_limit", "output_limit", "setup_failed"};
  std::ostringstream text;
  text << "termination=" << names[static_cast<int>(o.termination)] << " exit=" << o.exit_code
       << " signal=" << o.signal << " cpu_ms=" << o.cpu_ms << " wall_ms=" << o.wall_ms
       << " memory_kb=" << o.memory_kb << " truncated=" << o.stdout_truncated << "/"
       << o.stderr_truncated << " error=" << o.error << "\nstdout(" << o.stdout_data.size()
       << "): " << o.stdout_data.substr(0, 2000) << "\nstderr(" << o.stderr_data.size()
       << "): " << o.stderr_data.substr(0, 2000);
  return text.str();
}

}  // namespace ide::sandbox::test
