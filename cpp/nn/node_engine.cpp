#include "nn/node_engine.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>

#include "core/build_info.hpp"
#include "core/error.hpp"
#include "core/plugin.hpp"

namespace decent::nn {
namespace {

// The CPU's engine: the default layer backend (oneDNN) and the host ops.
class CpuEngine final : public NodeEngine {
 public:
  Device device() const override { return {}; }
  const LayerBackend& layers() const override { return default_layer_backend(); }
  const VectorOps<float>& ops() const override { return cpu_vector_ops<float>(); }
  void synchronize() const override {}
};

// Must match kernels/cuda/gpu_plugin.cpp.
constexpr const char* kGpuPluginFile = "libdecent_gpu.so";
constexpr const char* kGpuPluginEntry = "decent_gpu_plugin_register";

struct Registry {
  std::mutex mutex;
  std::map<DeviceKind, NodeEngineFactory> factories;
  std::once_flag plugin_once;  // other nodes wait while the first loads the plugin
  std::string plugin_status;   // set once, under plugin_once
};
Registry& registry() {
  static Registry r;
  return r;
}

// Loads the GPU plugin, which registers the CUDA engine (register_node_engine), and returns
// "loaded" or why not.
std::string load_gpu_plugin() {
  if (!DECENT_HAVE_CUDA) return "not built (DECENT_WITH_CUDA=OFF, or CUDA not found)";
  std::string why;
  void* handle = open_plugin(kGpuPluginFile, why);
  if (!handle) return fmt::format("{} not loaded: {}", kGpuPluginFile, why);
  using Entry = const char* (*)(const char* version, const void* engine);
  const auto entry = reinterpret_cast<Entry>(plugin_symbol(handle, kGpuPluginEntry));
  if (!entry) return fmt::format("{} has no {}: another version", kGpuPluginFile, kGpuPluginEntry);
  // The address of register_node_engine tells the plugin which engine loaded it: a program that
  // holds its own copy of the engine's objects (not libdecent_engine.so) cannot use it.
  const char* error =
      entry(DECENT_VERSION_STRING, reinterpret_cast<const void*>(&register_node_engine));
  return error ? fmt::format("{}: {}", kGpuPluginFile, error) : "loaded";
}

}  // namespace

void register_node_engine(DeviceKind kind, NodeEngineFactory factory) {
  auto& r = registry();
  const std::lock_guard lock(r.mutex);
  r.factories[kind] = factory;
}

std::unique_ptr<NodeEngine> open_node_engine(const Device& device,
                                             const NodeEngineOptions& options) {
  if (device.is_cpu()) {
    if (!DECENT_HAVE_DNNL)
      throw NotSupported(
          "device cpu: this build has no oneDNN (DECENT_WITH_DNNL=OFF), so it has no CPU layers: "
          "train on a GPU (--device cuda)");
    return std::make_unique<CpuEngine>();
  }
  const auto status = gpu_plugin_status();
  auto& r = registry();
  NodeEngineFactory factory = nullptr;
  {
    const std::lock_guard lock(r.mutex);
    const auto it = r.factories.find(device.kind);
    if (it != r.factories.end()) factory = it->second;
  }
  if (!factory)
    throw NotSupported(
        fmt::format("device {}: this program cannot train on CUDA devices (GPU plugin: {})",
                    to_string(device), status));
  return factory(device, options);
}

Device node_device(std::string_view spec, int rank) {
  Device d = parse_device(spec);
  if (spec == "cuda") {
    const int count = cuda_device_count();
    d.index = count > 0 ? rank % count : 0;
  }
  return d;
}

std::string gpu_plugin_status() {
  auto& r = registry();
  std::call_once(r.plugin_once, [&r] { r.plugin_status = load_gpu_plugin(); });
  return r.plugin_status;
}

}  // namespace decent::nn
