// ide-sandbox-init: the run's pid 1. A small static program that the sandbox embeds and execs
// inside the run's new namespaces, so pid 1 holds nothing of the server's memory. It reads its
// plan from the descriptor named by argv[1], builds the root, starts the program, reports.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "child.hpp"
#include "plan_codec.hpp"

int main(int argc, char** argv) {
  using namespace ide::sandbox::detail;
  if (argc < 2) return 120;
  int plan_fd = std::atoi(argv[1]);
  std::string bytes;
  char buffer[65536];
  for (;;) {
    ssize_t n = read(plan_fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 121;
    if (n == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  close(plan_fd);
  auto decoded = decode_plan(std::move(bytes));
  if (!decoded) return 122;
  constexpr std::size_t kStack = 256 * 1024;
  void* stack =
      mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return 123;
  decoded->plan.program_stack_top = static_cast<char*>(stack) + kStack;
  run_init(decoded->plan);
}
