// The vector arithmetic of the algorithms (cpp/algo), the optimizers (cpp/optim) and the
// communicators' mixing, as one interface with an implementation per device: algo/ and optim/
// call only these, so every algorithm runs unchanged on the CPU or a GPU. The arithmetic itself
// is written once, in kernels/vector_ops_body.hpp; the CPU implementation is here
// (vector_ops_cpu.cpp), the CUDA one in kernels/cuda/cuda_device.cpp over the kernels of
// kernels/cuda/vector_kernels.cu.
//
// Pointers are to memory of the ops' device(). Work is queued in order on the ops' stream: on
// the CPU it is done when the call returns; on a GPU, only the calls that return values to the
// host (segment_squares) wait for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/device.hpp"
#include "kernels/vector_ops_body.hpp"

namespace decent {

using kernels::Segment;

template <typename T>
class VectorOps {
 public:
  virtual ~VectorOps() = default;
  virtual Device device() const = 0;

  virtual void copy(std::size_t n, const T* from, T* to) const = 0;
  virtual void axpy(std::size_t n, T a, const T* x, T* y) const = 0;  // y += a x
  virtual void divide(std::size_t n, T d, T* y) const = 0;            // y = y / d
  virtual void sub_scaled(std::size_t n, const T* x, T a, const T* g,
                          T* out) const = 0;                                 // out = x - a g
  virtual void momentum(std::size_t n, T beta, const T* g, T* m) const = 0;  // m = beta m + g
  virtual void add_difference(std::size_t n, const T* a, const T* b,
                              T* y) const = 0;  // y += a - b
  // m = beta m + (x - y) / lr
  virtual void decentlam_momentum(std::size_t n, T beta, T lr, const T* x, const T* y,
                                  T* m) const = 0;
  // psi = x - lr g; phi = psi + x - psi_prev; x = phi
  virtual void exact_diffusion_adapt(std::size_t n, T lr, const T* g, const T* psi_prev, T* x,
                                     T* psi, T* phi) const = 0;
  virtual void half_sum(std::size_t n, const T* phi, T* x) const = 0;  // x = (x + phi) / 2
  // y = 2 x - x_prev - lr g + lr g_prev
  virtual void d2_combine(std::size_t n, T lr, const T* x, const T* x_prev, const T* g,
                          const T* g_prev, T* y) const = 0;
  // x = self x + sum_k weights[k] peers[k] (peers in the topology's order; weights cast to T).
  virtual void mix(std::size_t n, T* x, T self, std::span<const T* const> peers,
                   std::span<const double> weights) const = 0;

  // out[s] = the sum of squares of segment s of x, in double, on the host.
  virtual void segment_squares(const T* x, std::span<const Segment> segments,
                               double* out) const = 0;

  // The optimizers' fused updates (cpp/optim/optimizer.hpp): each overwrites g with the
  // direction. lars and lamb normalise per segment; the segments tile [0, n).
  virtual void sgd(std::size_t n, T momentum, T weight_decay, bool nesterov, const T* x, T* g,
                   T* v) const = 0;
  virtual void lars(std::span<const Segment> segments, T momentum, double weight_decay, double eta,
                    const T* x, T* g, T* v) const = 0;
  // Step t >= 1 (for the bias corrections); r is scratch of n values.
  virtual void lamb(std::span<const Segment> segments, std::int64_t t, double beta1, double beta2,
                    double epsilon, T weight_decay, const T* x, T* g, T* m, T* v, T* r) const = 0;
};

// The CPU implementation (one per process; stateless).
template <typename T>
const VectorOps<T>& cpu_vector_ops();

// Ops for memory of `device` on its default stream (for code that has no stream of its own,
// such as the in-process communicator): the CPU's, or those a device library registered.
// Throws NotSupported for a device kind without registered ops.
template <typename T>
const VectorOps<T>& vector_ops_for(const Device& device);
struct DeviceVectorOps {
  const VectorOps<float>& (*f32)(const Device&);
  const VectorOps<double>& (*f64)(const Device&);
};
// Registers them for a device kind (kernels/cuda does for cuda); nullptrs unregister.
void register_vector_ops(DeviceKind kind, DeviceVectorOps ops);

}  // namespace decent
