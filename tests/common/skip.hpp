// Skipping a test whose input is missing, so that ctest reports it as skipped instead of passed:
// every test program exits with kSkipReturnCode, which tests/CMakeLists.txt declares as each
// test's SKIP_RETURN_CODE. `bash packaging/setup.sh --test` (and so CI) fails when a test other
// than the GPU ones is skipped, since it installs every input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace decent::test {

inline constexpr int kSkipReturnCode = 77;

// Ends this test process as skipped, saying why. ctest runs each doctest case in a process of
// its own; run by hand, the whole binary stops here with the same message.
[[noreturn]] inline void skip_test(const std::string& why) {
  std::fprintf(stderr, "SKIPPED: %s\n", why.c_str());
  std::fflush(stderr);
  std::_Exit(kSkipReturnCode);
}

// Skips unless `path` exists, naming the Debian package that installs it.
inline void skip_unless_exists(const std::string& path, const std::string& package) {
  if (!std::filesystem::exists(path))
    skip_test(path + " is missing (apt-get install " + package + ")");
}

}  // namespace decent::test
