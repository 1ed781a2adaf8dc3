// The oneDNN backend's layers (semantics: nn/layers.hpp), reached through the "dnnl" layer
// backend (nn/layer_backend.hpp).
#pragma once

#include "nn/layer_backend.hpp"

namespace decent::nn {

LayerPtr dnnl_conv2d(const Conv2dOptions& options);
LayerPtr dnnl_batch_norm2d(const BatchNormOptions& options);
LayerPtr dnnl_relu();
LayerPtr dnnl_max_pool2d(const PoolOptions& options);
LayerPtr dnnl_avg_pool2d(const PoolOptions& options);
LayerPtr dnnl_global_avg_pool();
LayerPtr dnnl_linear(std::int64_t in_features, std::int64_t out_features);

// The "dnnl" backend itself.
const LayerBackend& dnnl_layer_backend();

}  // namespace decent::nn
