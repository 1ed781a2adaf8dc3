#include "nn/model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <numbers>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "nn/backend.hpp"
#include "nn/layer_backend.hpp"

namespace decent::nn {
namespace {

void collect_leaves(Layer* layer, std::vector<Layer*>& out) {
  auto children = layer->children();
  if (children.empty()) out.push_back(layer);
  for (auto* c : children) collect_leaves(c, out);
}

// A flat buffer holding `count` floats (at least one, so that data() is never null).
Tensor flat_buffer(std::int64_t count, const Device& device) {
  return Tensor::plain({std::max<std::int64_t>(count, 1)}, device);
}

}  // namespace

Model::Model(std::string name, LayerPtr net, Dims input, std::int64_t classes, std::uint64_t seed)
    : name_(std::move(name)),
      net_(std::move(net)),
      input_(std::move(input)),
      classes_(classes),
      layers_(&current_layer_backend()),
      device_(layers_->memory_device()) {
  if (!net_) throw InvalidArgument("model " + name_ + ": the network is null");
  if (input_.size() != 3)
    throw InvalidArgument("model " + name_ + ": input " + to_string(input_) +
                          ": expected channels x height x width");
  Dims one = {1};
  one.insert(one.end(), input_.begin(), input_.end());
  const Dims out = net_->output_dims(one);  // validates every layer against the input
  if (out != Dims{1, classes_})
    throw InvalidArgument("model " + name_ + ": the network ends in " + to_string(out) +
                          "; expected 1 x " + std::to_string(classes_));
  net_->set_needs_input_grad(false);  // nobody wants the gradient of the images
  collect_leaves(net_.get(), leaves_);
  std::int64_t n_params = 0, n_buffers = 0;
  for (std::size_t i = 0; i < leaves_.size(); ++i) {
    const std::string prefix = std::to_string(i) + "." + leaves_[i]->describe() + ".";
    for (auto& s : leaves_[i]->param_specs()) {
      param_segments_.push_back({prefix + s.name, n_params, s.size()});
      n_params += s.size();
      param_specs_.push_back(s);
    }
    for (auto& s : leaves_[i]->buffer_specs()) {
      buffer_segments_.push_back({prefix + s.name, n_buffers, s.size()});
      n_buffers += s.size();
      buffer_specs_.push_back(s);
    }
  }
  params_ = flat_buffer(n_params, device_);
  grads_ = flat_buffer(n_params, device_);
  buffers_ = flat_buffer(n_buffers, device_);
  // Keep the reported counts exact (flat_buffer allocates at least one float).
  if (n_params == 0) params_ = grads_ = Tensor();
  if (n_buffers == 0) buffers_ = Tensor();
  bind_all();
  initialize(seed);
}

std::int64_t Model::sample_size() const {
  return input_[0] * input_[1] * input_[2];
}

void Model::bind_all() {
  std::size_t p = 0, b = 0;
  for (auto* leaf : leaves_) {
    std::vector<ParamView> views;
    for (std::size_t k = 0; k < leaf->param_specs().size(); ++k, ++p) {
      const auto& seg = param_segments_[p];
      views.push_back({params_.data() + seg.offset, grads_.data() + seg.offset, seg.size});
    }
    std::vector<float*> bufs;
    for (std::size_t k = 0; k < leaf->buffer_specs().size(); ++k, ++b)
      bufs.push_back(buffers_.data() + buffer_segments_[b].offset);
    leaf->bind(views, bufs);
  }
}

void Model::initialize(std::uint64_t seed) {
  Rng rng(seed);
  // Box-Muller on the platform-independent uniforms of Rng.
  auto normal = [&rng] {
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  };
  auto fill = [&](const ParamSpec& s, float* x) {
    const double fan = static_cast<double>(s.fan_in);
    for (std::int64_t i = 0; i < s.size(); ++i) {
      switch (s.init) {
        case Init::kaiming_normal:
          x[i] = static_cast<float>(normal() * std::sqrt(2.0 / fan));
          break;
        case Init::linear_uniform:
          x[i] = static_cast<float>((2 * rng.uniform() - 1) / std::sqrt(fan));
          break;
        case Init::zeros: x[i] = 0; break;
        case Init::ones: x[i] = 1; break;
      }
    }
  };
  // On a device the values are drawn on the host (the same numbers) and copied over.
  const bool host = device_.kind == DeviceKind::cpu;
  std::vector<float> staged_params(host ? 0 : params_.storage_size()),
      staged_buffers(host ? 0 : buffers_.storage_size());
  float* p = host ? params_.data() : staged_params.data();
  float* b = host ? buffers_.data() : staged_buffers.data();
  for (std::size_t i = 0; i < param_specs_.size(); ++i)
    fill(param_specs_[i], p + param_segments_[i].offset);
  for (std::size_t i = 0; i < buffer_specs_.size(); ++i)
    fill(buffer_specs_[i], b + buffer_segments_[i].offset);
  if (!host) {
    upload(p, params_.data(), staged_params.size());
    upload(b, buffers_.data(), staged_buffers.size());
  }
  device_backend(device_.kind)
      .fill_zero(device_, grads_.data(), grads_.storage_size() * sizeof(float), nullptr);
}

void Model::upload(const float* host, float* to, std::size_t floats) const {
  if (floats == 0 || !to) return;
  layers_->synchronize();  // queued layer work may still read the old values
  copy_to_device(device_, to, host, floats * sizeof(float));
}

namespace {
std::vector<float> download(const LayerBackend& layers, const Device& device, const float* from,
                            std::size_t floats) {
  std::vector<float> host(floats);
  if (floats == 0) return host;
  layers.synchronize();  // queued work may still write them
  copy_to_host(device, host.data(), from, floats * sizeof(float));
  return host;
}
}  // namespace

std::vector<float> Model::parameters_on_host() const {
  return download(*layers_, device_, params_.data(), params_.storage_size());
}

std::vector<float> Model::buffers_on_host() const {
  return download(*layers_, device_, buffers_.data(), buffers_.storage_size());
}

void Model::set_parameters(std::span<const float> values) {
  if (values.size() != params_.storage_size())
    throw InvalidArgument(fmt::format("{}: {} parameter values given, the model has {}", name_,
                                      values.size(), params_.storage_size()));
  upload(values.data(), params_.data(), values.size());
}

void Model::set_buffers(std::span<const float> values) {
  if (values.size() != buffers_.storage_size())
    throw InvalidArgument(fmt::format("{}: {} buffer values given, the model has {}", name_,
                                      values.size(), buffers_.storage_size()));
  upload(values.data(), buffers_.data(), values.size());
}

const Tensor& Model::on_device(const Tensor& host, Tensor& own) const {
  if (device_.kind == DeviceKind::cpu) return host;
  if (own.empty() || own.dims() != host.dims()) own = Tensor::plain(host.dims(), device_);
  upload(host.data(), own.data(), static_cast<std::size_t>(host.numel()));
  return own;
}

const Tensor& Model::on_host(const Tensor& t, Tensor& host) const {
  if (t.device().kind == DeviceKind::cpu) return t;
  if (!t.layout().is_plain())
    throw NotSupported("model " + name_ + ": its output on " + to_string(t.device()) +
                       " is not in a plain layout");
  if (host.empty() || host.dims() != t.dims()) host = Tensor::plain(t.dims());
  layers_->synchronize();
  copy_to_host(t.device(), host.data(), t.data(),
               static_cast<std::size_t>(t.numel()) * sizeof(float));
  return host;
}

const Tensor& Model::forward(std::span<const float> images, std::int64_t batch, Mode mode) {
  if (batch < 1)
    throw InvalidArgument("model " + name_ + ": a batch of " + std::to_string(batch) +
                          " images; expected at least 1");
  if (static_cast<std::int64_t>(images.size()) != batch * sample_size())
    throw InvalidArgument("model " + name_ + ": " + std::to_string(images.size()) +
                          " floats for a batch of " + std::to_string(batch) + " images of " +
                          to_string(input_) + " (expected " +
                          std::to_string(batch * sample_size()) + ")");
  Dims d = {batch};
  d.insert(d.end(), input_.begin(), input_.end());
  if (input_tensor_.empty() || input_tensor_.dims() != d) input_tensor_ = Tensor::plain(d, device_);
  upload(images.data(), input_tensor_.data(), images.size());
  return net_->forward(input_tensor_, mode);
}

double Model::train_step(std::span<const float> images, std::span<const std::int32_t> labels) {
  const auto batch = static_cast<std::int64_t>(labels.size());
  const Tensor& logits = forward(images, batch, Mode::train);
  // On a device the loss runs on the host over the (batch x classes) logits, which is small.
  const double loss = loss_.forward(on_host(logits, host_logits_), labels);
  net_->backward(on_device(loss_.backward(), device_grad_));
  return loss;
}

Model::Evaluation Model::evaluate(std::span<const float> images,
                                  std::span<const std::int32_t> labels) {
  const auto batch = static_cast<std::int64_t>(labels.size());
  const Tensor& logits = forward(images, batch, Mode::infer);
  Evaluation e;
  e.loss = loss_.forward(on_host(logits, host_logits_), labels);
  for (std::size_t i = 0; i < labels.size(); ++i) e.correct += loss_.predictions()[i] == labels[i];
  return e;
}

void Model::predict(std::span<const float> images, std::int64_t batch, std::span<float> logits) {
  if (batch < 1)
    throw InvalidArgument("predict: batch " + std::to_string(batch) + ": expected >= 1");
  if (logits.size() < static_cast<std::size_t>(batch * classes_))
    throw BufferTooSmall("predict: logits hold " + std::to_string(logits.size()) + " values; " +
                         std::to_string(batch * classes_) + " are needed");
  const Tensor& out = on_host(forward(images, batch, Mode::infer), host_logits_);
  Tensor plain = Tensor::view(plain_layout(out.dims()), logits.data());
  reorder(out, plain);
}

std::string Model::summary() const {
  std::string s =
      name_ + " on " + to_string(input_) + ", " + std::to_string(classes_) + " classes\n";
  for (const auto& seg : param_segments_)
    s += "  " + seg.name + ": " + std::to_string(seg.size) + "\n";
  s += "  parameters: " + std::to_string(parameter_count()) + "\n";
  return s;
}

}  // namespace decent::nn
