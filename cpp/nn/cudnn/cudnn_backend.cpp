#include <mutex>

#include "core/error.hpp"
#include "kernels/cuda/cuda_vector_ops.hpp"
#include "nn/cudnn/cudnn_layers.hpp"

namespace decent::nn::cudnn {
namespace {

class CudnnBackend final : public LayerBackend {
 public:
  // ctx null: the process's context on cuda:0, made at the first layer.
  explicit CudnnBackend(std::shared_ptr<Context> ctx) : ctx_(std::move(ctx)) {}
  std::string_view name() const override { return "cudnn"; }
  DeviceKind device() const override { return DeviceKind::cuda; }
  LayerPtr conv2d(const Conv2dOptions& o) const override { return cudnn::conv2d(context(), o); }
  LayerPtr batch_norm2d(const BatchNormOptions& o) const override {
    return cudnn::batch_norm2d(context(), o);
  }
  LayerPtr relu() const override { return cudnn::relu(context()); }
  LayerPtr max_pool2d(const PoolOptions& o) const override {
    return cudnn::max_pool2d(context(), o);
  }
  LayerPtr avg_pool2d(const PoolOptions& o) const override {
    return cudnn::avg_pool2d(context(), o);
  }
  LayerPtr global_avg_pool() const override { return cudnn::global_avg_pool(context()); }
  LayerPtr linear(std::int64_t in, std::int64_t out) const override {
    return cudnn::linear(context(), in, out);
  }
  LayerPtr residual(LayerPtr main, LayerPtr shortcut) const override {
    return cudnn::residual(context(), std::move(main), std::move(shortcut));
  }
  Device memory_device() const override { return context()->device(); }
  void synchronize() const override { context()->synchronize(); }

 private:
  std::shared_ptr<Context> context() const {
    const std::lock_guard lock(mutex_);
    if (!ctx_) ctx_ = std::make_shared<Context>(Device{DeviceKind::cuda, 0});
    return ctx_;
  }
  mutable std::mutex mutex_;
  mutable std::shared_ptr<Context> ctx_;
};

}  // namespace

std::unique_ptr<LayerBackend> make_backend(std::shared_ptr<Context> ctx) {
  if (!ctx) throw InvalidArgument("cudnn layer backend: the context is null");
  return std::make_unique<CudnnBackend>(std::move(ctx));
}

void register_backend() {
  cuda::use_cuda_devices();
  static const CudnnBackend process_backend(nullptr);
  register_layer_backend(&process_backend);
}

}  // namespace decent::nn::cudnn
