// What one training node computes with on its device: the layer backend its model is built with
// and the VectorOps its algorithm and optimizer run on, sharing one stream so that the layers'
// gradients and the updates over them are ordered without waiting on the host. The CPU's engine
// (oneDNN layers, host ops) is built in; the CUDA one comes from the GPU plugin
// (libdecent_gpu.so, kernels/cuda/gpu_plugin.cpp), loaded the first time a node asks for a GPU,
// so that programs that never do need no CUDA library.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/device.hpp"
#include "core/vector_ops.hpp"
#include "nn/layer_backend.hpp"

namespace decent::nn {

class NodeEngine {
 public:
  virtual ~NodeEngine() = default;
  virtual Device device() const = 0;
  virtual const LayerBackend& layers() const = 0;
  virtual const VectorOps<float>& ops() const = 0;
  // Waits for everything this node queued (before the host reads its buffers).
  virtual void synchronize() const = 0;
};

struct NodeEngineOptions {
  // GPU convolutions and matrix products on TF32 tensor cores (PyTorch's allow_tf32); off: fp32
  // throughout, results as the CPU's to float rounding. Ignored on the CPU.
  bool tf32 = false;
};

// Makes the engine of one node on a device of the registered kind (the plugin registers cuda's).
using NodeEngineFactory = std::unique_ptr<NodeEngine> (*)(const Device& device,
                                                          const NodeEngineOptions& options);
void register_node_engine(DeviceKind kind, NodeEngineFactory factory);

// The engine for one node on `device`. For cuda it loads the GPU plugin first; NotSupported
// says why there is none (not built, a library missing, no device), OutOfRange names the
// device count for an index past it.
std::unique_ptr<NodeEngine> open_node_engine(const Device& device,
                                             const NodeEngineOptions& options = {});

// Where a run puts node `rank` for the device option `spec` (core parse_device's "cpu",
// "cuda:N"): that device, except "cuda" without an index, which spreads the nodes over the
// visible GPUs (node r on cuda:(r mod count); cuda:0 when none is visible, which then fails
// in open_node_engine with the reason).
Device node_device(std::string_view spec, int rank);

// Loads the GPU plugin if no call has yet, and says "loaded" or why it is not.
std::string gpu_plugin_status();

}  // namespace decent::nn
