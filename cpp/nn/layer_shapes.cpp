#include "nn/layer_shapes.hpp"

#include "core/error.hpp"

namespace decent::nn {

Conv2dShape::Conv2dShape(const Conv2dOptions& o) : o_(o) {
  if (o.in_channels < 1 || o.out_channels < 1 || o.kernel < 1 || o.stride < 1 || o.padding < 0)
    throw InvalidArgument(describe() + ": channels, kernel and stride must be >= 1, padding >= 0");
}

std::string Conv2dShape::describe() const {
  return "conv2d(" + std::to_string(o_.in_channels) + "->" + std::to_string(o_.out_channels) +
         ", k" + std::to_string(o_.kernel) + ", s" + std::to_string(o_.stride) + ", p" +
         std::to_string(o_.padding) + ")";
}

Dims Conv2dShape::output_dims(const Dims& in) const {
  if (in.size() != 4)
    throw InvalidArgument(describe() + ": input " + to_string(in) + ": expected N x C x H x W");
  if (in[1] != o_.in_channels)
    throw InvalidArgument(describe() + ": input " + to_string(in) + " has " +
                          std::to_string(in[1]) + " channels; expected " +
                          std::to_string(o_.in_channels));
  const auto oh = (in[2] + 2 * o_.padding - o_.kernel) / o_.stride + 1;
  const auto ow = (in[3] + 2 * o_.padding - o_.kernel) / o_.stride + 1;
  if (in[0] < 1 || in[2] + 2 * o_.padding < o_.kernel || in[3] + 2 * o_.padding < o_.kernel)
    throw InvalidArgument(describe() + ": input " + to_string(in) +
                          ": batch must be >= 1 and the padded image at least the kernel");
  return {in[0], o_.out_channels, oh, ow};
}

std::vector<ParamSpec> Conv2dShape::param_specs() const {
  return {{"weight", weight_dims(), Init::kaiming_normal, o_.in_channels * o_.kernel * o_.kernel}};
}

BatchNormShape::BatchNormShape(const BatchNormOptions& o) : o_(o) {
  if (o.channels < 1 || !(o.momentum >= 0 && o.momentum <= 1) || !(o.epsilon > 0))
    throw InvalidArgument(describe() + ": channels >= 1, momentum in [0, 1], epsilon > 0");
}

std::string BatchNormShape::describe() const {
  return std::string(o_.fuse_relu ? "batch_norm2d+relu(" : "batch_norm2d(") +
         std::to_string(o_.channels) + ")";
}

Dims BatchNormShape::output_dims(const Dims& in) const {
  if (in.size() != 4 || in[1] != o_.channels || in[0] < 1)
    throw InvalidArgument(describe() + ": input " + to_string(in) + ": expected N x " +
                          std::to_string(o_.channels) + " x H x W with N >= 1");
  return in;
}

std::vector<ParamSpec> BatchNormShape::param_specs() const {
  return {{"scale", {o_.channels}, Init::ones, 1}, {"shift", {o_.channels}, Init::zeros, 1}};
}

std::vector<ParamSpec> BatchNormShape::buffer_specs() const {
  return {{"running_mean", {o_.channels}, Init::zeros, 1},
          {"running_var", {o_.channels}, Init::ones, 1}};
}

void BatchNormShape::bind(std::span<const ParamView> params, std::span<float* const> buffers) {
  scale_ = params[0];
  shift_ = params[1];
  running_mean_ = buffers[0];
  running_var_ = buffers[1];
}

PoolShape::PoolShape(PoolKind kind, const PoolOptions& o) : kind_(kind), o_(o) {
  if (kind != PoolKind::global_average &&
      (o.kernel < 1 || o.stride < 1 || o.padding < 0 || 2 * o.padding > o.kernel))
    throw InvalidArgument(describe() + ": kernel and stride >= 1, 0 <= padding <= kernel / 2");
}

std::string PoolShape::describe() const {
  if (kind_ == PoolKind::global_average) return "global_avg_pool";
  return std::string(kind_ == PoolKind::max ? "max_pool2d" : "avg_pool2d") + "(k" +
         std::to_string(o_.kernel) + ", s" + std::to_string(o_.stride) + ", p" +
         std::to_string(o_.padding) + ")";
}

Dims PoolShape::output_dims(const Dims& in) const {
  if (in.size() != 4 || in[0] < 1)
    throw InvalidArgument(describe() + ": input " + to_string(in) +
                          ": expected N x C x H x W with N >= 1");
  if (kind_ == PoolKind::global_average) return {in[0], in[1], 1, 1};
  if (in[2] + 2 * o_.padding < o_.kernel || in[3] + 2 * o_.padding < o_.kernel)
    throw InvalidArgument(describe() + ": input " + to_string(in) + " is smaller than the window");
  return {in[0], in[1], (in[2] + 2 * o_.padding - o_.kernel) / o_.stride + 1,
          (in[3] + 2 * o_.padding - o_.kernel) / o_.stride + 1};
}

LinearShape::LinearShape(std::int64_t in, std::int64_t out) : in_(in), out_(out) {
  if (in < 1 || out < 1) throw InvalidArgument(describe() + ": features must be >= 1");
}

std::string LinearShape::describe() const {
  return "linear(" + std::to_string(in_) + "->" + std::to_string(out_) + ")";
}

Dims LinearShape::output_dims(const Dims& in) const {
  std::int64_t features = 1;
  for (std::size_t i = 1; i < in.size(); ++i) features *= in[i];
  if (in.size() < 2 || in.size() > 5 || in[0] < 1 || features != in_)
    throw InvalidArgument(describe() + ": input " + to_string(in) + " has " +
                          std::to_string(features) + " features per sample; expected " +
                          std::to_string(in_) + " (and a batch of >= 1)");
  return {in[0], out_};
}

std::vector<ParamSpec> LinearShape::param_specs() const {
  return {{"weight", {out_, in_}, Init::linear_uniform, in_},
          {"bias", {out_}, Init::linear_uniform, in_}};
}

ResidualShape::ResidualShape(LayerPtr main, LayerPtr shortcut)
    : main_(std::move(main)), shortcut_(std::move(shortcut)) {
  if (!main_) throw InvalidArgument("residual: the main branch is null");
}

std::string ResidualShape::describe() const {
  return std::string("residual(") + (shortcut_ ? "projection" : "identity") + ")";
}

Dims ResidualShape::output_dims(const Dims& in) const {
  const Dims a = main_->output_dims(in);
  const Dims b = shortcut_ ? shortcut_->output_dims(in) : in;
  if (a != b)
    throw InvalidArgument("residual: main branch gives " + to_string(a) + ", shortcut gives " +
                          to_string(b) + ": they must match");
  return a;
}

std::vector<Layer*> ResidualShape::children() {
  std::vector<Layer*> c{main_.get()};
  if (shortcut_) c.push_back(shortcut_.get());
  return c;
}

void ResidualShape::set_needs_input_grad(bool needed) {
  needs_input_grad_ = needed;
  main_->set_needs_input_grad(needed);
  if (shortcut_) shortcut_->set_needs_input_grad(needed);
}

Dims ReluShape::output_dims(const Dims& in) const {
  if (in.empty() || in[0] < 1)
    throw InvalidArgument("relu: input " + to_string(in) + ": expected a batch of >= 1");
  return in;
}

}  // namespace decent::nn
