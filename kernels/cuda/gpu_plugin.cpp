// libdecent_gpu.so: the GPU engine as a plugin of libdecent_engine.so, which loads it the first
// time a node asks for a CUDA device (nn/node_engine.cpp). It holds only the GPU code (the CUDA
// device backend, VectorOps and kernels, the cuDNN/cuBLAS layers, NCCL) and binds to the engine
// already in the process, so the nodes, registries and models it serves are that engine's.
// Only this plugin needs the CUDA libraries (cuDNN, cuBLAS, NCCL).
#include <cstring>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "kernels/cuda/cuda_vector_ops.hpp"
#include "nn/cudnn/cudnn_layers.hpp"
#include "nn/node_engine.hpp"

namespace decent::gpu_plugin {
namespace {

// One node's engine: its own context (device, stream, cuDNN/cuBLAS handles), the layers on it,
// and VectorOps queued on the same stream, so gradients and updates need no host wait.
class CudaEngine final : public nn::NodeEngine {
 public:
  CudaEngine(const Device& device, const nn::NodeEngineOptions& options)
      : ctx_(std::make_shared<nn::cudnn::Context>(
            device, options.tf32 ? nn::cudnn::ConvMath::tf32 : nn::cudnn::ConvMath::fp32)),
        layers_(nn::cudnn::make_backend(ctx_)),
        ops_(cuda::make_vector_ops<float>(ctx_->stream())) {}
  Device device() const override { return ctx_->device(); }
  const nn::LayerBackend& layers() const override { return *layers_; }
  const VectorOps<float>& ops() const override { return *ops_; }
  void synchronize() const override { ctx_->stream().synchronize(); }

 private:
  std::shared_ptr<nn::cudnn::Context> ctx_;
  std::unique_ptr<nn::LayerBackend> layers_;
  std::unique_ptr<VectorOps<float>> ops_;
};

std::unique_ptr<nn::NodeEngine> make_engine(const Device& device,
                                            const nn::NodeEngineOptions& options) {
  const int count = cuda::device_count();
  if (device.index < 0 || device.index >= count)
    throw OutOfRange(to_string(device) + ": this machine has " + std::to_string(count) +
                     " CUDA device" + (count == 1 ? "" : "s"));
  return std::make_unique<CudaEngine>(device, options);
}

std::string& last_error() {
  static std::string e;
  return e;
}

}  // namespace
}  // namespace decent::gpu_plugin

// Registers the CUDA device backend, the "cudnn" layer backend and the CUDA node engine with the
// engine that loaded this plugin, whose register_node_engine is at `engine`. Returns nullptr, or
// why not (a version mismatch, a loader with its own copy of the engine, no usable device).
// Called once (nn/node_engine.cpp).
extern "C" __attribute__((visibility("default"))) const char* decent_gpu_plugin_register(
    const char* version, const void* engine) {
  using namespace decent;
  try {
    if (version == nullptr || std::strcmp(version, DECENT_VERSION_STRING) != 0)
      throw Error(Status::internal, std::string("built for decent ") + DECENT_VERSION_STRING +
                                        ", loaded by " + (version ? version : "(null)"));
    // The plugin binds to libdecent_engine.so; registering there would not reach a program
    // that linked the engine's objects itself (its registries are its own).
    if (engine != reinterpret_cast<const void*>(&nn::register_node_engine))
      throw Error(Status::not_supported,
                  "loaded by a program with its own copy of the engine (it must link "
                  "libdecent_engine.so, as the decent command and libdecent.so do)");
    nn::cudnn::register_backend();  // also the CUDA device backend (use_cuda_devices)
    nn::register_node_engine(DeviceKind::cuda, &gpu_plugin::make_engine);
    return nullptr;
  } catch (const std::exception& e) {
    gpu_plugin::last_error() = e.what();
  } catch (...) {
    gpu_plugin::last_error() = "unknown error";
  }
  return gpu_plugin::last_error().c_str();
}
