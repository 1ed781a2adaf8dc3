// The NHWC layout of a 4-D N x C x H x W tensor: channels innermost, the layout the GPU backend
// (cpp/nn/cudnn) computes in end to end. It is plain (equal to row-major NCHW) when C = 1 or
// H = W = 1, so that a 1-channel image or a globally pooled N x C x 1 x 1 tensor moves between
// backends without a copy. Neutral (no CUDA include) so that its logic is tested on the host.
#pragma once

#include "nn/tensor.hpp"

namespace decent::nn {

// The NHWC layout of 4-D dims (checked by check_dims; InvalidArgument for another rank).
LayoutPtr nhwc_layout(const Dims& dims);

// Whether `layout` stores its values in NHWC order (an NHWC layout, or a plain one that NHWC
// equals).
bool is_nhwc(const Layout& layout);

}  // namespace decent::nn
