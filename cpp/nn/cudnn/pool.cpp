// Max, average and global average pooling over NHWC on the device: the gathers of
// kernels/nn_body.hpp (tested on the host against oneDNN's pooling), no atomics.
#include "core/error.hpp"
#include "kernels/nn_body.hpp"
#include "nn/cudnn/cudnn_layers.hpp"
#include "nn/cudnn/tensors.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn::cudnn {
namespace {

class Pool final : public PoolShape {
 public:
  Pool(std::shared_ptr<Context> ctx, PoolKind kind, const PoolOptions& o)
      : PoolShape(kind, o), ctx_(std::move(ctx)) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    const Dims out = output_dims(x.dims());
    const Tensor& src = as_nhwc(*ctx_, x, src_own_, describe());
    const kernels::Pool2d p = window(x.dims(), out);
    Tensor& y = mode == Mode::train ? y_train_ : y_infer_;
    if (y.empty() || y.dims() != out) y = nhwc_tensor(*ctx_, out);
    if (kind_ == PoolKind::max) {
      auto& argmax = mode == Mode::train ? argmax_train_ : argmax_infer_;
      auto* at = static_cast<std::int64_t*>(
          ctx_->grow(argmax, static_cast<std::size_t>(p.outputs()) * sizeof(std::int64_t)));
      ctx_->each(p.outputs(), kernels::MaxPoolForward{p, src.data(), y.data(), at});
    } else {
      ctx_->each(p.outputs(), kernels::AvgPoolForward{p, src.data(), y.data()});
    }
    if (mode == Mode::train) last_ = p;
    return y;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (last_.n == 0) throw InvalidArgument(describe() + ": backward without a training forward");
    if (!needs_input_grad_) return none_;
    const Tensor& d = as_nhwc(*ctx_, dy, dy_own_, describe());
    const Dims in = {last_.n, last_.c, last_.h, last_.w};
    if (dx_.empty() || dx_.dims() != in) dx_ = nhwc_tensor(*ctx_, in);
    if (kind_ == PoolKind::max)
      ctx_->each(
          last_.inputs(),
          kernels::MaxPoolBackward{
              last_, d.data(), static_cast<const std::int64_t*>(argmax_train_.data()), dx_.data()});
    else
      ctx_->each(last_.inputs(), kernels::AvgPoolBackward{last_, d.data(), dx_.data()});
    return dx_;
  }

 private:
  kernels::Pool2d window(const Dims& in, const Dims& out) const {
    if (kind_ == PoolKind::global_average) return kernels::global_pool(in[0], in[1], in[2], in[3]);
    return {in[0],  in[1],     in[2],     in[3],     out[2],
            out[3], o_.kernel, o_.kernel, o_.stride, o_.padding};
  }

  std::shared_ptr<Context> ctx_;
  kernels::Pool2d last_{};  // of the last training forward; n == 0 before one
  DeviceMemory argmax_train_, argmax_infer_;
  Tensor src_own_, dy_own_, y_train_, y_infer_, dx_, none_;
};

}  // namespace

LayerPtr max_pool2d(std::shared_ptr<Context> ctx, const PoolOptions& o) {
  return std::make_unique<Pool>(std::move(ctx), PoolKind::max, o);
}
LayerPtr avg_pool2d(std::shared_ptr<Context> ctx, const PoolOptions& o) {
  return std::make_unique<Pool>(std::move(ctx), PoolKind::average, o);
}
LayerPtr global_avg_pool(std::shared_ptr<Context> ctx) {
  return std::make_unique<Pool>(std::move(ctx), PoolKind::global_average, PoolOptions{});
}

}  // namespace decent::nn::cudnn
