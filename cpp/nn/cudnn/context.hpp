// What the GPU layers of one node share: its device, its stream, its cuDNN and cuBLAS handles
// (bound to the stream), one convolution workspace grown to the largest plan's need, the plan
// cache, and scratch buffers for tensors that live within one layer call. One context per node
// (not per thread, as oneDNN's): nodes on one GPU each queue on their own stream.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/device.hpp"
#include "nn/backend.hpp"
#include "nn/cudnn/graph.hpp"

namespace decent::nn::cudnn {

// Throws Status::internal naming `what` and the error unless it is cudaSuccess (or 0 for the
// int statuses of the cuda::each launches).
void check_cuda(int status, const char* what);
void check_cublas(cublasStatus_t status, const char* what);

class Context {
 public:
  // A context on `device` (cuda:N) with a stream of its own. math: fp32 (results as the CPU's
  // to float rounding) or tf32 (tensor-core products in convolutions and the linear layer).
  explicit Context(Device device, ConvMath math = ConvMath::fp32);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Device& device() const { return stream_.device(); }
  const Stream& stream() const { return stream_; }
  cudaStream_t cuda_stream() const { return static_cast<cudaStream_t>(stream_.handle()); }
  cudnnHandle_t cudnn() const { return cudnn_; }
  cublasHandle_t cublas() const { return cublas_; }
  ConvMath math() const { return math_; }

  // The plan for `key` (built on first use) and a workspace large enough for it.
  const ConvPlan& conv_plan(const ConvPlanKey& key);
  void* workspace(std::int64_t bytes);
  // How many plans are cached (each shape and pass is planned once).
  std::size_t plan_count();

  // `floats` floats of scratch in `slot`, valid until the next request for that slot.
  float* scratch(Scratch slot, std::size_t floats);

  // Makes `memory` hold at least `bytes` on this device, growing it only after the queued work
  // (which may still use the old allocation) is done; never shrinks it. Returns its data.
  void* grow(DeviceMemory& memory, std::size_t bytes) const;

  // f(i) for i in [0, n) on this context's stream (kernels/cuda/each.cuh).
  template <class F>
  void each(std::int64_t n, const F& f) const;

  // Waits for this context's queued work (for tests and hand-overs to the host).
  void synchronize() const { stream_.synchronize(); }

 private:
  Stream stream_;
  ConvMath math_;
  cudnnHandle_t cudnn_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  std::mutex plans_mutex_;
  std::unordered_map<ConvPlanKey, std::unique_ptr<ConvPlan>, ConvPlanKeyHash> plans_;
  DeviceMemory workspace_;
  std::array<DeviceMemory, 3> scratch_;
};

}  // namespace decent::nn::cudnn

#include "kernels/cuda/vector_kernels.hpp"

namespace decent::nn::cudnn {

template <class F>
void Context::each(std::int64_t n, const F& f) const {
  if (n <= 0) return;
  check_cuda(cuda::each(static_cast<std::size_t>(n), f, stream_.handle()), "kernel launch");
}

}  // namespace decent::nn::cudnn
