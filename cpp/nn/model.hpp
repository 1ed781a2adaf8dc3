// A model: a network of layers, its parameters in one contiguous 64-byte aligned buffer and its
// gradients in another (docs/design.md: mixing, all-reduce, optimizers and checkpoints then work on
// one flat array), plus a third buffer of non-trained state (batch-norm running statistics).
// Layers hold views into these buffers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nn/layer.hpp"
#include "nn/loss.hpp"

namespace decent::nn {

class LayerBackend;

// Where one named tensor lives in a flat buffer (for per-layer rules such as LARS/LAMB).
struct Segment {
  std::string name;  // "3.conv2d(16->16, k3, s1, p1).weight"
  std::int64_t offset = 0;
  std::int64_t size = 0;
};

class Model {
 public:
  // `input` is C x H x W of one sample. Parameters are initialised from `seed`. The layers are
  // those of the layer backend in scope when the model is made (build_model sets it from
  // ModelSpec::layers), and the flat buffers live on that backend's device.
  Model(std::string name, LayerPtr net, Dims input, std::int64_t classes, std::uint64_t seed);

  const std::string& name() const { return name_; }
  // The builder's first-stage width (0: the architecture's own) and stem, as given to
  // build_model: with name, input and classes they rebuild this architecture (model files).
  std::int64_t width_option() const { return width_option_; }
  int stem_option() const { return stem_option_; }
  void set_recipe(std::int64_t width, int stem) {
    width_option_ = width;
    stem_option_ = stem;
  }
  const Dims& input_dims() const { return input_; }
  std::int64_t classes() const { return classes_; }
  std::int64_t sample_size() const;  // C * H * W

  // Where the flat buffers live. On a device, the spans below point to device memory: only
  // train_step, evaluate and predict (which copy to and from the host) read them.
  const Device& device() const { return device_; }

  std::int64_t parameter_count() const { return static_cast<std::int64_t>(params_.storage_size()); }
  std::span<float> parameters() { return {params_.data(), params_.storage_size()}; }
  std::span<float> gradients() { return {grads_.data(), grads_.storage_size()}; }
  std::span<float> buffers() { return {buffers_.data(), buffers_.storage_size()}; }
  std::span<const float> parameters() const { return {params_.data(), params_.storage_size()}; }
  std::span<const float> buffers() const { return {buffers_.data(), buffers_.storage_size()}; }
  // Host copies of the flat buffers, and host values into them, on any device (after the work
  // queued on it): checkpoints, evaluation summaries and the C ABI read the state so. The
  // setters throw InvalidArgument unless `values` holds exactly the buffer's count.
  std::vector<float> parameters_on_host() const;
  std::vector<float> buffers_on_host() const;
  void set_parameters(std::span<const float> values);
  void set_buffers(std::span<const float> values);
  const std::vector<Segment>& parameter_segments() const { return param_segments_; }
  const std::vector<Segment>& buffer_segments() const { return buffer_segments_; }

  // Deterministic initialisation: the same seed gives the same parameters on every node.
  void initialize(std::uint64_t seed);

  // Logits (plain batch x classes) of a batch of images (plain batch x C x H x W floats).
  const Tensor& forward(std::span<const float> images, std::int64_t batch, Mode mode);

  // One training pass: forward with batch statistics, mean softmax cross-entropy, backward.
  // Overwrites gradients(); returns the mean loss.
  double train_step(std::span<const float> images, std::span<const std::int32_t> labels);

  // Inference on a batch: mean loss and the number of correct arg-max predictions.
  struct Evaluation {
    double loss = 0;
    std::int64_t correct = 0;
  };
  Evaluation evaluate(std::span<const float> images, std::span<const std::int32_t> labels);

  // Inference logits of `batch` images (plain batch x C x H x W) into `logits` (plain
  // batch x classes, row-major), whatever layout the backend computed them in.
  void predict(std::span<const float> images, std::int64_t batch, std::span<float> logits);

  // One line per layer with its parameter count, and the total.
  std::string summary() const;

 private:
  void bind_all();
  // Host floats into the model's device memory (a plain copy on the CPU), after the layers'
  // queued work.
  void upload(const float* host, float* to, std::size_t floats) const;
  // A device tensor's values (plain layout) in host memory: t itself on the CPU, else `host`.
  const Tensor& on_host(const Tensor& t, Tensor& host) const;
  // A host tensor on the model's device: `host` itself on the CPU, else `own`.
  const Tensor& on_device(const Tensor& host, Tensor& own) const;

  std::string name_;
  std::int64_t width_option_ = 0;
  int stem_option_ = 0;
  LayerPtr net_;
  Dims input_;
  std::int64_t classes_;
  std::vector<Layer*> leaves_;
  Tensor params_, grads_, buffers_, input_tensor_;
  std::vector<Segment> param_segments_, buffer_segments_;
  std::vector<ParamSpec> param_specs_, buffer_specs_;
  SoftmaxCrossEntropy loss_;
  const LayerBackend* layers_ = nullptr;
  Device device_;
  Tensor host_logits_, device_grad_;
};

}  // namespace decent::nn
