// `ide serve` as a child process: the open-file limit is checked at start (raised up to the hard
// limit, or a clear refusal naming the numbers), started under a real `ulimit -n`; and out of the
// box one client cannot take the server (default submit rate limit and queued-job cap).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "e2e_support.hpp"
#include "process.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using ide::test::Api;
using ide::test::ServerProcess;

namespace {

/// `ide serve` started by /bin/sh after `ulimit <limit>`. No code runs in these tests, so the
/// server runs without the sandbox, which may not be available here.
class UlimitServe {
 public:
  UlimitServe(const std::filesystem::path& dir, const std::string& limit,
              const std::vector<std::string>& extra = {})
      : dir_(dir) {
    std::filesystem::create_directories(dir / "data");
    std::vector<std::string> argv{"/bin/sh",
                                  "-c",
                                  "ulimit " + limit + " || exit 99; exec \"$0\" serve \"$@\"",
                                  IDE_BINARY,
                                  "--port",
                                  "0",
                                  "--data-dir",
                                  (dir / "data").string(),
                                  "--workers",
                                  "2",
                                  "--insecure-no-sandbox"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = ide::test::spawn(argv, -1, dir / "out.txt", dir / "err.txt");
  }
  UlimitServe(const UlimitServe&) = delete;
  UlimitServe& operator=(const UlimitServe&) = delete;
  ~UlimitServe() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  /// True once it printed "listening on"; false when it exited first (exit_code() says how).
  bool listening() {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ide::test::read_text(dir_ / "out.txt").find("listening on") != std::string::npos) {
        return true;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  int exit_code() const { return exit_code_; }
  std::string err() const { return ide::test::read_text(dir_ / "err.txt"); }

  /// The soft "Max open files" of the running server, from /proc.
  long open_files_soft_limit() const {
    std::ifstream limits("/proc/" + std::to_string(pid_) + "/limits");
    std::string line;
    while (std::getline(limits, line)) {
      if (line.rfind("Max open files", 0) == 0) return std::stol(line.substr(26));
    }
    return -1;
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace

TEST_CASE("ide serve refuses to start when the hard open-file limit is too low", "[e2e][clients]") {
  ide::test::TempDir dir;
  UlimitServe serve(dir.path(), "-n 200");
  REQUIRE_FALSE(serve.listening());
  INFO(serve.err());
  CHECK(serve.exit_code() == 1);
  // It names what it needs, what it has, and what to change.
  CHECK(serve.err().find("max-connections 1024") != std::string::npos);
  CHECK(serve.err().find("(RLIMIT_NOFILE) is 200 and its hard limit 200") != std::string::npos);
  CHECK(serve.err().find("ulimit -n") != std::string::npos);
}

TEST_CASE("ide serve raises a low soft open-file limit up to what it needs", "[e2e][clients]") {
  ide::test::TempDir dir;
  UlimitServe serve(dir.path(), "-S -n 200");
  INFO(serve.err());
  REQUIRE(serve.listening());
  CHECK(serve.open_files_soft_limit() > 1024 + 64);
  CHECK(serve.err().find("open-file limit raised from 200") != std::string::npos);
}

TEST_CASE("ide serve starts under a low hard limit when max-connections fits in it",
          "[e2e][clients]") {
  ide::test::TempDir dir;
  UlimitServe serve(dir.path(), "-n 420", {"--max-connections", "64"});
  INFO(serve.err());
  REQUIRE(serve.listening());
  CHECK(serve.open_files_soft_limit() == 420);
}

TEST_CASE("out of the box one client's submits are rate limited", "[e2e][clients]") {
  ide::test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  // Refused submits (an unknown language) cost a token too, and run nothing.
  const std::string body = R"json({"language":"cobol","code":"x"})json";
  for (int i = 0; i < 20; ++i) REQUIRE(api.post("/api/v1/submissions", body).status == 422);
  const auto limited = api.post("/api/v1/submissions", body);
  INFO(limited.body);
  CHECK(limited.status == 429);
  CHECK(ide::test::error_code(limited) == "rate_limited");
}

// [not-in-split]: the cap watches each job through watch_result, which
// the API process does not do over the internal API (serve.cpp: max_queued_per_client).
TEST_CASE("out of the box one client may have 10 submissions queued or running",
          "[e2e][clients][not-in-split]") {
  ide::test::TempDir dir;
  ServerProcess server(dir.path());
  Api api(server.url());
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i)
    ids.push_back(api.submit("bash", "sleep 2; echo " + std::to_string(i)));
  const auto refused =
      api.post("/api/v1/submissions", R"json({"language":"bash","code":"echo late"})json");
  INFO(refused.body);
  CHECK(refused.status == 429);
  CHECK(ide::test::error_code(refused) == "rate_limited");
  CHECK(refused.body.find("10 submissions queued or running") != std::string::npos);
  // Once one is done its place is free again.
  api.wait_done(ids.front());
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  int status = 0;
  while (status != 202 && std::chrono::steady_clock::now() < deadline) {
    status =
        api.post("/api/v1/submissions", R"json({"language":"bash","code":"echo late"})json").status;
    // Each try costs a rate-limit token: a few are left, and one comes back every second.
    if (status != 202) std::this_thread::sleep_for(500ms);
  }
  CHECK(status == 202);
}
