#include "nn/cudnn/graph.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "core/error.hpp"

// The operation graph and the execution plan are given the handle through attributes that
// cuDNN 9.19 marks deprecated (in favour of device-property descriptors that older 9.x
// runtimes do not have); they work in every 9.x.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace decent::nn::cudnn {

void check(cudnnStatus_t status, const char* what) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  const auto message =
      fmt::format("cuDNN {}: {} ({})", what, cudnnGetErrorString(status), static_cast<int>(status));
  if (status == CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED ||
      status == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED)
    throw Error(Status::out_of_memory, message);
  throw Error(Status::internal, message);
}

Descriptor::Descriptor(cudnnBackendDescriptorType_t type) {
  check(cudnnBackendCreateDescriptor(type, &d_), "create descriptor");
}

Descriptor::~Descriptor() {
  if (d_) cudnnBackendDestroyDescriptor(d_);
}

Descriptor& Descriptor::operator=(Descriptor&& other) noexcept {
  if (this != &other) {
    if (d_) cudnnBackendDestroyDescriptor(d_);
    d_ = other.d_;
    other.d_ = nullptr;
  }
  return *this;
}

void Descriptor::set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type,
                     std::int64_t count, const void* values, const char* what) {
  check(cudnnBackendSetAttribute(d_, name, type, count, values), what);
}

void Descriptor::finalize(const char* what) {
  check(cudnnBackendFinalize(d_), what);
}

cudnnStatus_t Descriptor::try_finalize() {
  return cudnnBackendFinalize(d_);
}

