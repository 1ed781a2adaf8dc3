// set_threads / threads in a build without oneDNN (and OpenMP): the host loops run on the
// calling thread, so the count is checked and reported as 1.
#include <string>

#include "core/error.hpp"
#include "nn/threads.hpp"

namespace decent::nn {

void set_threads(int n) {
  if (n < 1) throw InvalidArgument("threads " + std::to_string(n) + ": expected >= 1");
}

int threads() {
  return 1;
}

}  // namespace decent::nn
