// ReLU on the device, element-wise in whatever layout its input has (NHWC or plain).
#include "core/error.hpp"
#include "kernels/nn_body.hpp"
#include "nn/cudnn/cudnn_layers.hpp"
#include "nn/cudnn/tensors.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn::cudnn {
namespace {

class Relu final : public ReluShape {
 public:
  explicit Relu(std::shared_ptr<Context> ctx) : ctx_(std::move(ctx)) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    output_dims(x.dims());
    check_on_device(*ctx_, x, describe());
    Tensor& y = mode == Mode::train ? y_train_ : y_infer_;
    if (y.empty() || !y.same_layout(x)) y = Tensor(x.layout_ptr(), ctx_->device());
    ctx_->each(static_cast<std::int64_t>(x.storage_size()),
               kernels::ReluForward{x.data(), y.data()});
    return y;
  }

  // dx = dy where y > 0 (y > 0 exactly where x > 0).
  const Tensor& backward(const Tensor& dy) override {
    if (y_train_.empty()) throw InvalidArgument("relu: backward without a training forward");
    if (!needs_input_grad_) return none_;
    check_on_device(*ctx_, dy, describe());
    if (!dy.same_layout(y_train_))
      throw InvalidArgument("relu: gradient in another layout than the forward's output");
    if (dx_.empty() || !dx_.same_layout(dy)) dx_ = Tensor(dy.layout_ptr(), ctx_->device());
    ctx_->each(static_cast<std::int64_t>(dy.storage_size()),
               kernels::ReluMask{dy.data(), y_train_.data(), dx_.data()});
    return dx_;
  }

 private:
  std::shared_ptr<Context> ctx_;
  Tensor y_train_, y_infer_, dx_, none_;
};

}  // namespace

LayerPtr relu(std::shared_ptr<Context> ctx) {
  return std::make_unique<Relu>(std::move(ctx));
}

}  // namespace decent::nn::cudnn
