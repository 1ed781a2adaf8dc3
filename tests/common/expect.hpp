// The checks of the GPU test programs (plain executables, not doctest: they exit 77 without a
// device): every failed check is counted and the first ones printed, and finish() turns the
// count into the exit status.
#pragma once

#include <cstdio>
#include <string>

namespace decent::test {

inline int& failed_checks() {
  static int n = 0;
  return n;
}

inline void expect(bool ok, const std::string& what) {
  if (!ok && ++failed_checks() <= 30) std::fprintf(stderr, "FAILED: %s\n", what.c_str());
}

// main's exit status: 1 after any failed check (saying how many), else 0 after `success`.
inline int finish(const char* success) {
  if (failed_checks()) {
    std::fprintf(stderr, "%d checks failed\n", failed_checks());
    return 1;
  }
  std::printf("%s\n", success);
  return 0;
}

}  // namespace decent::test
