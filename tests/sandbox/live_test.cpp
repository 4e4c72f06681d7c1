// A stage with a live channel (issue 12 item 5): output reaches the channel as the program
// writes it, interactive stdin reaches the program while it runs, and the outcome is the same as
// without a channel. Real children, in both modes (isolated cases skip when the host cannot).
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sandbox_harness.hpp"

using namespace ide::sandbox;
using namespace ide::sandbox::test;

namespace {

using Clock = std::chrono::steady_clock;

/// Records each chunk with when it came; answers `reply` (then closes stdin) once the stdout
/// seen so far contains `prompt`. Interactive only when `prompt` is set.
class RecordingChannel final : public LiveChannel {
 public:
  struct Chunk {
    OutputStream stream;
    std::string bytes;
    Clock::time_point at;
  };

  explicit RecordingChannel(std::string prompt = {}, std::string reply = {})
      : prompt_(std::move(prompt)), reply_(std::move(reply)) {
    if (!prompt_.empty()) ready_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  }
  ~RecordingChannel() override {
    if (ready_ >= 0) close(ready_);
  }

  void output(OutputStream stream, std::string_view bytes) override {
    chunks.push_back({stream, std::string(bytes), Clock::now()});
    if (stream == OutputStream::stdout_stream) seen_ += bytes;
    if (!answered_ && !prompt_.empty() && seen_.find(prompt_) != std::string::npos) {
      answered_ = true;
      const std::uint64_t one = 1;
      REQUIRE(write(ready_, &one, sizeof one) == sizeof one);
    }
  }
  int stdin_ready_fd() override { return ready_; }
  StdinTake take_stdin() override {
    std::uint64_t count = 0;
    (void)!read(ready_, &count, sizeof count);
    return answered_ ? StdinTake{std::exchange(reply_, {}), true} : StdinTake{};
  }

  std::string joined(OutputStream stream) const {
    std::string all;
    for (const auto& chunk : chunks) {
      if (chunk.stream == stream) all += chunk.bytes;
    }
    return all;
  }

  std::vector<Chunk> chunks;

 private:
  std::string prompt_;
  std::string reply_;
  std::string seen_;
  bool answered_ = false;
  int ready_ = -1;
};

std::unique_ptr<Sandbox> sandbox_in(const ide::test::TempDir& dir, bool insecure) {
  auto made =
      make_sandbox(SandboxOptions{.boxes_dir = dir / "boxes", .slots = 1, .insecure = insecure});
  REQUIRE(made);
  return std::move(*made);
}

const char* kTicker =
    "import sys, time\n"
    "for i in range(3):\n"
    "    print('tick', i, flush=True)\n"
    "    time.sleep(0.3)\n"
    "print('oops', file=sys.stderr)\n";

void check_streams_as_written(Box& box) {
  RecordingChannel channel;
  StageSpec spec = python(kTicker);
  spec.live = &channel;
  const StageOutcome outcome = box.run(spec);
  const auto ended = Clock::now();
  INFO(describe(outcome));
  REQUIRE(outcome.termination == Termination::exited);
  CHECK(outcome.stdout_data == "tick 0\ntick 1\ntick 2\n");
  CHECK(outcome.stderr_data == "oops\n");
  CHECK(channel.joined(OutputStream::stdout_stream) == outcome.stdout_data);
  CHECK(channel.joined(OutputStream::stderr_stream) == outcome.stderr_data);
  REQUIRE(channel.chunks.size() >= 3);
  // The first line came while the program still slept: well before it ended.
  CHECK(ended - channel.chunks.front().at >= std::chrono::milliseconds(500));
}

void check_interactive_stdin(Box& box) {
  RecordingChannel channel("name?", "Ada\n");
  StageSpec spec = python(
      "import sys\nprint(sys.stdin.readline().strip(), flush=True)\nprint('name?', flush=True)\n"
      "print('hello', input())\nprint('rest', repr(sys.stdin.read()))\n");
  spec.stdin_data = "first\n";
  spec.live = &channel;
  const StageOutcome outcome = box.run(spec);
  INFO(describe(outcome));
  REQUIRE(outcome.termination == Termination::exited);
  CHECK(outcome.exit_code == 0);
  // stdin_data first, then the channel's line; stdin ends when the channel closes it.
  CHECK(outcome.stdout_data == "first\nname?\nhello Ada\nrest ''\n");
}

void check_cap_is_kept(Box& box) {
  RecordingChannel channel;
  StageSpec flood = bash("yes");
  flood.limits.output_bytes = 10'000;
  flood.live = &channel;
  const StageOutcome outcome = box.run(flood);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::output_limit);
  CHECK(outcome.stdout_data.size() == 10'000);
  CHECK(outcome.stdout_truncated);
  CHECK(channel.joined(OutputStream::stdout_stream) == outcome.stdout_data);
}

void check_live_channel(const ide::test::TempDir& dir, bool insecure) {
  auto sandbox = sandbox_in(dir, insecure);
  auto box = sandbox->open_box(0);
  REQUIRE(box);
  check_streams_as_written(**box);
  check_interactive_stdin(**box);
  check_cap_is_kept(**box);
}

}  // namespace

TEST_CASE("a live channel sees output as it is written, feeds stdin and changes no outcome",
          "[sandbox][live]") {
  ide::test::TempDir dir;
  SECTION("insecure") { check_live_channel(dir, true); }
  SECTION("isolated") {
    IDE_REQUIRE_ISOLATION();
    check_live_channel(dir, false);
  }
}

TEST_CASE("a program that never gets its interactive line ends at the wall limit",
          "[sandbox][live]") {
  ide::test::TempDir dir;
  auto sandbox = sandbox_in(dir, true);
  auto box = sandbox->open_box(0);
  REQUIRE(box);
  RecordingChannel channel("never printed", "x\n");
  StageSpec spec = python("input()\n");
  spec.limits.wall_ms = 500;
  spec.live = &channel;
  const StageOutcome outcome = (*box)->run(spec);
  INFO(describe(outcome));
  CHECK(outcome.termination == Termination::time_limit);
}
