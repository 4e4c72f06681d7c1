// Storage faults (issue 4 item 6) on the real binary: a data dir on a small tmpfs that fills up
// answers 503 storage_unavailable with a clear message (never 500, never a crash), keeps serving
// what is stored, keeps a job whose result cannot be written (it runs again later), and recovers
// by itself once space returns, without a restart; nothing is corrupted. A data dir on ext4 that
// the kernel turns read-only under the running server (as on a failing disk) answers the same
// 503 and loses nothing; after the repair a restart finds everything, and a data dir that is
// read-only at start makes `ide serve` refuse with a message naming it. These cases mount file
// systems, which needs root: elsewhere they print "SKIPPED: cannot mount ..." and return.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>

#include "durability_support.hpp"
#include "support/temp_dir.hpp"

using namespace ide;
using test::Api;
using test::ServeChild;
using test::str;

namespace {

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// A python program with about a megabyte of code (a comment): saving it needs fresh pages.
std::string big_program(const std::string& line) {
  return "# " + std::string(1 << 20, 'x') + "\nprint('" + line + "')\n";
}

/// Sleeps 3 s (time to fill the disk), then writes 1.2 MB derived from its stdin: a result that
/// cannot fit a full disk.
const char* const kBigOutputProgram =
    "import sys, time\nn = int(sys.stdin.read())\ntime.sleep(3)\n"
    "sys.stdout.write(('%d\\n' % n) * 200000)\n";

std::string big_output(int n) {
  std::string line = std::to_string(n) + "\n";
  std::string output;
  output.reserve(line.size() * 200000);
  for (int i = 0; i < 200000; ++i) output += line;
  return output;
}

/// Whether the kernel still lets us read `file` (a shut-down file system answers EIO).
bool file_readable(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0) return false;
  char byte = 0;
  const bool readable = ::read(fd, &byte, 1) == 1;
  ::close(fd);
  return readable;
}

}  // namespace

