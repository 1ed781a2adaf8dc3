// Launches of the VectorOps kernels (kernels/vector_ops_body.hpp's functors on the device),
// declared without CUDA or C++20 headers so that the C++20 side (cuda_vector_ops.cpp) can call
// them. Every function queues work on `stream` (a cudaStream_t) and returns the launch's
// cudaError_t as an int (0: queued).
#pragma once

#include <cstddef>

#include "../vector_ops_body.hpp"

namespace decent::cuda {

// Threads per block of every kernel; the segment reductions assume a power of two.
inline constexpr int kBlockThreads = 256;

// f(i) for every i in [0, n), grid-stride. Instantiated for each functor of vector_ops_body.hpp
// over float and double.
template <class F>
int each(std::size_t n, const F& f, void* stream);

// out[s] = the sum of squares of x over segments[s] (both arrays in device memory), one block
// per segment: kBlockThreads strided partial sums, then the tree of kernels::tree_level.
template <typename T>
int segment_squares(const T* x, const kernels::Segment* segments, int count, double* out,
                    void* stream);

// LARS within each segment s, with its local rate from squares[s] (x) and squares[count + s]
// (g), computed on the device (no host round trip).
template <typename T>
int lars_segments(const kernels::Segment* segments, int count, const double* squares, double eta,
                  double weight_decay, T momentum, const T* x, T* g, T* v, void* stream);

// g = ratio_s r within each segment s, ratio from squares[s] (x) and squares[count + s] (r).
template <typename T>
int lamb_segments(const kernels::Segment* segments, int count, const double* squares, const T* r,
                  T* g, void* stream);

}  // namespace decent::cuda
