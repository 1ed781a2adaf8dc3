// What every backend's layer of a kind shares: the option checks, describe(), output_dims(),
// the parameter and buffer specs and their binding. The backends (cpp/nn/dnnl, cpp/nn/cudnn)
// derive from these and add forward and backward, so a shape rule or a parameter order has one
// source.
#pragma once

#include <string>

#include "nn/layer.hpp"
#include "nn/layers.hpp"

namespace decent::nn {

class Conv2dShape : public Layer {
 public:
  explicit Conv2dShape(const Conv2dOptions& o);
  std::string describe() const override;
  Dims output_dims(const Dims& in) const override;
  std::vector<ParamSpec> param_specs() const override;
  void bind(std::span<const ParamView> params, std::span<float* const>) override { w_ = params[0]; }

 protected:
  // out x in x kernel x kernel, the order of the model's flat buffer.
  Dims weight_dims() const { return {o_.out_channels, o_.in_channels, o_.kernel, o_.kernel}; }
  Conv2dOptions o_;
  ParamView w_;
};

class BatchNormShape : public Layer {
 public:
  explicit BatchNormShape(const BatchNormOptions& o);
  std::string describe() const override;
  Dims output_dims(const Dims& in) const override;
  std::vector<ParamSpec> param_specs() const override;
  std::vector<ParamSpec> buffer_specs() const override;
  void bind(std::span<const ParamView> params, std::span<float* const> buffers) override;

 protected:
  BatchNormOptions o_;
  ParamView scale_, shift_;
  float* running_mean_ = nullptr;
  float* running_var_ = nullptr;
};

enum class PoolKind { max, average, global_average };

class PoolShape : public Layer {
 public:
  // The options are ignored for the global average.
  PoolShape(PoolKind kind, const PoolOptions& o);
  std::string describe() const override;
  Dims output_dims(const Dims& in) const override;

 protected:
  PoolKind kind_;
  PoolOptions o_;
};

class LinearShape : public Layer {
 public:
  LinearShape(std::int64_t in, std::int64_t out);
  std::string describe() const override;
  // {N, out} for an input of N x (dims whose product is `in`).
  Dims output_dims(const Dims& in) const override;
  std::vector<ParamSpec> param_specs() const override;
  void bind(std::span<const ParamView> params, std::span<float* const>) override {
    w_ = params[0];
    b_ = params[1];
  }

 protected:
  std::int64_t in_, out_;
  ParamView w_, b_;
};

// relu(main(x) + shortcut(x)), the identity when shortcut is null: the branches, their shape
// check and the input-gradient switch shared by the host and device blocks.
class ResidualShape : public Layer {
 public:
  ResidualShape(LayerPtr main, LayerPtr shortcut);
  std::string describe() const override;
  Dims output_dims(const Dims& in) const override;
  std::vector<Layer*> children() override;
  void set_needs_input_grad(bool needed) override;

 protected:
  LayerPtr main_, shortcut_;
};

class ReluShape : public Layer {
 public:
  std::string describe() const override { return "relu"; }
  Dims output_dims(const Dims& in) const override;
};

}  // namespace decent::nn