TEST_CASE("a full disk answers 503 storage_unavailable, loses nothing and recovers by itself",
          "[durability][storage]") {
  test::TempDir dir;
  test::ScratchMount mount;
  mount.mount_tmpfs(dir / "mnt", "24m");
  if (!mount.mounted()) {
    WARN("SKIPPED: cannot mount a tmpfs for the data dir (" << mount.problem()
                                                            << "); this case needs root");
    return;
  }
  const auto data = dir / "mnt" / "data";
  const auto logs = dir / "logs";
  ServeChild server(data, logs, test::serve_options(1));
  Api api(server.url());

  // Stored before the disk fills: a finished result, its submission and a share link.
  const std::string stored = api.submit("python", "print('stored')\n");
  CHECK(str(api.wait_done(stored).at("stdout")) == "stored\n");
  auto shared = api.post("/api/v1/submissions/" + stored + "/share", "");
  REQUIRE(shared.status == 201);
  const std::string slug = str(boost::json::parse(shared.body).at("slug"));

  // A job that is running when the disk fills up: its 1.2 MB result cannot be written.
  const std::string big_job = api.submit("python", kBigOutputProgram, "4321\n");
  REQUIRE(test::wait_until([&] { return test::status_of(api, big_job) == "running"; }));

  const auto filler = dir / "mnt" / "filler";
  const std::uintmax_t filled = test::fill_disk(filler);
  std::printf("filled the data disk with %ju bytes\n", filled);

  auto refused =
      api.post("/api/v1/submissions", test::submission_body("python", big_program("too late")));
  INFO(refused.body);
  CHECK(refused.status == 503);
  CHECK(test::error_code(refused) == "storage_unavailable");
  const std::string message =
      lowercase(str(boost::json::parse(refused.body).at("error").at("message")));
  CHECK(message.find("storage") != std::string::npos);
  CHECK(message.find("full") != std::string::npos);

  // Small submissions may still fit in pages SQLite already has; either way, never a 500, and
  // a 202 is a promise kept below.
  std::vector<std::string> small_accepted;
  for (int i = 0; i < 5; ++i) {
    auto answer =
        api.post("/api/v1/submissions",
                 test::submission_body("python", "print('small " + std::to_string(i) + "')\n"));
    INFO(answer.body);
    if (answer.status == 202) {
      small_accepted.push_back(str(boost::json::parse(answer.body).at("id")));
    } else {
      CHECK(answer.status == 503);
      CHECK(test::error_code(answer) == "storage_unavailable");
    }
  }
  std::printf("disk full: %zu of 5 small submissions still fitted (and were accepted)\n",
              small_accepted.size());

  // What is stored is still served.
  CHECK(api.get("/healthz").status == 200);
  auto stored_result = api.get("/api/v1/submissions/" + stored + "/result");
  CHECK(stored_result.status == 200);
  CHECK(str(boost::json::parse(stored_result.body).at("stdout")) == "stored\n");
  CHECK(api.get("/api/v1/submissions/" + stored).status == 200);
  CHECK(api.get("/api/v1/shares/" + slug).status == 200);

  // The worker could not store the big result: the job is kept (queued again), not lost and
  // not finished as an error.
  const std::string marker = "submission " + big_job + ": cannot store its result";
  const bool kept =
      test::wait_until([&] { return server.log().find(marker) != std::string::npos; });
  INFO(server.log());
  REQUIRE(kept);
  CHECK(test::status_of(api, big_job) != "done");

  // Space returns: the very next submission is accepted, without a restart.
  std::filesystem::remove(filler);
  auto accepted = api.post("/api/v1/submissions",
                           test::submission_body("python", big_program("space is back")));
  INFO(accepted.body);
  REQUIRE(accepted.status == 202);
  const std::string after = str(boost::json::parse(accepted.body).at("id"));

  auto big_result = api.wait_done(big_job);
  CHECK(big_result.at("verdict") == "ok");
  CHECK(str(big_result.at("stdout")) == big_output(4321));
  CHECK(str(api.wait_done(after).at("stdout")) == "space is back\n");
  for (std::size_t i = 0; i < small_accepted.size(); ++i) {
    CHECK(api.wait_done(small_accepted[i]).at("verdict") == "ok");
  }
  CHECK(lowercase(server.log()).find("internal error") == std::string::npos);
  CHECK(server.stop() == 0);

  test::check_integrity(data);
  test::SqliteFile results(data / "results.db");
  CHECK(results.count("SELECT COUNT(*) FROM results WHERE submission_id = ?", {big_job}) == 1);
  CHECK(results.count("SELECT COUNT(*) FROM jobs WHERE state <> 'done'") == 0);
}

