// The CUDA kernel's sum of squares of one segment (kernels/cuda/vector_kernels.cu: one block of
// kBlockThreads threads, strided partial sums, then the shared-memory tree), run on the host:
// the unit tests compare it with the CPU's sequential sum, the GPU test with the device's.
#pragma once

#include <cstdint>

#include "kernels/vector_ops_body.hpp"

namespace decent::test {

inline constexpr int kDeviceBlockThreads = 256;  // kernels/cuda/vector_kernels.hpp

template <typename T>
double device_order_squares(const T* x, std::int64_t size) {
  double partial[kDeviceBlockThreads];
  for (int t = 0; t < kDeviceBlockThreads; ++t)
    partial[t] = kernels::strided_squares(x, size, t, kDeviceBlockThreads);
  for (int half = kDeviceBlockThreads / 2; half > 0; half /= 2)
    for (int t = 0; t < kDeviceBlockThreads; ++t) kernels::tree_level(partial, t, half);
  return partial[0];
}

}  // namespace decent::test
