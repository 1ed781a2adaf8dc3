// The VectorOps kernels. Built with -fmad=false (kernels/CMakeLists.txt): a multiply-add is not
// fused, so element-wise results equal the CPU's (vector_ops_body.hpp).
#include <cuda_runtime.h>

#include <algorithm>

#include "each.cuh"
#include "vector_kernels.hpp"

namespace decent::cuda {
namespace {

// Block b sums segment b's squares of x into *out (one double per block).
template <typename T>
__device__ double block_squares(const T* x, const kernels::Segment& s) {
  __shared__ double partial[kBlockThreads];
  const int t = static_cast<int>(threadIdx.x);
  partial[t] = kernels::strided_squares(x + s.offset, s.size, t, kBlockThreads);
  __syncthreads();
  for (int half = kBlockThreads / 2; half > 0; half /= 2) {
    kernels::tree_level(partial, t, half);
    __syncthreads();
  }
  const double sum = partial[0];
  __syncthreads();  // partial is reused by a second call in the same kernel
  return sum;
}

template <typename T>
__global__ void segment_squares_kernel(const T* x, const kernels::Segment* segments, double* out) {
  const double sum = block_squares(x, segments[blockIdx.x]);
  if (threadIdx.x == 0) out[blockIdx.x] = sum;
}

template <typename T>
__global__ void lars_kernel(const kernels::Segment* segments, const double* squares, double eta,
                            double wd, T m, const T* x, T* g, T* v) {
  const kernels::Segment s = segments[blockIdx.x];
  const float local =
      kernels::lars_local(eta, wd, squares[blockIdx.x], squares[gridDim.x + blockIdx.x]);
  const kernels::LarsUpdate<T> f{m, static_cast<T>(wd), static_cast<T>(local), x, g, v};
  for (std::int64_t i = threadIdx.x; i < s.size; i += blockDim.x)
    f(static_cast<std::size_t>(s.offset + i));
}

template <typename T>
__global__ void lamb_kernel(const kernels::Segment* segments, const double* squares, const T* r,
                            T* g) {
  const kernels::Segment s = segments[blockIdx.x];
  const float ratio = kernels::lamb_ratio(squares[blockIdx.x], squares[gridDim.x + blockIdx.x]);
  const kernels::Scale<T> f{static_cast<T>(ratio), r, g};
  for (std::int64_t i = threadIdx.x; i < s.size; i += blockDim.x)
    f(static_cast<std::size_t>(s.offset + i));
}

}  // namespace

template <typename T>
int segment_squares(const T* x, const kernels::Segment* segments, int count, double* out,
                    void* stream) {
  if (count == 0) return cudaSuccess;
  segment_squares_kernel<T>
      <<<count, kBlockThreads, 0, static_cast<cudaStream_t>(stream)>>>(x, segments, out);
  return cudaGetLastError();
}

template <typename T>
int lars_segments(const kernels::Segment* segments, int count, const double* squares, double eta,
                  double wd, T m, const T* x, T* g, T* v, void* stream) {
  if (count == 0) return cudaSuccess;
  lars_kernel<T><<<count, kBlockThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      segments, squares, eta, wd, m, x, g, v);
  return cudaGetLastError();
}

template <typename T>
int lamb_segments(const kernels::Segment* segments, int count, const double* squares, const T* r,
                  T* g, void* stream) {
  if (count == 0) return cudaSuccess;
  lamb_kernel<T>
      <<<count, kBlockThreads, 0, static_cast<cudaStream_t>(stream)>>>(segments, squares, r, g);
  return cudaGetLastError();
}

#define DECENT_EACH(F) template int each<F>(std::size_t, const F&, void*);
#define DECENT_TYPED(T)                                                                         \
  DECENT_EACH(kernels::Axpy<T>)                                                                 \
  DECENT_EACH(kernels::Divide<T>)                                                               \
  DECENT_EACH(kernels::SubScaled<T>)                                                            \
  DECENT_EACH(kernels::Momentum<T>)                                                             \
  DECENT_EACH(kernels::AddDifference<T>)                                                        \
  DECENT_EACH(kernels::DecentLamMomentum<T>)                                                    \
  DECENT_EACH(kernels::ExactDiffusionAdapt<T>)                                                  \
  DECENT_EACH(kernels::HalfSum<T>)                                                              \
  DECENT_EACH(kernels::D2Combine<T>)                                                            \
  DECENT_EACH(kernels::Mix<T>)                                                                  \
  DECENT_EACH(kernels::Sgd<T>)                                                                  \
  DECENT_EACH(kernels::LambMoments<T>)                                                          \
  template int segment_squares<T>(const T*, const kernels::Segment*, int, double*, void*);      \
  template int lars_segments<T>(const kernels::Segment*, int, const double*, double, double, T, \
                                const T*, T*, T*, void*);                                       \
  template int lamb_segments<T>(const kernels::Segment*, int, const double*, const T*, T*, void*);
DECENT_TYPED(float)
DECENT_TYPED(double)

}  // namespace decent::cuda