TEST_CASE("a data dir that turns read-only answers 503 storage_unavailable and loses nothing",
          "[durability][storage]") {
  test::TempDir dir;
  test::ScratchMount mount;
  mount.mount_ext4(dir.path(), dir / "mnt", 32);
  if (!mount.mounted()) {
    WARN("SKIPPED: cannot mount an ext4 image on a loop device for the data dir ("
         << mount.problem() << "); this case needs root and loop devices");
    return;
  }
  const auto data = dir / "mnt" / "data";
  const auto logs = dir / "logs";
  std::string stored;
  std::string slug;
  std::string pending;
  {
    test::ServeChild server(data, logs, test::serve_options(1));
    Api api(server.url());
    stored = api.submit("python", "print('stored')\n");
    CHECK(str(api.wait_done(stored).at("stdout")) == "stored\n");
    auto shared = api.post("/api/v1/submissions/" + stored + "/share", "");
    REQUIRE(shared.status == 201);
    slug = str(boost::json::parse(shared.body).at("slug"));
    pending = api.submit("python", test::number_program("python", 3000), "77\n");
    REQUIRE(test::wait_until([&] { return test::status_of(api, pending) == "running"; }));

    // What the kernel does when the disk under a file system fails (errors=remount-ro): the
    // file system turns read-only under the running server. Writes then fail with EROFS.
    const test::CommandRun aborted =
        test::run_command(dir.path(), {"mount", "-o", "remount,abort", mount.path().string()});
    INFO(aborted.output);
    REQUIRE(aborted.exit_code == 0);

    auto refused =
        api.post("/api/v1/submissions", test::submission_body("python", "print('refused')\n"));
    INFO(refused.body);
    CHECK(refused.status == 503);
    CHECK(test::error_code(refused) == "storage_unavailable");
    CHECK(lowercase(refused.body).find("storage") != std::string::npos);
    auto share_refused = api.post("/api/v1/submissions/" + pending + "/share", "");
    INFO(share_refused.body);
    CHECK(share_refused.status == 503);
    CHECK(test::error_code(share_refused) == "storage_unavailable");

    // Reads still work where the kernel keeps them working (since Linux 6.15 an aborted ext4
    // turns read-only; 6.6 to 6.14 shut it down, and then reads fail too): stored data is then
    // served, or else refused with the same clear 503, never a 500.
    const bool kernel_reads = file_readable(data / "share.secret");
    CHECK(api.get("/healthz").status == 200);
    for (const std::string& target : {"/api/v1/submissions/" + stored + "/result",
                                      "/api/v1/submissions/" + stored, "/api/v1/shares/" + slug}) {
      auto answer = api.get(target);
      INFO(target << " -> " << answer.status << " " << answer.body);
      if (kernel_reads) {
        CHECK(answer.status == 200);
        CHECK(answer.body.find("stored") != std::string::npos);
      } else {
        CHECK((answer.status == 200 || test::error_code(answer) == "storage_unavailable"));
      }
    }

    // The running job's result cannot be written: it is kept, not finished as an error.
    const std::string marker = "submission " + pending + ": cannot store its result";
    const bool kept =
        test::wait_until([&] { return server.log().find(marker) != std::string::npos; });
    INFO(server.log());
    REQUIRE(kept);
    CHECK(test::status_of(api, pending) != "done");
    CHECK(server.stop() == 0);
  }

  // Linux never makes an aborted file system writable again while it is mounted: the repair is
  // the operator's (unmount, fsck, mount), then a restart finds everything.
  REQUIRE(mount.unmount());
  const test::CommandRun fsck =
      test::run_command(dir.path(), {"e2fsck", "-fy", mount.image().string()});
  INFO(fsck.output);
  CHECK((fsck.exit_code == 0 || fsck.exit_code == 1));  // 1: errors found and corrected
  mount.remount_image(dir.path());
  REQUIRE(mount.mounted());
  test::check_integrity(data);
  {
    test::ServeChild server(data, logs, test::serve_options(1));
    Api api(server.url());
    CHECK(str(api.wait_done(stored).at("stdout")) == "stored\n");
    CHECK(api.get("/api/v1/shares/" + slug).status == 200);
    auto result = api.wait_done(pending);
    CHECK(result.at("verdict") == "ok");
    CHECK(str(result.at("stdout")) == test::expected_output("python", 77));
    CHECK(str(api.wait_done(api.submit("python", "print('writable again')\n")).at("stdout")) ==
          "writable again\n");
    CHECK(server.stop() == 0);
  }
  test::check_integrity(data);
  {
    test::SqliteFile results(data / "results.db");
    CHECK(results.count("SELECT COUNT(*) FROM results WHERE submission_id = ?", {pending}) == 1);
  }

  // Read-only before the start: the server refuses with a message that names the data dir, and
  // starts normally once the file system is writable again.
  const test::CommandRun read_only =
      test::run_command(dir.path(), {"mount", "-o", "remount,ro", mount.path().string()});
  INFO(read_only.output);
  REQUIRE(read_only.exit_code == 0);
  REQUIRE(test::is_read_only_mount(data));
  const test::CommandRun refused_start =
      test::run_command(dir.path(), test::serve_argv(data, test::serve_options(1)));
  INFO(refused_start.output);
  CHECK(refused_start.exit_code == 1);
  CHECK(refused_start.output.find(data.string()) != std::string::npos);
  CHECK(lowercase(refused_start.output).find("read-only") != std::string::npos);
  CHECK(refused_start.output.find("ide doctor") == std::string::npos);
  const test::CommandRun writable =
      test::run_command(dir.path(), {"mount", "-o", "remount,rw", mount.path().string()});
  INFO(writable.output);
  REQUIRE(writable.exit_code == 0);
  test::ServeChild server(data, logs, test::serve_options(1));
  Api api(server.url());
  CHECK(str(api.wait_done(stored).at("stdout")) == "stored\n");
  CHECK(server.stop() == 0);
}
