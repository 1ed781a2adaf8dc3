// The layer interface. A layer maps one input tensor to one output tensor, remembers what its
// backward pass needs, and owns no parameters: the model hands it views into the model's flat
// parameter and gradient buffers (bind), so that communication and optimizers see one array.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/tensor.hpp"

namespace decent::nn {

// Training uses batch statistics and keeps what backward needs; inference uses running
// statistics and keeps nothing.
enum class Mode { train, infer };

// How a parameter is initialised (deterministically, from the model's seed).
enum class Init {
  kaiming_normal,  // N(0, 2 / fan_in): He et al. 2015, for weights followed by ReLU
  linear_uniform,  // U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for linear layers
  zeros,
  ones,
};

// A parameter (trainable) or buffer (state such as batch-norm running statistics) a layer
// needs, in plain row-major order.
struct ParamSpec {
  std::string name;
  Dims dims;
  Init init = Init::zeros;
  std::int64_t fan_in = 1;
  std::int64_t size() const {
    std::int64_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
};

// Where a bound parameter lives: its values and its gradient, `size` floats each.
struct ParamView {
  float* value = nullptr;
  float* grad = nullptr;
  std::int64_t size = 0;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // A short description, e.g. "conv2d(16->32, k3, s2, p1)".
  virtual std::string describe() const = 0;

  // The output dims for input dims (batch first); throws InvalidArgument naming the layer and
  // the mismatch when the input does not fit.
  virtual Dims output_dims(const Dims& input) const = 0;

  // Parameters and buffers in binding order. Composite layers report none themselves and list
  // their children instead.
  virtual std::vector<ParamSpec> param_specs() const { return {}; }
  virtual std::vector<ParamSpec> buffer_specs() const { return {}; }
  virtual void bind(std::span<const ParamView> /*params*/, std::span<float* const> /*buffers*/) {}
  virtual std::vector<Layer*> children() { return {}; }

  // Forward. The returned tensor is owned by the layer and valid until its next forward.
  virtual const Tensor& forward(const Tensor& x, Mode mode) = 0;

  // Backward of the last training forward: writes the gradients of this layer's parameters
  // (overwriting) and returns the gradient with respect to its input, or an empty tensor when
  // the input gradient was switched off (the first layer of a model needs none).
  virtual const Tensor& backward(const Tensor& dy) = 0;

  virtual void set_needs_input_grad(bool needed) { needs_input_grad_ = needed; }
  bool needs_input_grad() const { return needs_input_grad_; }

 protected:
  bool needs_input_grad_ = true;
};

using LayerPtr = std::unique_ptr<Layer>;

}  // namespace decent::nn
