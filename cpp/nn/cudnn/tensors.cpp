#include "nn/cudnn/tensors.hpp"

#include "core/error.hpp"
#include "kernels/nn_body.hpp"

namespace decent::nn::cudnn {

void check_on_device(const Context& ctx, const Tensor& t, const std::string& layer) {
  if (t.empty()) throw InvalidArgument(layer + ": the input tensor is empty");
  if (!(t.device() == ctx.device()))
    throw InvalidArgument(layer + ": a tensor on " + to_string(t.device()) +
                          "; this layer computes on " + to_string(ctx.device()));
}

Tensor nhwc_tensor(const Context& ctx, const Dims& dims) {
  return Tensor(nhwc_layout(dims), ctx.device());
}

const Tensor& as_nhwc(Context& ctx, const Tensor& x, Tensor& own, const std::string& layer) {
  check_on_device(ctx, x, layer);
  if (is_nhwc(x.layout())) return x;
  const Dims& d = x.dims();
  if (!x.layout().is_plain() || d.size() != 4)
    throw InvalidArgument(layer + ": input " + to_string(d) + " in a " +
                          std::string(x.layout().backend()) +
                          " layout; expected plain NCHW or NHWC");
  if (own.empty() || own.dims() != d) own = nhwc_tensor(ctx, d);
  ctx.each(x.numel(), kernels::NchwToNhwc{d[0], d[1], d[2], d[3], x.data(), own.data()});
  return own;
}

const Tensor& as_plain(Context& ctx, const Tensor& x, Tensor& own, const std::string& layer) {
  check_on_device(ctx, x, layer);
  if (x.layout().is_plain()) return x;
  const Dims& d = x.dims();
  if (x.layout().backend() != "nhwc")
    throw InvalidArgument(layer + ": input in a " + std::string(x.layout().backend()) +
                          " layout; expected plain or NHWC");
  if (own.empty() || own.dims() != d) own = Tensor::plain(d, ctx.device());
  ctx.each(x.numel(), kernels::NhwcToNchw{d[0], d[1], d[2], d[3], x.data(), own.data()});
  return own;
}

}  // namespace decent::nn::cudnn
