// Tensors of the GPU layers: allocated on the context's device in NHWC, and the conversions at
// the boundary (the model's images and the linear layer's flattening are plain NCHW).
#pragma once

#include <string>

#include "nn/cudnn/context.hpp"
#include "nn/nhwc_layout.hpp"
#include "nn/tensor.hpp"

namespace decent::nn::cudnn {

// Throws InvalidArgument naming `layer` unless t is on the context's device.
void check_on_device(const Context& ctx, const Tensor& t, const std::string& layer);

// A zeroed NHWC tensor of N x C x H x W dims on the context's device.
Tensor nhwc_tensor(const Context& ctx, const Dims& dims);

// `x` itself when it is stored in NHWC order; a plain NCHW x converted into `own` (reallocated
// when its dims change); InvalidArgument for another layout.
const Tensor& as_nhwc(Context& ctx, const Tensor& x, Tensor& own, const std::string& layer);

// `x` itself when it is plain; an NHWC x converted to plain NCHW into `own`.
const Tensor& as_plain(Context& ctx, const Tensor& x, Tensor& own, const std::string& layer);

}  // namespace decent::nn::cudnn
