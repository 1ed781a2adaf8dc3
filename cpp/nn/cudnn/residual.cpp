// The residual block relu(main(x) + shortcut(x)) on the device: the functors of
// kernels/nn_body.hpp (the CPU block's too) on the node's stream, over NHWC tensors.
#include "core/error.hpp"
#include "kernels/nn_body.hpp"
#include "nn/cudnn/cudnn_layers.hpp"
#include "nn/cudnn/tensors.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn::cudnn {
namespace {

class Residual final : public ResidualShape {
 public:
  Residual(std::shared_ptr<Context> ctx, LayerPtr main, LayerPtr shortcut)
      : ResidualShape(std::move(main), std::move(shortcut)), ctx_(std::move(ctx)) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    output_dims(x.dims());
    const Tensor& a = as_nhwc(*ctx_, main_->forward(x, mode), a_own_, "residual");
    const Tensor& b =
        as_nhwc(*ctx_, shortcut_ ? shortcut_->forward(x, mode) : x, b_own_, "residual");
    Tensor& out = mode == Mode::train ? out_train_ : out_infer_;
    if (out.empty() || out.dims() != a.dims()) out = nhwc_tensor(*ctx_, a.dims());
    ctx_->each(a.numel(), kernels::ResidualAddRelu{a.data(), b.data(), out.data()});
    return out;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (out_train_.empty()) throw InvalidArgument("residual: backward without a training forward");
    const Tensor& d = as_nhwc(*ctx_, dy, dy_own_, "residual");
    if (g_.empty() || g_.dims() != d.dims()) g_ = nhwc_tensor(*ctx_, d.dims());
    ctx_->each(d.numel(), kernels::ReluMask{d.data(), out_train_.data(), g_.data()});
    const Tensor& ga = main_->backward(g_);
    const Tensor& gb = shortcut_ ? shortcut_->backward(g_) : g_;
    if (!needs_input_grad_) return none_;
    const Tensor& a = as_nhwc(*ctx_, ga, ga_own_, "residual");
    const Tensor& b = as_nhwc(*ctx_, gb, gb_own_, "residual");
    if (dx_.empty() || dx_.dims() != a.dims()) dx_ = nhwc_tensor(*ctx_, a.dims());
    ctx_->each(a.numel(), kernels::ResidualSum{a.data(), b.data(), dx_.data()});
    return dx_;
  }

 private:
  std::shared_ptr<Context> ctx_;
  Tensor a_own_, b_own_, dy_own_, ga_own_, gb_own_, out_train_, out_infer_, g_, dx_, none_;
};

}  // namespace

LayerPtr residual(std::shared_ptr<Context> ctx, LayerPtr main, LayerPtr shortcut) {
  return std::make_unique<Residual>(std::move(ctx), std::move(main), std::move(shortcut));
}

}  // namespace decent::nn::cudnn
