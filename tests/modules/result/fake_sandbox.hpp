// A scripted ide::sandbox::Sandbox for the queue and worker tests: the "program" is the source
// file's text, one command per line (out TEXT, err TEXT, echo, exit N, sleep MS, block, signal N,
// tle, olimit, setup_fail), so tests decide outcomes and timing without real processes. "block"
// waits for release() or Box::cancel().
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox/sandbox.hpp"

namespace ide::test {

class FakeSandbox final : public sandbox::Sandbox {
 public:
  /// What the tests can see and steer; shared with every box.
  struct Shared {
    std::mutex mutex;
    std::condition_variable changed;
    bool released = false;          // "block" waits until this is true
    unsigned blocked = 0;           // boxes currently inside "block"
    std::vector<std::string> runs;  // source text of every run stage, in order
    std::map<unsigned, unsigned> open_per_slot;
    bool slot_shared = false;  // two boxes were open on one slot at once
    unsigned cancels = 0;      // Box::cancel() calls

    /// Waits (bounded) until `count` runs are blocked; false on timeout.
    bool wait_blocked(unsigned count) {
      std::unique_lock lock(mutex);
      return changed.wait_for(lock, std::chrono::seconds(20), [&] { return blocked >= count; });
    }
    void release() {
      std::lock_guard lock(mutex);
      released = true;
      changed.notify_all();
    }
    std::size_t run_count() {
      std::lock_guard lock(mutex);
      return runs.size();
    }
  };

  FakeSandbox() : shared_(std::make_shared<Shared>()) {}
  std::shared_ptr<Shared> shared() const { return shared_; }

  core::Result<std::unique_ptr<sandbox::Box>> open_box(unsigned slot) override {
    std::lock_guard lock(shared_->mutex);
    if (++shared_->open_per_slot[slot] > 1) shared_->slot_shared = true;
    return std::unique_ptr<sandbox::Box>(std::make_unique<FakeBox>(shared_, slot));
  }
  const sandbox::IsolationReport& isolation() const override { return report_; }

 private:
  class FakeBox final : public sandbox::Box {
   public:
    FakeBox(std::shared_ptr<Shared> shared, unsigned slot)
        : shared_(std::move(shared)), slot_(slot) {}
    ~FakeBox() override {
      std::lock_guard lock(shared_->mutex);
      --shared_->open_per_slot[slot_];
    }
    core::Result<void> write_file(std::string_view name, std::string_view content) override {
      files_[std::string(name)] = std::string(content);
      return {};
    }
    std::uint32_t host_uid() const override { return 60000 + slot_; }
    void cancel() override {
      std::lock_guard lock(shared_->mutex);
      cancelled_ = true;
      ++shared_->cancels;
      shared_->changed.notify_all();
    }

    sandbox::StageOutcome run(const sandbox::StageSpec& spec) override {
      sandbox::StageOutcome outcome;
      outcome.termination = sandbox::Termination::exited;
      const std::string source = files_.count("main.fake") ? files_["main.fake"] : "";
      {
        std::lock_guard lock(shared_->mutex);
        shared_->runs.push_back(source);
      }
      std::istringstream lines(source);
      std::string line;
      while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string command;
        words >> command;
        std::string rest;
        std::getline(words, rest);
        if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
        if (command == "out") {
          outcome.stdout_data += rest;
        } else if (command == "err") {
          outcome.stderr_data += rest;
        } else if (command == "echo") {
          outcome.stdout_data += std::string(spec.stdin_data);
        } else if (command == "exit") {
          outcome.exit_code = std::stoi(rest);
          return outcome;
        } else if (command == "signal") {
          outcome.termination = sandbox::Termination::signaled;
          outcome.signal = std::stoi(rest);
          return outcome;
        } else if (command == "tle") {
          outcome.termination = sandbox::Termination::time_limit;
          return outcome;
        } else if (command == "olimit") {
          outcome.termination = sandbox::Termination::output_limit;
          outcome.stdout_truncated = true;
          return outcome;
        } else if (command == "setup_fail") {
          outcome.termination = sandbox::Termination::setup_failed;
          outcome.error = "fake setup failure";
          return outcome;
        } else if (command == "sleep") {
          std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(rest)));
        } else if (command == "block") {
          std::unique_lock lock(shared_->mutex);
          ++shared_->blocked;
          shared_->changed.notify_all();
          shared_->changed.wait(lock, [&] { return shared_->released || cancelled_; });
          --shared_->blocked;
          if (cancelled_) {
            outcome.termination = sandbox::Termination::signaled;
            outcome.signal = 9;
            return outcome;
          }
        }
      }
      return outcome;
    }

   private:
    std::shared_ptr<Shared> shared_;
    unsigned slot_;
    std::map<std::string, std::string> files_;
    bool cancelled_ = false;  // guarded by shared_->mutex
  };

  std::shared_ptr<Shared> shared_;
  sandbox::IsolationReport report_;
};

}  // namespace ide::test
