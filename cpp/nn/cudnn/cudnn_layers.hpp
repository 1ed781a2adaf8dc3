// The GPU layer backend: the layers of nn/layers.hpp on one node's Context (cuDNN graph-API
// convolutions, cuBLAS for the linear layer, decent's own kernels for batch norm, pooling and
// ReLU, residual block), and the LayerBackend that makes them. Built into decent_gpu only.
#pragma once

#include <memory>

#include "nn/cudnn/context.hpp"
#include "nn/layer_backend.hpp"

namespace decent::nn::cudnn {

LayerPtr conv2d(std::shared_ptr<Context> ctx, const Conv2dOptions& options);
LayerPtr batch_norm2d(std::shared_ptr<Context> ctx, const BatchNormOptions& options);
LayerPtr relu(std::shared_ptr<Context> ctx);
LayerPtr max_pool2d(std::shared_ptr<Context> ctx, const PoolOptions& options);
LayerPtr avg_pool2d(std::shared_ptr<Context> ctx, const PoolOptions& options);
LayerPtr global_avg_pool(std::shared_ptr<Context> ctx);
LayerPtr linear(std::shared_ptr<Context> ctx, std::int64_t in, std::int64_t out);
LayerPtr residual(std::shared_ptr<Context> ctx, LayerPtr main, LayerPtr shortcut);

// A layer backend named "cudnn" whose layers compute on `ctx` (one per node).
std::unique_ptr<LayerBackend> make_backend(std::shared_ptr<Context> ctx);

// Registers "cudnn" in the layer-backend registry (nn/layer_backend.hpp) with a context on
// cuda:0 made at the first use, after cuda::use_cuda_devices(). Idempotent.
void register_backend();

}  // namespace decent::nn::cudnn
