// Layer backends: the layer factories of nn/layers.hpp for one kind of device, by name. "dnnl"
// (oneDNN, CPU) is built in when decent is built with oneDNN; "cudnn" registers itself from
// decent_gpu (nn::cudnn::register_backend). The factories of nn/layers.hpp make their layers
// with the backend in scope (ScopedLayerBackend), else the process's default (dnnl).
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
  // The residual block relu(main(x) + shortcut(x)); by default the host one (host_residual).
  virtual LayerPtr residual(LayerPtr main, LayerPtr shortcut) const;
  // Where its layers' tensors, and so a model's flat buffers, live.
  virtual Device memory_device() const { return {device(), 0}; }
  // Waits for the work its layers queued (before the host reads their results).
  virtual void synchronize() const {}
};

// The residual block on the host (cpp/nn/sequential.cpp).
LayerPtr host_residual(LayerPtr main, LayerPtr shortcut);

// While it lives, the factories of nn/layers.hpp on this thread make their layers with
// `backend` (build_model uses it for ModelSpec::layers); scopes nest.
class ScopedLayerBackend {
 public:
  explicit ScopedLayerBackend(const LayerBackend& backend);
  ~ScopedLayerBackend();
  ScopedLayerBackend(const ScopedLayerBackend&) = delete;
  ScopedLayerBackend& operator=(const ScopedLayerBackend&) = delete;

 private:
  const LayerBackend* previous_;
};

// The backend in scope on this thread, else the default.
const LayerBackend& current_layer_backend();

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
