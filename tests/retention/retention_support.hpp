// Helpers of the retention tests: a config for real modules in a temp dir (bash only, run without
// isolation, one data dir), and a synchronous view of watch_result.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/config.hpp"
#include "result/result_service.hpp"
#include "support/temp_dir.hpp"

namespace ide::test {

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// A catalogue with bash alone: probed at once at start, and enough to run jobs.
inline std::filesystem::path write_bash_catalogue(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "languages.json";
  std::ofstream out(file);
  out << R"([{"id": "bash", "name": "Bash", "source": "main.sh", "compile": null,
              "run": ["/usr/bin/bash", "main.sh"], "version": ["/usr/bin/bash", "--version"]}])";
  return file;
}

/// Real modules in `dir`: nothing here tests isolation, so runs go without it.
inline core::Config module_config(const TempDir& dir, unsigned workers = 2) {
  core::Config config;
  config.data_dir = dir / "data";
  config.languages_file = write_bash_catalogue(dir.path());
  config.insecure_no_sandbox = true;
  config.workers = workers;
  config.share_secret = "retention tests";
  return config;
}

/// get_result, or watch_result with `wait` answered synchronously (throws if no answer comes
/// within a minute).
inline core::Result<result::RunResult> get_result(
    result::ResultService& results, const std::string& id,
    std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
  if (wait.count() <= 0) return results.get_result(id);
  auto promise = std::make_shared<std::promise<core::Result<result::RunResult>>>();
  std::future<core::Result<result::RunResult>> answer = promise->get_future();
  auto watched = results.watch_result(
      id, wait, [](std::function<void()> task) { task(); },
      [promise](core::Result<result::RunResult> r) { promise->set_value(std::move(r)); });
  if (!watched) return core::Unexpected(watched.error());
  if (answer.wait_for(std::chrono::minutes(1)) != std::future_status::ready) {
    throw std::runtime_error("watch_result never answered");
  }
  return answer.get();
}

/// Long-polls until `id` reaches `status` (done, or running); throws after two minutes.
inline void wait_for_status(result::ResultService& results, const std::string& id,
                            result::Status status) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (std::chrono::steady_clock::now() < limit) {
    const auto wait = status == result::Status::done ? std::chrono::milliseconds(5000)
                                                     : std::chrono::milliseconds(0);
    auto r = get_result(results, id, wait);
    if (!r) throw std::runtime_error("get_result failed: " + r.error().message);
    if (r->status == status) return;
    if (r->status == result::Status::done) throw std::runtime_error(id + " finished already");
    if (status == result::Status::running) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  throw std::runtime_error("job " + id + " never reached " +
                           std::string(result::to_string(status)));
}

/// True when get_result answers not_found for `id`.
inline bool result_is_gone(result::ResultService& results, const std::string& id) {
  auto r = get_result(results, id);
  return !r && r.error().code == core::ErrorCode::not_found;
}

}  // namespace ide::test
