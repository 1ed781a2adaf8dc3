// The arithmetic of every VectorOps operation (cpp/core/vector_ops.hpp), written once as
// functors that run on the host and, compiled by nvcc, on the device: the CPU implementation
// loops over them, the CUDA kernels (cuda/vector_kernels.cu) call them from grid-stride loops. The
// CUDA code is compiled with -fmad=false, so that an element-wise result is the same float on
// both (IEEE +, -, *, / and sqrt are correctly rounded on both); only the reductions
// (segment_squares) add in another order on the device, and tests/unit/vector_ops_test.cpp
// runs the device's order on the host to bound that difference.
//
// Equations: docs/algorithms.md (algorithms) and cpp/optim/optimizer.hpp (sgd, lars, lamb).
// No header of the standard library beyond <cstddef>/<cstdint>/<cmath>, so nvcc takes it as is.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#define DECENT_HD __host__ __device__
#else
#define DECENT_HD
#endif

namespace decent::kernels {

// A range of the flat buffer (one layer's parameters: LARS and LAMB normalise per segment).
struct Segment {
  std::int64_t offset = 0, size = 0;
};

// y += a x
template <typename T>
struct Axpy {
  T a;
  const T* x;
  T* y;
  DECENT_HD void operator()(std::size_t i) const { y[i] += a * x[i]; }
};

// y = y / d (an average's division, exactly as the CPU's all-reduce does it)
template <typename T>
struct Divide {
  T d;
  T* y;
  DECENT_HD void operator()(std::size_t i) const { y[i] /= d; }
};

// out = x - a g
template <typename T>
struct SubScaled {
  const T* x;
  T a;
  const T* g;
  T* out;
  DECENT_HD void operator()(std::size_t i) const { out[i] = x[i] - a * g[i]; }
};

// m = beta m + g (heavy-ball momentum, dmsgd)
template <typename T>
struct Momentum {
  T beta;
  const T* g;
  T* m;
  DECENT_HD void operator()(std::size_t i) const { m[i] = beta * m[i] + g[i]; }
};

// y += a - b (gradient tracking)
template <typename T>
struct AddDifference {
  const T* a;
  const T* b;
  T* y;
  DECENT_HD void operator()(std::size_t i) const { y[i] += a[i] - b[i]; }
};

// m = beta m + (x - y) / lr (decentlam, y = W(x - lr g))
template <typename T>
struct DecentLamMomentum {
  T beta, lr;
  const T* x;
  const T* y;
  T* m;
  DECENT_HD void operator()(std::size_t i) const { m[i] = beta * m[i] + (x[i] - y[i]) / lr; }
};

// exact diffusion's adapt and correct: psi = x - lr g; phi = psi + x - psi_prev; x = phi
template <typename T>
struct ExactDiffusionAdapt {
  T lr;
  const T* g;
  const T* psi_prev;
  T* x;
  T* psi;
  T* phi;
  DECENT_HD void operator()(std::size_t i) const {
    psi[i] = x[i] - lr * g[i];
    phi[i] = psi[i] + x[i] - psi_prev[i];
    x[i] = phi[i];
  }
};

// x = (x + phi) / 2 (exact diffusion's (I + W)/2 after x = W phi)
template <typename T>
struct HalfSum {
  const T* phi;
  T* x;
  DECENT_HD void operator()(std::size_t i) const { x[i] = (x[i] + phi[i]) / T{2}; }
};

// d2 after the first step: y = 2 x - x_prev - lr g + lr g_prev
template <typename T>
struct D2Combine {
  T lr;
  const T* x;
  const T* x_prev;
  const T* g;
  const T* g_prev;
  T* y;
  DECENT_HD void operator()(std::size_t i) const {
    y[i] = T{2} * x[i] - x_prev[i] - lr * g[i] + lr * g_prev[i];
  }
};

// Neighbour mixing: x = self x + sum_k w_k peer_k, the peers in the topology's order.
inline constexpr int kMaxMixPeers = 16;  // per pass; more peers take further passes onto x
template <typename T>
struct Mix {
  T* x;
  T self;  // 1 on the passes after the first
  int peers;
  const T* peer[kMaxMixPeers];
  T weight[kMaxMixPeers];
  // The two halves, for the CPU's blocked loops (each half over a block that stays in cache);
  // operator() is both in order, for the device. Either way x[i] is (x[i] self) + w_0 p_0[i] +
  // w_1 p_1[i] + ..., rounded to T after each operation.
  DECENT_HD void scale_self(std::size_t i) const { x[i] *= self; }
  DECENT_HD void add_peer(int k, std::size_t i) const { x[i] += weight[k] * peer[k][i]; }
  DECENT_HD void operator()(std::size_t i) const {
    T v = x[i] * self;
    for (int k = 0; k < peers; ++k) v += weight[k] * peer[k][i];
    x[i] = v;
  }
};

// A value squared in double (the norms of LARS and LAMB are accumulated in double).
template <typename T>
DECENT_HD inline double square(T v) {
  return static_cast<double>(v) * v;
}

// sgd (PyTorch's SGD without dampening): g' = g + wd x; v = m v + g'; d = v or g' + m v.
template <typename T>
struct Sgd {
  T m, wd;
  bool nesterov;
  const T* x;
  T* g;
  T* v;
  DECENT_HD void operator()(std::size_t i) const {
    const T gi = g[i] + wd * x[i];
    v[i] = m * v[i] + gi;
    g[i] = nesterov ? gi + m * v[i] : v[i];
  }
};

// LARS's local learning rate of a segment from its sums of squares (1 when a norm is 0).
DECENT_HD inline float lars_local(double eta, double wd, double x_squares, double g_squares) {
  const double xn = sqrt(x_squares), gn = sqrt(g_squares);
  const double denom = gn + wd * xn;
  return static_cast<float>(xn > 0 && denom > 0 ? eta * xn / denom : 1.0);
}

// LARS within one segment: v = m v + local (g + wd x); d = v.
template <typename T>
struct LarsUpdate {
  T m, wd, local;
  const T* x;
  T* g;
  T* v;
  DECENT_HD void operator()(std::size_t i) const {
    v[i] = m * v[i] + local * (g[i] + wd * x[i]);
    g[i] = v[i];
  }
};

// LAMB's moments and update before the trust ratio: Adam with bias corrections c1, c2.
template <typename T>
struct LambMoments {
  double b1, b2, c1, c2, eps;
  T wd;
  const T* x;
  const T* g;
  T* m;
  T* v;
  T* r;
  DECENT_HD void operator()(std::size_t i) const {
    m[i] = static_cast<T>(b1 * m[i] + (1 - b1) * g[i]);
    v[i] = static_cast<T>(b2 * v[i] + (1 - b2) * static_cast<double>(g[i]) * g[i]);
    const double mh = m[i] / c1, vh = v[i] / c2;
    r[i] = static_cast<T>(mh / (sqrt(vh) + eps)) + wd * x[i];
  }
};

// LAMB's trust ratio ||x_l|| / ||r_l|| from the sums of squares (1 when a norm is 0).
DECENT_HD inline float lamb_ratio(double x_squares, double r_squares) {
  const double xn = sqrt(x_squares), rn = sqrt(r_squares);
  return static_cast<float>(xn > 0 && rn > 0 ? xn / rn : 1.0);
}

// d = ratio r within one segment.
template <typename T>
struct Scale {
  T a;
  const T* x;
  T* y;
  DECENT_HD void operator()(std::size_t i) const { y[i] = a * x[i]; }
};

// The device's sum of squares of a segment, written so that the host can run it too: thread
// t of `threads` adds every threads-th square from t on; the partial sums are then added
// pairwise in a tree (p[t] += p[t + s] for s = threads/2, threads/4, ..., 1), as the kernel
// does in shared memory. `threads` is a power of two.
template <typename T>
DECENT_HD inline double strided_squares(const T* x, std::int64_t size, int thread, int threads) {
  double s = 0;
  for (std::int64_t i = thread; i < size; i += threads) s += square(x[i]);
  return s;
}
DECENT_HD inline void tree_level(double* partial, int thread, int half) {
  if (thread < half) partial[thread] += partial[thread + half];
}

}  // namespace decent::kernels
