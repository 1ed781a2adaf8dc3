// Convolution on cuDNN's graph API (cpp/nn/cudnn/graph.hpp), NHWC activations and a KRSC copy
// of the weights (the model's flat buffer keeps PyTorch's K x C x R x S order), with plans
// cached per shape in the node's context and one shared workspace.
#include "core/error.hpp"
#include "kernels/nn_body.hpp"
#include "nn/cudnn/cudnn_layers.hpp"
#include "nn/cudnn/tensors.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn::cudnn {
namespace {

class Conv2d final : public Conv2dShape {
 public:
  Conv2d(std::shared_ptr<Context> ctx, const Conv2dOptions& o)
      : Conv2dShape(o), ctx_(std::move(ctx)) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    const Dims out = output_dims(x.dims());
    const Tensor& src = as_nhwc(*ctx_, x, src_own_, describe());
    const ConvGeometry g = geometry(x.dims());
    if (y_.empty() || y_.dims() != out) y_ = nhwc_tensor(*ctx_, out);
    run(ConvPass::forward, g, src.data(), weights_krsc(), y_.data());
    if (mode == Mode::train) saved_src_ = src;
    return y_;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (saved_src_.empty())
      throw InvalidArgument(describe() + ": backward without a training forward");
    const ConvGeometry g = geometry(saved_src_.dims());
    const Tensor& d = as_nhwc(*ctx_, dy, dy_own_, describe());
    // dw in KRSC, then into the flat buffer's K x C x R x S order.
    float* dw = ctx_->scratch(Scratch::diff_weights, weight_count());
    run(ConvPass::backward_filter, g, saved_src_.data(), dw, d.data());
    ctx_->each(weight_count(), kernels::NhwcToNchw{o_.out_channels, o_.in_channels, o_.kernel,
                                                   o_.kernel, dw, w_.grad});
    if (!needs_input_grad_) return none_;
    if (dx_.empty() || dx_.dims() != saved_src_.dims()) dx_ = nhwc_tensor(*ctx_, saved_src_.dims());
    run(ConvPass::backward_data, g, dx_.data(), weights_krsc(), d.data());
    return dx_;
  }

 private:
  std::int64_t weight_count() const {
    return o_.out_channels * o_.in_channels * o_.kernel * o_.kernel;
  }
  ConvGeometry geometry(const Dims& in) const {
    return {in[0],     in[1],     in[2],     in[3],     o_.out_channels,
            o_.kernel, o_.kernel, o_.stride, o_.padding};
  }
  // The weights in KRSC order, in the context's scratch (shared by the layers of a node).
  const float* weights_krsc() {
    float* w = ctx_->scratch(Scratch::weights, weight_count());
    ctx_->each(weight_count(), kernels::NchwToNhwc{o_.out_channels, o_.in_channels, o_.kernel,
                                                   o_.kernel, w_.value, w});
    return w;
  }
  void run(ConvPass pass, const ConvGeometry& g, const void* activation, const void* filter,
           const void* output) {
    const ConvPlan& plan = ctx_->conv_plan({pass, g, ctx_->math()});
    execute(ctx_->cudnn(), plan, activation, filter, output, ctx_->workspace(plan.workspace_bytes));
  }

  std::shared_ptr<Context> ctx_;
  Tensor src_own_, dy_own_, saved_src_, y_, dx_, none_;
};

}  // namespace

LayerPtr conv2d(std::shared_ptr<Context> ctx, const Conv2dOptions& options) {
  return std::make_unique<Conv2d>(std::move(ctx), options);
}

}  // namespace decent::nn::cudnn
