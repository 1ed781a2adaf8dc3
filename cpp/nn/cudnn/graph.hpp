// cuDNN's graph API (the backend API of cuDNN 9: descriptors, operation graphs, heuristics and
// execution plans) for the convolutions of the GPU backend. The legacy calls
// (cudnnConvolutionForward, ...) are deprecated in cuDNN 9 and not used.
//
// A convolution pass becomes a one-operation graph; heuristics mode A ranks the engine
// configurations (then the fallback list, when none of A's fits) and the first that finalizes and
// whose numerical notes the math mode allows is the plan: fp32 refuses tensor-core (TF32) and
// down-converting engines, reduced-precision reductions and FFT, so that results match the CPU
// layers to float rounding; tf32 allows tensor cores. Both refuse non-deterministic engines, so
// that a run repeats bit for bit.
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <span>

#include "nn/cudnn/conv_geometry.hpp"

namespace decent::nn::cudnn {

// Throws Status::internal (out_of_memory for allocation failures) naming `what` and cuDNN's
// error string unless status is CUDNN_STATUS_SUCCESS.
void check(cudnnStatus_t status, const char* what);

// One backend descriptor, destroyed with its owner.
class Descriptor {
 public:
  explicit Descriptor(cudnnBackendDescriptorType_t type);
  ~Descriptor();
  Descriptor(Descriptor&& other) noexcept : d_(other.d_) { other.d_ = nullptr; }
  Descriptor& operator=(Descriptor&& other) noexcept;
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;

  cudnnBackendDescriptor_t get() const { return d_; }
  void set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, std::int64_t count,
           const void* values, const char* what);
  void set_int64s(cudnnBackendAttributeName_t name, std::span<const std::int64_t> values,
                  const char* what) {
    set(name, CUDNN_TYPE_INT64, static_cast<std::int64_t>(values.size()), values.data(), what);
  }
  void set_descriptor(cudnnBackendAttributeName_t name, const Descriptor& d, const char* what) {
    auto raw = d.get();
    set(name, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &raw, what);
  }
  void finalize(const char* what);
  // cudnnBackendFinalize's status, for callers that try alternatives.
  cudnnStatus_t try_finalize();

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
};

// The tensor ids of a convolution pass's variant pack: the activation (x or dx), the filter
// (w or dw) and the output (y or dy), in that order.
inline constexpr std::int64_t kConvUids[3] = {1, 2, 3};

struct ConvPlan {
  Descriptor plan{CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR};
  std::int64_t workspace_bytes = 0;
};

// The plan of one convolution pass; NotSupported naming the geometry when no engine fits the
// math mode.
ConvPlan make_conv_plan(cudnnHandle_t handle, const ConvPlanKey& key);

// Runs a pass: `activation` is x (forward, backward_filter) or dx (backward_data), `filter` w
// or dw, `output` y or dy; the workspace holds at least plan.workspace_bytes.
void execute(cudnnHandle_t handle, const ConvPlan& plan, const void* activation, const void* filter,
             const void* output, void* workspace);

}  // namespace decent::nn::cudnn