namespace {

Descriptor tensor(std::int64_t uid, const Dims4& dims) {
  Descriptor t(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  const cudnnDataType_t type = CUDNN_DATA_FLOAT;
  const std::int64_t alignment = 16;  // every tensor is its own cudaMalloc'd buffer
  const Dims4 strides = channels_last_strides(dims);
  t.set(CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &type, "tensor data type");
  t.set_int64s(CUDNN_ATTR_TENSOR_DIMENSIONS, dims, "tensor dims");
  t.set_int64s(CUDNN_ATTR_TENSOR_STRIDES, strides, "tensor strides");
  t.set(CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid, "tensor id");
  t.set(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment, "tensor alignment");
  t.finalize("tensor descriptor");
  return t;
}

Descriptor convolution(const ConvGeometry& g) {
  Descriptor c(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;  // what deep learning calls conv
  const std::int64_t spatial = 2;
  const std::array<std::int64_t, 2> one = {1, 1}, stride = {g.stride, g.stride},
                                    pad = {g.padding, g.padding};
  c.set(CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &compute, "conv compute type");
  c.set(CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode, "conv mode");
  c.set(CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &spatial, "conv spatial dims");
  c.set_int64s(CUDNN_ATTR_CONVOLUTION_DILATIONS, one, "conv dilations");
  c.set_int64s(CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, stride, "conv strides");
  c.set_int64s(CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, pad, "conv pre-paddings");
  c.set_int64s(CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, pad, "conv post-paddings");
  c.finalize("convolution descriptor");
  return c;
}

// The attribute names of one pass's operation: its descriptor type and its three tensors.
struct PassAttributes {
  cudnnBackendDescriptorType_t type;
  cudnnBackendAttributeName_t activation, filter, output, conv, alpha, beta;
};

PassAttributes attributes_of(ConvPass pass) {
  switch (pass) {
    case ConvPass::forward:
      return {CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR,
              CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X,
              CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W,
              CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y,
              CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC,
              CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA,
              CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA};
    case ConvPass::backward_data:
      return {CUDNN_BACKEND_OPERATION_CONVOLUTION_BACKWARD_DATA_DESCRIPTOR,
              CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DX,
              CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_W,
              CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DY,
              CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_CONV_DESC,
              CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_ALPHA,
              CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_BETA};
    case ConvPass::backward_filter: break;
  }
  return {CUDNN_BACKEND_OPERATION_CONVOLUTION_BACKWARD_FILTER_DESCRIPTOR,
          CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_X,
          CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_DW,
          CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_DY,
          CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_CONV_DESC,
          CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_ALPHA,
          CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_BETA};
}

// Whether the engine of `config` may run in `math`, by its numerical notes.
bool allowed(const Descriptor& config, ConvMath math) {
  Descriptor engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  auto raw = engine.get();
  std::int64_t n = 0;
  check(cudnnBackendGetAttribute(config.get(), CUDNN_ATTR_ENGINECFG_ENGINE,
                                 CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &raw),
        "engine of a configuration");
  std::array<cudnnBackendNumericalNote_t, CUDNN_NUMERICAL_NOTE_TYPE_COUNT> notes{};
  check(cudnnBackendGetAttribute(engine.get(), CUDNN_ATTR_ENGINE_NUMERICAL_NOTE,
                                 CUDNN_TYPE_NUMERICAL_NOTE, CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &n,
                                 notes.data()),
        "numerical notes of an engine");
  for (std::int64_t i = 0; i < n && i < CUDNN_NUMERICAL_NOTE_TYPE_COUNT; ++i) {
    const auto note = notes[static_cast<std::size_t>(i)];
    if (note == CUDNN_NUMERICAL_NOTE_NONDETERMINISTIC) return false;
    if (math == ConvMath::fp32 && (note == CUDNN_NUMERICAL_NOTE_TENSOR_CORE ||
                                   note == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS ||
                                   note == CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION ||
                                   note == CUDNN_NUMERICAL_NOTE_FFT))
      return false;
  }
  return true;
}

}  // namespace

ConvPlan make_conv_plan(cudnnHandle_t handle, const ConvPlanKey& key) {
  const ConvGeometry& g = key.geometry;
  if (!g.valid()) throw InvalidArgument("convolution " + g.describe() + ": no output");
  const PassAttributes a = attributes_of(key.pass);
  const Descriptor activation = tensor(kConvUids[0], g.input());
  const Descriptor filter = tensor(kConvUids[1], g.filter());
  const Descriptor output = tensor(kConvUids[2], g.output());
  const Descriptor conv = convolution(g);
  Descriptor op(a.type);
  const float alpha = 1, beta = 0;
  op.set_descriptor(a.activation, activation, "conv operation activation");
  op.set_descriptor(a.filter, filter, "conv operation filter");
  op.set_descriptor(a.output, output, "conv operation output");
  op.set_descriptor(a.conv, conv, "conv operation descriptor");
  op.set(a.alpha, CUDNN_TYPE_FLOAT, 1, &alpha, "conv operation alpha");
  op.set(a.beta, CUDNN_TYPE_FLOAT, 1, &beta, "conv operation beta");
  op.finalize("convolution operation");

  Descriptor graph(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  graph.set_descriptor(CUDNN_ATTR_OPERATIONGRAPH_OPS, op, "graph operations");
  graph.set(CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle, "graph handle");
  graph.finalize("operation graph");

  // Mode A's ranking first; the fallback list (engines without tensor cores among them) when
  // none of A's configurations fits the math mode.
  std::int64_t tried = 0;
  for (const cudnnBackendHeurMode_t mode : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    Descriptor heuristics(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
    heuristics.set_descriptor(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, graph, "heuristics graph");
    heuristics.set(CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode, "heuristics mode");
    heuristics.finalize("heuristics");
    std::int64_t count = 0;
    check(cudnnBackendGetAttribute(heuristics.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                   CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count, nullptr),
          "heuristics result count");
    std::vector<Descriptor> configs;
    std::vector<cudnnBackendDescriptor_t> raw;
    for (std::int64_t i = 0; i < count; ++i) {
      configs.emplace_back(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
      raw.push_back(configs.back().get());
    }
    if (count > 0)
      check(cudnnBackendGetAttribute(heuristics.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                     CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &count, raw.data()),
            "heuristics results");
    tried += count;
    for (std::int64_t i = 0; i < count; ++i) {
      const auto& config = configs[static_cast<std::size_t>(i)];
      if (!allowed(config, key.math)) continue;
      ConvPlan p;
      p.plan.set(CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle, "plan handle");
      p.plan.set_descriptor(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, config, "plan configuration");
      if (p.plan.try_finalize() != CUDNN_STATUS_SUCCESS) continue;  // the next engine may fit
      std::int64_t n = 0;
      check(cudnnBackendGetAttribute(p.plan.get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                     CUDNN_TYPE_INT64, 1, &n, &p.workspace_bytes),
            "plan workspace size");
      return p;
    }
  }
  throw NotSupported(
      fmt::format("convolution {} {}: none of cuDNN's {} engine configurations "
                  "runs it deterministically in {}",
                  key.pass == ConvPass::forward         ? "forward"
                  : key.pass == ConvPass::backward_data ? "backward-data"
                                                        : "backward-filter",
                  g.describe(), tried, key.math == ConvMath::fp32 ? "fp32" : "tf32"));
}

void execute(cudnnHandle_t handle, const ConvPlan& plan, const void* activation, const void* filter,
             const void* output, void* workspace) {
  Descriptor pack(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
  void* pointers[3] = {const_cast<void*>(activation), const_cast<void*>(filter),
                       const_cast<void*>(output)};
  pack.set_int64s(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, kConvUids, "variant pack ids");
  pack.set(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, 3, pointers,
           "variant pack pointers");
  pack.set(CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace,
           "variant pack workspace");
  pack.finalize("variant pack");
  check(cudnnBackendExecute(handle, plan.plan.get(), pack.get()), "execute convolution");
}

}  // namespace decent::nn::cudnn
