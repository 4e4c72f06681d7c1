// SubmissionJobSource and SubmissionViews over the fakes of tests/support: what each answer is
// made of, and that every error of a module reaches the caller.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "compose/job_source.hpp"
#include "compose/submission_views.hpp"
#include "support/fakes/fake_result_service.hpp"
#include "support/fakes/fake_submission_service.hpp"
#include "support/fakes/in_memory_url_service.hpp"

using ide::core::ErrorCode;
using ide::result::RunResult;
using ide::result::Status;

namespace {

struct World {
  ide::test::FakeSubmissionService submissions;
  ide::test::FakeResultService results;
  ide::test::InMemoryUrlService urls{submissions};
  ide::compose::SubmissionViews views{submissions, results, urls};

  std::string add(const std::string& code) {
    ide::submission::Submission submission;
    submission.language = "python";
    submission.code = code;
    submission.stdin_data = "in";
    submission.limits.cpu_ms = 1500;
    return submissions.add(submission);
  }
  RunResult done(const std::string& id, const std::string& out) {
    RunResult run;
    run.id = id;
    run.status = Status::done;
    run.verdict = ide::result::Verdict::ok;
    run.stdout_data = out;
    results.set_result(run);
    return run;
  }
  /// watch_result's answer, run on this thread by a queueing executor.
  ide::core::Result<RunResult> watched(const std::string& id) {
    std::vector<std::function<void()>> tasks;
    std::vector<ide::core::Result<RunResult>> answers;
    auto handle = views.watch_result(
        id, std::chrono::milliseconds(100),
        [&tasks](std::function<void()> task) { tasks.push_back(std::move(task)); },
        [&answers](ide::core::Result<RunResult> answer) { answers.push_back(std::move(answer)); });
    REQUIRE(handle);
    REQUIRE(answers.empty());  // nothing runs before the executor runs it
    REQUIRE(tasks.size() == 1);
    tasks.front()();
    REQUIRE(answers.size() == 1);
    return answers.front();
  }
};

}  // namespace

TEST_CASE("the job source hands the result module a submission's input", "[compose]") {
  World w;
  const std::string id = w.add("print(1)");
  ide::compose::SubmissionJobSource jobs(w.submissions);
  const auto job = jobs.fetch(id);
  REQUIRE(job);
  CHECK(job->id == id);
  CHECK(job->language == "python");
  CHECK(job->code == "print(1)");
  CHECK(job->stdin_data == "in");
  CHECK(job->limits.cpu_ms == std::optional<std::int64_t>(1500));
  CHECK(job->tests.empty());
  CHECK(jobs.fetch("unknown").error().code == ErrorCode::not_found);
  w.submissions.fail_with(ErrorCode::storage_unavailable);
  CHECK(jobs.fetch(id).error().code == ErrorCode::storage_unavailable);
}

TEST_CASE("the job source hands on a submission's tests and comparison", "[compose]") {
  World w;
  ide::submission::Submission submission;
  submission.language = "python";
  submission.tests = {{.name = "first", .stdin_data = std::string("\0\xff", 2),
                       .expected_stdout = "1\n", .cpu_ms = 700},
                      {.name = "", .stdin_data = "2", .expected_stdout = "4", .wall_ms = 900}};
  submission.compare = {.mode = ide::core::CompareMode::float_tokens, .epsilon = 0.25};
  const std::string id = w.submissions.add(submission);
  const auto job = ide::compose::SubmissionJobSource(w.submissions).fetch(id);
  REQUIRE(job);
  REQUIRE(job->tests.size() == 2);
  CHECK(job->tests[0].name == "first");
  CHECK(job->tests[0].stdin_data == std::string("\0\xff", 2));
  CHECK(job->tests[0].expected_stdout == "1\n");
  CHECK(job->tests[0].cpu_ms == std::optional<std::int64_t>(700));
  CHECK_FALSE(job->tests[0].wall_ms.has_value());
  CHECK(job->tests[1].name.empty());
  CHECK(job->tests[1].wall_ms == std::optional<std::int64_t>(900));
  CHECK(job->compare.mode == ide::core::CompareMode::float_tokens);
  CHECK(job->compare.epsilon == 0.25);
}

TEST_CASE("a result is the result module's when it has one", "[compose]") {
  World w;
  const std::string id = w.add("x");
  w.done(id, "out");
  const auto now = w.views.result(id);
  REQUIRE(now);
  CHECK(now->status == Status::done);
  CHECK(now->stdout_data == "out");
  const auto watched = w.watched(id);
  REQUIRE(watched);
  CHECK(watched->stdout_data == "out");
  CHECK(w.submissions.lookups() == 0);  // the submission module is not asked
}

TEST_CASE("a saved submission the result module has not heard of is queued", "[compose]") {
  World w;
  const std::string id = w.add("x");
  for (const auto& answer : {w.views.result(id), w.watched(id)}) {
    REQUIRE(answer);
    CHECK(answer->id == id);
    CHECK(answer->status == Status::queued);
  }
  for (const auto& answer : {w.views.result("nope"), w.watched("nope")}) {
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == ErrorCode::not_found);
  }
  // Not knowing whether it exists is not "unknown".
  w.submissions.fail_with(ErrorCode::storage_unavailable);
  CHECK(w.views.result(id).error().code == ErrorCode::storage_unavailable);
  CHECK(w.watched(id).error().code == ErrorCode::storage_unavailable);
}

TEST_CASE("the share view joins the slug, the submission and its result", "[compose]") {
  World w;
  const std::string id = w.add("print(2)");
  const auto link = w.urls.generate_url(id);
  REQUIRE(link);

  auto before = w.views.shared(link->slug);
  REQUIRE(before);
  CHECK(before->slug == link->slug);
  CHECK(before->submission.code == "print(2)");
  CHECK_FALSE(before->result.has_value());  // not yet heard of: shown without a result

  w.done(id, "2\n");
  auto after = w.views.shared(link->slug);
  REQUIRE(after);
  REQUIRE(after->result.has_value());
  CHECK(after->result->stdout_data == "2\n");

  CHECK(w.views.shared("no-such-slug").error().code == ErrorCode::not_found);
  w.submissions.fail_with(ErrorCode::storage_unavailable);
  CHECK(w.views.shared(link->slug).error().code == ErrorCode::storage_unavailable);
}
