// The fully connected layer on cuBLAS: y = x W^T + b over plain row-major matrices (a 4-D NHWC
// input is first put in NCHW order, so that it flattens in C, H, W order as torch.flatten and
// the CPU layer do). cuBLAS is column-major: a row-major R x C matrix is its C x R transpose,
// so each product below is written for the transposes.
#include "core/error.hpp"
#include "kernels/nn_body.hpp"
#include "nn/cudnn/cudnn_layers.hpp"
#include "nn/cudnn/tensors.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn::cudnn {
namespace {

int as_int(std::int64_t v, const std::string& what) {
  if (v > 2147483647) throw NotSupported(what + ": a matrix dim beyond cuBLAS's int range");
  return static_cast<int>(v);
}

class Linear final : public LinearShape {
 public:
  Linear(std::shared_ptr<Context> ctx, std::int64_t in, std::int64_t out)
      : LinearShape(in, out), ctx_(std::move(ctx)) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    const Dims out = output_dims(x.dims());
    const Tensor& src = as_plain(*ctx_, x, src_own_, describe());
    Tensor& y = mode == Mode::train ? y_train_ : y_infer_;
    if (y.empty() || y.dims() != out) y = Tensor::plain(out, ctx_->device());
    const int n = as_int(out[0], describe()), f = as_int(in_, describe()),
              o = as_int(out_, describe());
    const float one = 1, zero = 0;
    // Y^T (o x n) = W (o x f) X^T (f x n): W's buffer is W^T column-major (f x o), so op T.
    check_cublas(cublasSgemm(ctx_->cublas(), CUBLAS_OP_T, CUBLAS_OP_N, o, n, f, &one, w_.value, f,
                             src.data(), f, &zero, y.data(), o),
                 "linear forward");
    ctx_->each(out[0] * out_, kernels::AddBias{out_, b_.value, y.data()});
    if (mode == Mode::train) saved_src_ = src;  // plain, with x's dims
    return y;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (saved_src_.empty())
      throw InvalidArgument(describe() + ": backward without a training forward");
    check_on_device(*ctx_, dy, describe());
    const Dims& input_dims = saved_src_.dims();
    if (!dy.layout().is_plain() || dy.dims() != Dims{input_dims[0], out_})
      throw InvalidArgument(describe() + ": gradient " + to_string(dy.dims()) +
                            ": expected plain " + to_string({input_dims[0], out_}));
    const int n = as_int(input_dims[0], describe()), f = as_int(in_, describe()),
              o = as_int(out_, describe());
    const float one = 1, zero = 0;
    // dW^T (f x o) = X^T (f x n) dY (n x o): dY's buffer is dY^T column-major (o x n), op T.
    check_cublas(cublasSgemm(ctx_->cublas(), CUBLAS_OP_N, CUBLAS_OP_T, f, o, n, &one,
                             saved_src_.data(), f, dy.data(), o, &zero, w_.grad, f),
                 "linear backward (weights)");
    ctx_->each(out_, kernels::ColumnSums{input_dims[0], out_, dy.data(), b_.grad});
    if (!needs_input_grad_) return none_;
    if (dx_.empty() || dx_.dims() != input_dims) dx_ = Tensor::plain(input_dims, ctx_->device());
    // dX^T (f x n) = W^T (f x o) dY^T (o x n).
    check_cublas(cublasSgemm(ctx_->cublas(), CUBLAS_OP_N, CUBLAS_OP_N, f, n, o, &one, w_.value, f,
                             dy.data(), o, &zero, dx_.data(), f),
                 "linear backward (data)");
    return dx_;
  }

 private:
  std::shared_ptr<Context> ctx_;
  Tensor src_own_, saved_src_, y_train_, y_infer_, dx_, none_;
};

}  // namespace

LayerPtr linear(std::shared_ptr<Context> ctx, std::int64_t in, std::int64_t out) {
  return std::make_unique<Linear>(std::move(ctx), in, out);
}

}  // namespace decent::nn::cudnn
