// Factories of the layers, made by the default layer backend (nn/layer_backend.hpp: oneDNN,
// cpp/nn/dnnl, today). Builders and tests see only these
// and the Layer interface.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/layer.hpp"

namespace decent::nn {

// 2-D convolution without bias (every convolution of a ResNet is followed by batch norm).
// Weights: out x in x kernel x kernel, Kaiming-normal with fan_in = in * kernel^2.
struct Conv2dOptions {
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t kernel = 3;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
};
LayerPtr make_conv2d(const Conv2dOptions& options);

// 2-D batch normalisation over (batch, height, width) per channel, with scale (init 1) and shift
// (init 0). Training normalises with the batch statistics and updates the running ones:
// running = (1 - momentum) running + momentum batch, the variance unbiased (as PyTorch).
// Inference normalises with the running statistics. fuse_relu applies ReLU inside the same
// oneDNN primitive (forward and backward).
struct BatchNormOptions {
  std::int64_t channels = 0;
  float momentum = 0.1f;
  float epsilon = 1e-5f;
  bool fuse_relu = false;
};
LayerPtr make_batch_norm2d(const BatchNormOptions& options);

LayerPtr make_relu();

// Max and average pooling over kernel x kernel windows. Average pooling counts the zero padding
// in its divisor (PyTorch's default, count_include_pad=True).
struct PoolOptions {
  std::int64_t kernel = 2;
  std::int64_t stride = 2;
  std::int64_t padding = 0;
};
LayerPtr make_max_pool2d(const PoolOptions& options);
LayerPtr make_avg_pool2d(const PoolOptions& options);
// Average over the whole height x width: N x C x H x W -> N x C x 1 x 1.
LayerPtr make_global_avg_pool();

// Fully connected: y = x W^T + b with W out x in_features, where in_features is the product of
// the input's non-batch dims (a 4-D input is flattened in C, H, W order, as torch.flatten).
// W and b are U(-1/sqrt(in), 1/sqrt(in)), PyTorch's default.
LayerPtr make_linear(std::int64_t in_features, std::int64_t out_features);

// Layers applied in order.
LayerPtr make_sequential(std::vector<LayerPtr> layers);

// relu(main(x) + shortcut(x)), with the identity when shortcut is null: the residual block.
LayerPtr make_residual(LayerPtr main, LayerPtr shortcut);

}  // namespace decent::nn
