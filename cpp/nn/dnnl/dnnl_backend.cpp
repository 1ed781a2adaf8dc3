#include "nn/dnnl/dnnl_layers.hpp"
#include "nn/layer_backend.hpp"

namespace decent::nn {
namespace {

class DnnlBackend final : public LayerBackend {
 public:
  std::string_view name() const override { return "dnnl"; }
  DeviceKind device() const override { return DeviceKind::cpu; }
  LayerPtr conv2d(const Conv2dOptions& o) const override { return dnnl_conv2d(o); }
  LayerPtr batch_norm2d(const BatchNormOptions& o) const override { return dnnl_batch_norm2d(o); }
  LayerPtr relu() const override { return dnnl_relu(); }
  LayerPtr max_pool2d(const PoolOptions& o) const override { return dnnl_max_pool2d(o); }
  LayerPtr avg_pool2d(const PoolOptions& o) const override { return dnnl_avg_pool2d(o); }
  LayerPtr global_avg_pool() const override { return dnnl_global_avg_pool(); }
  LayerPtr linear(std::int64_t in, std::int64_t out) const override { return dnnl_linear(in, out); }
};

}  // namespace

const LayerBackend& dnnl_layer_backend() {
  static const DnnlBackend backend;
  return backend;
}

}  // namespace decent::nn
