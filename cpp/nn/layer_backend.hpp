// Layer backends: the layer factories of nn/layers.hpp for one kind of device, by name. "dnnl"
// (oneDNN, CPU) is built in when decent is built with oneDNN; "cudnn" (planned) will register
// itself from the CUDA library. The factories of nn/layers.hpp make their layers with the
// process's default backend (dnnl).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/device.hpp"
#include "nn/layers.hpp"

namespace decent::nn {

class LayerBackend {
 public:
  virtual ~LayerBackend() = default;
  virtual std::string_view name() const = 0;
  // The device kind its layers compute on (their tensors live there).
  virtual DeviceKind device() const = 0;
  virtual LayerPtr conv2d(const Conv2dOptions& options) const = 0;
  virtual LayerPtr batch_norm2d(const BatchNormOptions& options) const = 0;
  virtual LayerPtr relu() const = 0;
  virtual LayerPtr max_pool2d(const PoolOptions& options) const = 0;
  virtual LayerPtr avg_pool2d(const PoolOptions& options) const = 0;
  virtual LayerPtr global_avg_pool() const = 0;
  virtual LayerPtr linear(std::int64_t in_features, std::int64_t out_features) const = 0;
};

// The backend called `name`. Throws NotSupported for "cudnn" when this program has no CUDA
// layer backend, InvalidArgument naming the known backends for any other unknown name.
const LayerBackend& layer_backend(std::string_view name);
// The names of the registered backends, the built-in first.
std::vector<std::string> layer_backend_names();
// Makes `backend` known by its name (a second one of the same name replaces the first).
void register_layer_backend(const LayerBackend* backend);
// The backend the factories of nn/layers.hpp use.
const LayerBackend& default_layer_backend();

}  // namespace decent::nn
