// Batch normalisation over NHWC on the device, optionally fused with the ReLU that follows it:
// the bodies of kernels/batch_norm_body.hpp (tested on the host against oneDNN) launched on the
// node's stream. The statistics of the last training forward stay in the layer's own device
// scratch for backward.
#include "core/error.hpp"
#include "kernels/batch_norm_body.hpp"
#include "nn/cudnn/cudnn_layers.hpp"
#include "nn/cudnn/tensors.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn::cudnn {
namespace {

class BatchNorm2d final : public BatchNormShape {
 public:
  BatchNorm2d(std::shared_ptr<Context> ctx, const BatchNormOptions& o)
      : BatchNormShape(o), ctx_(std::move(ctx)) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    output_dims(x.dims());
    const Tensor& src = as_nhwc(*ctx_, x, src_own_, describe());
    const auto s = rows_of(x.dims());
    Tensor& y = mode == Mode::train ? y_train_ : y_infer_;
    if (y.empty() || y.dims() != x.dims()) y = nhwc_tensor(*ctx_, x.dims());
    const auto each = [this](std::int64_t n, const auto& f) { ctx_->each(n, f); };
    if (mode == Mode::train) {
      kernels::batch_norm_forward_train(each, s, src.data(), scale_.value, shift_.value,
                                        running_mean_, running_var_, o_.epsilon, o_.momentum,
                                        o_.fuse_relu, scratch(train_scratch_, s), y.data());
      saved_src_ = src;
    } else {
      kernels::batch_norm_forward_infer(each, s, src.data(), scale_.value, shift_.value,
                                        running_mean_, running_var_, o_.epsilon, o_.fuse_relu,
                                        scratch(infer_scratch_, s), y.data());
    }
    return y;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (saved_src_.empty())
      throw InvalidArgument(describe() + ": backward without a training forward");
    const Tensor& d = as_nhwc(*ctx_, dy, dy_own_, describe());
    if (d.dims() != saved_src_.dims())
      throw InvalidArgument(describe() + ": gradient " + to_string(d.dims()) +
                            " for a forward of " + to_string(saved_src_.dims()));
    if (needs_input_grad_ && (dx_.empty() || dx_.dims() != d.dims()))
      dx_ = nhwc_tensor(*ctx_, d.dims());
    const auto each = [this](std::int64_t n, const auto& f) { ctx_->each(n, f); };
    const auto rows = rows_of(saved_src_.dims());
    kernels::batch_norm_backward(each, rows, d.data(), o_.fuse_relu ? y_train_.data() : nullptr,
                                 saved_src_.data(), scale_.value, scratch(train_scratch_, rows),
                                 scale_.grad, shift_.grad,
                                 needs_input_grad_ ? dx_.data() : nullptr);
    return needs_input_grad_ ? dx_ : none_;
  }

 private:
  static kernels::ChannelRows rows_of(const Dims& d) { return {d[0] * d[2] * d[3], d[1]}; }
  kernels::BatchNormScratch scratch(DeviceMemory& m, const kernels::ChannelRows& s) {
    const auto bytes =
        static_cast<std::size_t>(kernels::BatchNormScratch::doubles(s)) * sizeof(double);
    return kernels::BatchNormScratch::over(static_cast<double*>(ctx_->grow(m, bytes)), s);
  }

  std::shared_ptr<Context> ctx_;
  DeviceMemory train_scratch_, infer_scratch_;
  Tensor src_own_, dy_own_, saved_src_, y_train_, y_infer_, dx_, none_;
};

}  // namespace

LayerPtr batch_norm2d(std::shared_ptr<Context> ctx, const BatchNormOptions& options) {
  return std::make_unique<BatchNorm2d>(std::move(ctx), options);
}

}  // namespace decent::nn::cudnn
