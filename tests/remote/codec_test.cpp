// The internal API's JSON codec: each type comes back equal (a class's query and page too), byte
// strings byte-exact (text when UTF-8, base64 otherwise), and every error code maps back to
// itself.
#include "remote/codec.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "result/result_service.hpp"
#include "submission/submission_service.hpp"
#include "support/sample_tests.hpp"
#include "support/test_outcomes.hpp"

using ide::remote::from_json;
using ide::remote::to_json;

namespace {

template <typename T>
T round_trip(const T& value) {
  // Through text, as on the wire.
  auto decoded = from_json<T>(boost::json::parse(boost::json::serialize(to_json(value))));
  REQUIRE(decoded);
  return *decoded;
}

}  // namespace

TEST_CASE("a RunResult comes back equal", "[remote][codec]") {
  ide::result::RunResult run;
  run.id = "abc";
  run.status = ide::result::Status::done;
  run.verdict = ide::result::Verdict::time_limit_exceeded;
  run.signal = 9;
  run.stdout_data = std::string("\x80\x81", 2);
  run.stderr_data = "warn";
  run.compile_output = "cc";
  run.time_ms = 5001;
  run.wall_ms = 5002;
  run.memory_kb = 1234;
  run.stdout_truncated = true;
  run.created_at = ide::core::TimePoint(std::chrono::nanoseconds(1'700'000'000'123'456'789));
  run.finished_at = run.created_at + std::chrono::nanoseconds(7);
  const ide::result::RunResult back = round_trip(run);
  CHECK(back.id == run.id);
  CHECK(back.status == run.status);
  CHECK(back.verdict == run.verdict);
  CHECK_FALSE(back.exit_code);
  CHECK(back.signal == 9);
  CHECK(back.stdout_data == run.stdout_data);
  CHECK(back.stderr_data == run.stderr_data);
  CHECK(back.compile_output == run.compile_output);
  CHECK(back.time_ms == 5001);
  CHECK(back.wall_ms == 5002);
  CHECK(back.memory_kb == 1234);
  CHECK(back.stdout_truncated);
  CHECK_FALSE(back.stderr_truncated);
  CHECK(back.created_at == run.created_at);
  CHECK(back.finished_at == run.finished_at);
}

TEST_CASE("a RunResult's test outcomes come back equal, and none when it has none",
          "[remote][codec]") {
  ide::result::RunResult run;
  run.status = ide::result::Status::done;
  CHECK_FALSE(to_json(run).as_object().contains("tests"));
  CHECK(round_trip(run).tests.empty());
  run.tests = ide::test::sample_test_outcomes();
  run.tests.resize(2);  // one accepted, one whose stdout and hint are not UTF-8
  const boost::json::value sent = to_json(run);
  CHECK(sent.at("tests").at(1).at("stdout").as_object().contains("base64"));
  ide::test::check_same_outcomes(round_trip(run).tests, run.tests);
}

TEST_CASE("a NewSubmission comes back equal and costs no more than the public body",
          "[remote][codec]") {
  const ide::submission::NewSubmission request{.language = "python",
                                               .code = std::string(1000, 'x'),
                                               .stdin_data = "",
                                               .limits = {},
                                               .args = {},
                                               .expected_stdout = std::nullopt};
  const ide::submission::NewSubmission back = round_trip(request);
  CHECK(back.language == "python");
  CHECK(back.code == request.code);
  CHECK(back.stdin_data.empty());
  CHECK_FALSE(back.limits.cpu_ms);
  // What a client sends for it: the internal body must fit under the same body limit.
  const std::string public_body = R"({"language":"python","code":")" + request.code + "\"}";
  CHECK(boost::json::serialize(to_json(request)).size() <= public_body.size() + 16);
}

TEST_CASE("args and an expected stdout cross both ways", "[remote][codec]") {
  ide::submission::Submission stored;
  stored.id = "abc";
  stored.language = "python";
  stored.args = {"1", "", "two words"};
  stored.expected_stdout = std::string("\xff\n", 2);
  const ide::submission::Submission back = round_trip(stored);
  CHECK(back.args == stored.args);
  CHECK(back.expected_stdout == stored.expected_stdout);
  CHECK_FALSE(round_trip(ide::submission::Submission{}).expected_stdout.has_value());

  ide::submission::NewSubmission request;
  request.args = {"--flag"};
  request.expected_stdout = "";
  const ide::submission::NewSubmission new_back = round_trip(request);
  CHECK(new_back.args == request.args);
  CHECK(new_back.expected_stdout == std::optional<std::string>(""));
}

TEST_CASE("every error code maps back to itself", "[remote][codec]") {
  using ide::core::ErrorCode;
  for (int code = 0; code <= static_cast<int>(ErrorCode::internal); ++code) {
    const ide::core::Error error{static_cast<ErrorCode>(code), "why"};
    const ide::core::Error back = round_trip(error);
    CHECK(back.code == error.code);
    CHECK(back.message == "why");
  }
  const std::string body = R"({"error":{"code":"queue_full","message":"full"}})";
  auto parsed = ide::remote::error_from_body(body);
  REQUIRE(parsed);
  CHECK(parsed->code == ErrorCode::queue_full);
  CHECK_FALSE(ide::remote::error_from_body(R"({"error":{"code":"nonsense","message":""}})"));
}

