#include "nn/cudnn/context.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace decent::nn::cudnn {

void check_cuda(int status, const char* what) {
  if (status == 0) return;
  const auto e = static_cast<cudaError_t>(status);
  const auto message = fmt::format("{}: {} ({})", what, cudaGetErrorName(e), cudaGetErrorString(e));
  if (e == cudaErrorMemoryAllocation) throw Error(Status::out_of_memory, message);
  throw Error(Status::internal, message);
}

void check_cublas(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  const auto message = fmt::format("cuBLAS {}: {} ({})", what, cublasGetStatusString(status),
                                   static_cast<int>(status));
  if (status == CUBLAS_STATUS_ALLOC_FAILED) throw Error(Status::out_of_memory, message);
  throw Error(Status::internal, message);
}

Context::Context(Device device, ConvMath math) : stream_(device), math_(math) {
  if (device.kind != DeviceKind::cuda)
    throw InvalidArgument("cuDNN context on " + to_string(device) + ": expected a cuda device");
  check_cuda(cudaSetDevice(device.index), "cudaSetDevice");
  check(cudnnCreate(&cudnn_), "create handle");
  check(cudnnSetStream(cudnn_, cuda_stream()), "set stream");
  check_cublas(cublasCreate(&cublas_), "create handle");
  check_cublas(cublasSetStream(cublas_, cuda_stream()), "set stream");
  // Without TF32 cuBLAS multiplies in full fp32 (its default math since CUDA 11 unless the
  // NVIDIA_TF32_OVERRIDE environment says otherwise).
  check_cublas(cublasSetMathMode(cublas_, math == ConvMath::tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                 : CUBLAS_DEFAULT_MATH),
               "set math mode");
}

Context::~Context() {
  cudaSetDevice(device().index);
  if (cublas_) cublasDestroy(cublas_);
  if (cudnn_) cudnnDestroy(cudnn_);
}

const ConvPlan& Context::conv_plan(const ConvPlanKey& key) {
  const std::lock_guard lock(plans_mutex_);
  auto& slot = plans_[key];
  if (!slot) slot = std::make_unique<ConvPlan>(make_conv_plan(cudnn_, key));
  return *slot;
}

std::size_t Context::plan_count() {
  const std::lock_guard lock(plans_mutex_);
  return plans_.size();
}

void* Context::grow(DeviceMemory& memory, std::size_t bytes) const {
  if (bytes > memory.bytes()) {
    synchronize();
    memory.ensure(device(), bytes);
  }
  return memory.data();
}

void* Context::workspace(std::int64_t bytes) {
  // The largest plan's need is reached in the first step.
  return grow(workspace_, static_cast<std::size_t>(bytes));
}

float* Context::scratch(Scratch slot, std::size_t floats) {
  return static_cast<float*>(
      grow(scratch_[static_cast<std::size_t>(slot)], floats * sizeof(float)));
}

}  // namespace decent::nn::cudnn
