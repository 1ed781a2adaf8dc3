// The grid-stride launch of a host/device functor, shared by the .cu files that instantiate
// cuda::each (vector_kernels.hpp) for their functors.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>

#include "vector_kernels.hpp"

namespace decent::cuda {

template <class F>
__global__ void each_kernel(std::size_t n, F f) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride)
    f(i);
}

template <class F>
int each(std::size_t n, const F& f, void* stream) {
  if (n == 0) return cudaSuccess;
  const int blocks =
      static_cast<int>(std::min<std::size_t>((n + kBlockThreads - 1) / kBlockThreads, 65535));
  each_kernel<<<blocks, kBlockThreads, 0, static_cast<cudaStream_t>(stream)>>>(n, f);
  return cudaGetLastError();
}

}  // namespace decent::cuda
