// The registry of layer backends, and the factories of nn/layers.hpp over the one in scope.
#include "nn/layer_backend.hpp"

#include <fmt/format.h>

#include <mutex>

#include "core/error.hpp"
#include "core/parse.hpp"
#if DECENT_HAVE_DNNL
#include "nn/dnnl/dnnl_layers.hpp"
#endif

namespace decent::nn {
namespace {

struct Registry {
  std::mutex mutex;
#if DECENT_HAVE_DNNL
  std::vector<const LayerBackend*> backends{&dnnl_layer_backend()};
#else
  std::vector<const LayerBackend*> backends;
#endif
};
Registry& registry() {
  static Registry r;
  return r;
}

thread_local const LayerBackend* scoped_backend = nullptr;

}  // namespace

const LayerBackend& layer_backend(std::string_view name) {
  auto& r = registry();
  const std::lock_guard lock(r.mutex);
  for (const auto* b : r.backends)
    if (b->name() == name) return *b;
  if (name == "cudnn")
    throw NotSupported(
        "layer backend \"cudnn\": not registered in this program (the GPU layers are in "
        "decent_gpu: call nn::cudnn::register_backend() on a machine with a CUDA device)");
  std::vector<std::string> names;
  for (const auto* b : r.backends) names.emplace_back(b->name());
  throw InvalidArgument(
      fmt::format("layer backend \"{}\": unknown; expected one of {}", name, join(names)));
}

std::vector<std::string> layer_backend_names() {
  auto& r = registry();
  const std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto* b : r.backends) names.emplace_back(b->name());
  return names;
}

void register_layer_backend(const LayerBackend* backend) {
  if (!backend) throw InvalidArgument("register_layer_backend: backend is NULL");
  auto& r = registry();
  const std::lock_guard lock(r.mutex);
  for (auto*& b : r.backends)
    if (b->name() == backend->name()) {
      b = backend;
      return;
    }
  r.backends.push_back(backend);
}

const LayerBackend& default_layer_backend() {
#if DECENT_HAVE_DNNL
  return dnnl_layer_backend();
#else
  throw NotSupported(
      "the layer factories of nn/layers.hpp: this build has no oneDNN, so no default layer "
      "backend; make layers through layer_backend(\"cudnn\")");
#endif
}

LayerPtr LayerBackend::residual(LayerPtr main, LayerPtr shortcut) const {
  return host_residual(std::move(main), std::move(shortcut));
}

ScopedLayerBackend::ScopedLayerBackend(const LayerBackend& backend) : previous_(scoped_backend) {
  scoped_backend = &backend;
}
ScopedLayerBackend::~ScopedLayerBackend() {
  scoped_backend = previous_;
}

const LayerBackend& current_layer_backend() {
  return scoped_backend ? *scoped_backend : default_layer_backend();
}

LayerPtr make_conv2d(const Conv2dOptions& o) {
  return current_layer_backend().conv2d(o);
}
LayerPtr make_batch_norm2d(const BatchNormOptions& o) {
  return current_layer_backend().batch_norm2d(o);
}
LayerPtr make_relu() {
  return current_layer_backend().relu();
}
LayerPtr make_max_pool2d(const PoolOptions& o) {
  return current_layer_backend().max_pool2d(o);
}
LayerPtr make_avg_pool2d(const PoolOptions& o) {
  return current_layer_backend().avg_pool2d(o);
}
LayerPtr make_global_avg_pool() {
  return current_layer_backend().global_avg_pool();
}
LayerPtr make_linear(std::int64_t in, std::int64_t out) {
  return current_layer_backend().linear(in, out);
}

}  // namespace decent::nn
