// The result module's purge through its factory, on a real results.db, with real bash runs (no
// isolation needed here): finished jobs go with their results and stay gone after a restart,
// queued and running jobs are skipped and then finish normally, other ids are untouched.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compose/job_source.hpp"
#include "module_options.hpp"
#include "core/ids.hpp"
#include "result/module.hpp"
#include "retention_support.hpp"
#include "support/fakes/fake_clock.hpp"
#include "support/fakes/fake_submission_service.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using ide::result::Status;
using ide::test::get_result;
using ide::test::result_is_gone;
using ide::test::wait_for_status;

namespace {

struct Fixture {
  ide::test::TempDir dir;
  ide::core::Config config;
  ide::test::FakeSubmissionService submissions;
  ide::compose::SubmissionJobSource jobs{submissions};
  ide::test::FakeClock clock;
  std::unique_ptr<ide::result::ResultModule> module;

  explicit Fixture(unsigned workers) : config(ide::test::module_config(dir, workers)) { open(); }
  ~Fixture() {
    if (module) module->stop(0ms);
  }

  void open() {
    if (module) module->stop(0ms);
    module.reset();
    auto made = ide::result::make_result_module(ide::app::result_options(config), clock);
    REQUIRE(made.has_value());
    module = std::move(made).value();
    module->start(jobs);
  }

  ide::result::ResultService& results() { return module->service(); }

  std::string submit(const std::string& code) {
    ide::submission::Submission s;
    s.language = "bash";
    s.code = code;
    s.created_at = clock.now();
    const std::string id = submissions.add(std::move(s));
    REQUIRE(results().enqueue(id).has_value());
    return id;
  }
};

}  // namespace

TEST_CASE("purge removes finished jobs and their results, for good", "[retention][result]") {
  Fixture f(2);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(f.submit("echo run " + std::to_string(i)));
  for (const std::string& id : ids) wait_for_status(f.results(), id, Status::done);

  const std::string unknown = ide::core::RandomIdGenerator().new_id();
  auto outcome = f.results().purge({ids[0], ids[2], unknown, ids[2]});
  REQUIRE(outcome);
  CHECK(outcome->purged == 2);
  CHECK(outcome->skipped.empty());

  for (int round = 0; round < 2; ++round) {
    INFO("round " << round << " (1: after a restart on the same file)");
    CHECK(result_is_gone(f.results(), ids[0]));
    CHECK(result_is_gone(f.results(), ids[2]));
    for (std::size_t i : {1u, 3u}) {
      auto kept = get_result(f.results(), ids[i]);
      REQUIRE(kept);
      CHECK(kept->status == Status::done);
      CHECK(kept->stdout_data == "run " + std::to_string(i) + "\n");
    }
    f.open();
  }

  // Enqueueing a purged id again is a new job, not the old result coming back.
  REQUIRE(f.results().enqueue(ids[0]).has_value());
  wait_for_status(f.results(), ids[0], Status::done);
  auto rerun = get_result(f.results(), ids[0]);
  REQUIRE(rerun);
  CHECK(rerun->stdout_data == "run 0\n");
}

TEST_CASE("purge skips queued and running jobs, which then finish", "[retention][result]") {
  // One worker: the first job holds it, so the second waits in the queue.
  Fixture f(1);
  // Without isolation the run sees the host's files: it waits until the test creates the gate.
  // Runs started by root use another uid, which must be able to look into the temp dir.
  std::filesystem::permissions(f.dir.path(), std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);
  const std::filesystem::path gate = f.dir / "gate";
  const std::string running =
      f.submit("while [ ! -e '" + gate.string() + "' ]; do sleep 0.02; done; echo released");
  wait_for_status(f.results(), running, Status::running);
  const std::string queued = f.submit("echo queued");
  {
    auto status = get_result(f.results(), queued);
    REQUIRE(status);
    REQUIRE(status->status == Status::queued);
  }

  auto outcome = f.results().purge({running, queued});
  REQUIRE(outcome);
  CHECK(outcome->purged == 0);
  CHECK(outcome->skipped.size() == 2);
  CHECK(std::find(outcome->skipped.begin(), outcome->skipped.end(), running) !=
        outcome->skipped.end());
  CHECK(std::find(outcome->skipped.begin(), outcome->skipped.end(), queued) !=
        outcome->skipped.end());

  {
    auto still = get_result(f.results(), running);
    REQUIRE(still);
    CHECK(still->status == Status::running);
  }
  ide::test::write_text(gate, "");
  wait_for_status(f.results(), running, Status::done);
  wait_for_status(f.results(), queued, Status::done);
  auto released = get_result(f.results(), running);
  REQUIRE(released);
  CHECK(released->stdout_data == "released\n");
  auto done = get_result(f.results(), queued);
  REQUIRE(done);
  CHECK(done->stdout_data == "queued\n");

  // Finished now, so a second purge takes them.
  auto later = f.results().purge({running, queued});
  REQUIRE(later);
  CHECK(later->purged == 2);
  CHECK(result_is_gone(f.results(), running));
  CHECK(result_is_gone(f.results(), queued));
}
