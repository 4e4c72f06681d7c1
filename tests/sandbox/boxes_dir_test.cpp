// The boxes dir cannot be hijacked (issue 9, item 1): a boxes dir another local user could
// control is refused, a symlink in place of a box is never followed, a run cannot open its live
// work dir to other host users, and no mount outlives its box even when its directory was moved.
// The local user is real: a child process with uid 65533 (no account, no group of ours).
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "sandbox_harness.hpp"

using namespace ide::sandbox;
using namespace ide::sandbox::test;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kOtherUser = 65533;
// 0711: other users may pass through a temp dir to what is below it.
constexpr fs::perms kPassThrough = fs::perms::owner_all | fs::perms::group_exec |
                                   fs::perms::others_exec;

/// Runs `prepare` then `act` in a child process; returns what `act` returned (0-254), or -1 when
/// `prepare` failed. Both must only make system calls (no allocation: the parent has threads).
int in_child(const std::function<bool()>& prepare, const std::function<int()>& act) {
  pid_t pid = fork();
  if (pid == 0) _exit(prepare() ? act() & 0xff : 255);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

/// `act` as the local user kOtherUser, with no supplementary group.
int as_other_user(const std::function<int()>& act) {
  return in_child(
      [] {
        return setgroups(0, nullptr) == 0 && setresgid(kOtherUser, kOtherUser, kOtherUser) == 0 &&
               setresuid(kOtherUser, kOtherUser, kOtherUser) == 0;
      },
      act);
}

/// The errno of an attempt, 0 when it succeeded.
int errno_of(bool succeeded) { return succeeded ? 0 : errno; }

/// Mount points at or under `root`, from this process's /proc/self/mountinfo.
std::vector<std::string> mounts_under(const fs::path& root) {
  std::vector<std::string> points;
  std::ifstream info("/proc/self/mountinfo");
  std::string line;
  const std::string prefix = root.string();
  while (std::getline(info, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, mount_root, point;
    fields >> id >> parent >> device >> mount_root >> point;
    if (point == prefix || point.rfind(prefix + "/", 0) == 0) points.push_back(point);
  }
  return points;
}

/// Renames `from` to `to` the way a process in another mount namespace can (where `from` is not
/// a mount point, so the kernel allows it): the mount in ours then follows the directory.
/// Returns the errno of the rename, 0 when it succeeded.
int rename_from_another_mount_namespace(const fs::path& from, const fs::path& to) {
  return in_child(
      [&] {
        return unshare(CLONE_NEWNS) == 0 &&
               mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
               umount2(from.c_str(), MNT_DETACH) == 0;
      },
      [&] { return errno_of(rename(from.c_str(), to.c_str()) == 0); });
}

/// Detaches whatever a failing case left mounted under a temp dir, so that it can be removed.
struct DetachAllUnder {
  fs::path root;
  ~DetachAllUnder() {
    for (int i = 0; i < 16 && !mounts_under(root).empty(); ++i) {
      for (const auto& point : mounts_under(root)) umount2(point.c_str(), MNT_DETACH);
    }
  }
};

ide::core::Result<std::unique_ptr<Sandbox>> sandbox_at(const fs::path& boxes) {
  return make_sandbox(SandboxOptions{.boxes_dir = boxes, .slots = 1});
}

/// A sandbox with its boxes dir at temp/boxes and `temp` passable by other users (0711): only
/// the boxes dir's own mode stands between them and the boxes.
std::unique_ptr<Sandbox> sandbox_others_can_reach(const ide::test::TempDir& temp) {
  fs::permissions(temp.path(), kPassThrough);
  auto sandbox = sandbox_at(temp / "boxes");
  if (!sandbox) FAIL("make_sandbox: " << sandbox.error().message);
  return std::move(*sandbox);
}

std::unique_ptr<Box> open_box(Sandbox& sandbox) {
  auto box = sandbox.open_box(0);
  if (!box) FAIL("open_box: " << box.error().message);
  return std::move(*box);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A host directory worth protecting: a tmpfs of its own (so that unmounting it shows) with a
/// marker file.
struct Victim {
  fs::path dir;
  explicit Victim(fs::path where) : dir(std::move(where)) {
    fs::create_directories(dir);
    REQUIRE(mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") == 0);
    std::ofstream(dir / "marker") << "host data";
  }
  ~Victim() { umount2(dir.c_str(), MNT_DETACH); }
  /// Still mounted exactly once, with its marker and nothing else in it.
  void require_untouched() const {
    CHECK(mounts_under(dir) == std::vector<std::string>{dir.string()});
    CHECK(read_file(dir / "marker") == "host data");
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
    CHECK(names == std::vector<std::string>{"marker"});
  }
};

}  // namespace

TEST_CASE("a boxes dir another user could control is refused at start", "[sandbox][boxes]") {
  IDE_REQUIRE_ISOLATION();
  ide::test::TempDir temp;
  fs::permissions(temp.path(), kPassThrough);
  // A shared, sticky directory like /tmp, where the other user may create names of their own.
  const fs::path shared = temp / "shared";
  fs::create_directory(shared);
  fs::permissions(shared, fs::perms::all | fs::perms::sticky_bit);
  const fs::path theirs = shared / "theirs";
  fs::path boxes = shared / "boxes";
  std::string problem;
  SECTION("owned by another uid") {
    REQUIRE(as_other_user([&] { return errno_of(mkdir(boxes.c_str(), 0700) == 0); }) == 0);
    problem = "owned by uid 65533";
  }
  SECTION("open to group and others") {
    fs::create_directory(boxes);
    fs::permissions(boxes, fs::perms::all);
    problem = "mode 0777";
  }
  SECTION("a symlink to the other user's directory") {
    REQUIRE(as_other_user([&] {
              if (mkdir(theirs.c_str(), 0777) != 0) return errno;
              return errno_of(symlink(theirs.c_str(), boxes.c_str()) == 0);
            }) == 0);
    problem = "a symlink";
  }
  SECTION("below a directory others can write to") {
    const fs::path open_parent = temp / "open";
    fs::create_directory(open_parent);
    fs::permissions(open_parent, fs::perms::all);
    boxes = open_parent / "boxes";
    problem = open_parent.string() + ": writable by group or others";
  }
  auto made = sandbox_at(boxes);
  REQUIRE_FALSE(made);
  INFO(made.error().message);
  CHECK(made.error().code == ide::core::ErrorCode::unavailable);
  CHECK(made.error().message.find("refusing the boxes dir " + boxes.string()) != std::string::npos);
  CHECK(made.error().message.find(problem) != std::string::npos);
  // Nothing was created in a place the other user controls.
  CHECK((!fs::exists(theirs) || fs::is_empty(theirs)));
}

TEST_CASE("the boxes dir is created 0700 and no other user can plant a box in it",
          "[sandbox][boxes]") {
  IDE_REQUIRE_ISOLATION();
  ide::test::TempDir temp;
  auto sandbox = sandbox_others_can_reach(temp);
  const fs::path boxes = temp / "boxes";
  struct stat st {};
  REQUIRE(lstat(boxes.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(st.st_uid == geteuid());
  const fs::path planted = boxes / "box-60000";
  CHECK(as_other_user([&] { return errno_of(symlink("/etc", planted.c_str()) == 0); }) == EACCES);
}

TEST_CASE("a symlink in place of a box is removed, never followed", "[sandbox][boxes]") {
  IDE_REQUIRE_ISOLATION();
  ide::test::TempDir temp;
  DetachAllUnder cleanup{temp.path()};
  Victim victim(temp / "victim");
  const fs::path boxes = temp / "boxes";
  SECTION("when the box is opened") {
    auto sandbox = sandbox_at(boxes);
    REQUIRE(sandbox);
    std::string name = "box-" + std::to_string(open_box(**sandbox)->host_uid());
    REQUIRE(symlink(victim.dir.c_str(), (boxes / name).c_str()) == 0);
    auto box = open_box(**sandbox);
    victim.require_untouched();
    REQUIRE(box->write_file("written", "into the box"));
    auto listing = box->run(bash("ls -A /box"));
    INFO(describe(listing));
    CHECK(listing.stdout_data == "written\n");
    victim.require_untouched();
    box.reset();
    victim.require_untouched();
    CHECK_FALSE(fs::exists(fs::symlink_status(boxes / name)));
  }
  SECTION("when a dead server's box is cleaned at start") {
    fs::create_directory(boxes);
    fs::permissions(boxes, fs::perms::owner_all);
    const fs::path stale = boxes / "box-60998";  // a pool uid nobody holds
    REQUIRE(symlink(victim.dir.c_str(), stale.c_str()) == 0);
    auto sandbox = sandbox_at(boxes);
    REQUIRE(sandbox);
    victim.require_untouched();
    CHECK_FALSE(fs::exists(fs::symlink_status(stale)));
  }
}

TEST_CASE("chmod 777 /box in a run does not let another user into the live work dir",
          "[sandbox][boxes]") {
  IDE_REQUIRE_ISOLATION();
  ide::test::TempDir temp;
  auto sandbox = sandbox_others_can_reach(temp);
  const fs::path boxes = temp / "boxes";
  auto box = open_box(*sandbox);
  auto opened = box->run(
      bash("echo secret > /box/secret; chmod 666 /box/secret; chmod 777 /box; stat -c %a /box"));
  INFO(describe(opened));
  REQUIRE(opened.stdout_data == "777\n");
  const fs::path secret = boxes / ("box-" + std::to_string(box->host_uid())) / "secret";
  REQUIRE(read_file(secret) == "secret\n");  // the path is right: root reads it
  CHECK(as_other_user([&] { return errno_of(open(secret.c_str(), O_RDONLY) >= 0); }) == EACCES);
  CHECK(as_other_user([&] { return errno_of(open(secret.c_str(), O_WRONLY) >= 0); }) == EACCES);
}

TEST_CASE("the work dir's mount options do not show the host uid", "[sandbox][boxes]") {
  IDE_REQUIRE_ISOLATION();
  Harness harness;
  auto box = harness.box();
  auto outcome = box->run(bash("grep ' /box ' /proc/self/mountinfo; stat -c %u:%g /box"));
  INFO(describe(outcome));
  REQUIRE(outcome.termination == Termination::exited);
  const std::string& text = outcome.stdout_data;
  CHECK(text.find(" /box ") != std::string::npos);
  CHECK(text.find("uid=") == std::string::npos);
  CHECK(text.find("gid=") == std::string::npos);
  CHECK(text.find(std::to_string(box->host_uid())) == std::string::npos);
  CHECK(text.ends_with("\n1000:1000\n"));  // still the run's own directory
}

TEST_CASE("a box dir moved under an open box leaves no mount behind", "[sandbox][boxes]") {
  IDE_REQUIRE_ISOLATION();
  ide::test::TempDir temp;
  DetachAllUnder cleanup{temp.path()};
  const fs::path boxes = temp / "boxes";
  auto sandbox = sandbox_at(boxes);
  REQUIRE(sandbox);
  auto box = open_box(**sandbox);
  REQUIRE(box->write_file("data", "in the work dir"));
  const fs::path dir = boxes / ("box-" + std::to_string(box->host_uid()));
  REQUIRE(mounts_under(temp.path()) == std::vector<std::string>{dir.string()});
  fs::path moved;
  SECTION("renamed inside the boxes dir") {
    moved = boxes / "renamed";
    REQUIRE(rename_from_another_mount_namespace(dir, moved) == 0);
  }
  SECTION("moved out of the boxes dir") {
    moved = temp / "moved-out";
    REQUIRE(rename_from_another_mount_namespace(dir, moved) == 0);
  }
  SECTION("the whole boxes dir renamed") {  // not a mount point: allowed in any namespace
    fs::rename(boxes, temp / "boxes-renamed");
    moved = temp / "boxes-renamed" / dir.filename();
  }
  REQUIRE(mounts_under(temp.path()) == std::vector<std::string>{moved.string()});
  box.reset();
  CHECK(mounts_under(temp.path()).empty());
}