TEST_CASE("a malformed message is invalid_argument", "[remote][codec]") {
  auto decoded = from_json<ide::result::RunResult>(boost::json::object{{"id", 1}});
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == ide::core::ErrorCode::invalid_argument);
}

TEST_CASE("a Language comes back equal, with the names other APIs know it by", "[remote][codec]") {
  const ide::result::Language c{.id = "c",
                                .name = "C",
                                .version = "12.2.0",
                                .aliases = {"gcc"},
                                .judge0_id = 50,
                                .piston_runtime = "gcc",
                                .compiled = true};
  const auto back = round_trip(
      std::vector<ide::result::Language>{c, {.id = "scheme", .name = "Scheme", .version = "3"}});
  REQUIRE(back.size() == 2);
  CHECK(back[0].id == "c");
  CHECK(back[0].version == "12.2.0");
  CHECK(back[0].aliases == std::vector<std::string>{"gcc"});
  CHECK(back[0].judge0_id == 50);
  CHECK(back[0].piston_runtime == "gcc");
  CHECK(back[0].compiled);
  CHECK(back[1].id == "scheme");
  CHECK(back[1].aliases.empty());
  CHECK_FALSE(back[1].judge0_id);
  CHECK_FALSE(back[1].compiled);
}

TEST_CASE("a problem id, the interactive flag, a class and a student cross both ways, left out "
          "when unset",
          "[remote][codec]") {
  const std::string not_utf8("ann\xff\0", 5);
  const auto check_round_trip = [&not_utf8](auto carrier) {
    carrier.language = "python";
    for (const char* key : {"problem_id", "interactive", "class_id", "student"}) {
      CHECK_FALSE(to_json(carrier).as_object().contains(key));
    }
    carrier.problem_id = "p-123";
    carrier.interactive = true;
    carrier.class_id = "class-a";
    carrier.student = not_utf8;
    const auto back = round_trip(carrier);
    CHECK(back.problem_id == "p-123");
    CHECK(back.interactive);
    CHECK(back.class_id == "class-a");
    CHECK(back.student == not_utf8);
  };
  check_round_trip(ide::submission::Submission{});
  check_round_trip(ide::submission::NewSubmission{});
  CHECK_FALSE(round_trip(ide::submission::Submission{}).interactive);
}

TEST_CASE("a class's query and page come back equal", "[remote][codec]") {
  const ide::submission::ClassSubmissionQuery query{.class_id = "class-a",
                                                    .problem_id = "p\xff",
                                                    .student = "Zoë",
                                                    .limit = 7,
                                                    .after = "12.id00000000000000000001"};
  const auto query_back = round_trip(query);
  CHECK(query_back.class_id == query.class_id);
  CHECK(query_back.problem_id == query.problem_id);
  CHECK(query_back.student == query.student);
  CHECK(query_back.limit == 7);
  CHECK(query_back.after == query.after);

  const ide::submission::ClassSubmissionPage page{
      .submissions = {{.id = "a",
                       .language = "python",
                       .problem_id = "p1",
                       .student = "ann\xfe",
                       .created_at = ide::core::from_unix_ms(1'700'000'000'123)},
                      {.id = "b",
                       .language = "c",
                       .problem_id = "",
                       .student = "",
                       .created_at = ide::core::TimePoint(std::chrono::nanoseconds(5))}},
      .next = "cursor"};
  const auto back = round_trip(page);
  REQUIRE(back.submissions.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(back.submissions[i].id == page.submissions[i].id);
    CHECK(back.submissions[i].language == page.submissions[i].language);
    CHECK(back.submissions[i].problem_id == page.submissions[i].problem_id);
    CHECK(back.submissions[i].student == page.submissions[i].student);
    CHECK(back.submissions[i].created_at == page.submissions[i].created_at);
  }
  CHECK(back.next == "cursor");
  CHECK(round_trip(ide::submission::ClassSubmissionPage{}).submissions.empty());
}

TEST_CASE("tests and their comparison cross both ways, and are left out when there are none",
          "[remote][codec]") {
  const auto check_round_trip = [](auto carrier, const ide::core::Comparison& compare) {
    carrier.language = "python";
    carrier.tests = ide::test::sample_tests();
    carrier.compare = compare;
    const auto back = round_trip(carrier);
    ide::test::check_same_tests(back.tests, carrier.tests);
    CHECK(back.compare.mode == compare.mode);
    CHECK(back.compare.epsilon == compare.epsilon);
  };
  for (const ide::core::Comparison& compare : ide::test::all_comparisons()) {
    check_round_trip(ide::submission::Submission{}, compare);
    check_round_trip(ide::submission::NewSubmission{}, compare);
  }
  ide::submission::NewSubmission plain;
  plain.language = "python";
  const boost::json::object body = to_json(plain).as_object();
  CHECK_FALSE(body.contains("tests"));
  CHECK_FALSE(body.contains("compare"));
  CHECK(round_trip(plain).tests.empty());
  CHECK(round_trip(ide::submission::Submission{}).tests.empty());
}
