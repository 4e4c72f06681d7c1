// sandbox_probe: prints what isolation this machine offers (as `ide doctor` does). Exit 0 when
// runs can be isolated, 77 (ctest: skipped) when not, so the test summary says so plainly.
#include <cstdio>

#include "sandbox/sandbox.hpp"

int main() {
  auto report = ide::sandbox::probe_isolation();
  std::printf("%s\n", report.describe().c_str());
  if (!report.usable) {
    std::printf("WARNING: the isolated sandbox tests are SKIPPED on this machine: %s\n",
                report.reason.c_str());
    return 77;
  }
  return 0;
}
