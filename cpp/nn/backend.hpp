// What the backend-neutral nn code (the model, residual blocks, the loss) asks of the backend
// that laid out a tensor: conversions between layouts. The layers themselves come from the
// factories of nn/layers.hpp. Today the one backend is oneDNN on the CPU (cpp/nn/dnnl); a
// tensor whose layout no compiled backend knows is refused with InvalidArgument.
#pragma once

#include "nn/tensor.hpp"

namespace decent::nn {

// Scratch memory for tensors that live only within one layer call, shared by all the layers of
// a thread (weights reordered into a primitive's layout, weight gradients before their reorder
// into the flat buffer, output gradients reordered into the layout a backward pass wants):
// one copy per thread instead of one per layer (for resnet18, ~135 MB less).
enum class Scratch { weights, diff_weights, diff_dst };

// Throws NotSupported naming `what` unless t is in host memory: the residual block, the loss
// and the layout conversions of this file run on the host only so far (the GPU layers of
// cpp/nn/cudnn convert their own tensors).
void require_host(const Tensor& t, const char* what);

// Copies src into dst, converting the layout (their dims must match).
void reorder(const Tensor& src, Tensor& dst);

// `t` itself when it is laid out as `want`; otherwise `t` reordered into `scratch`, which is
// (re)allocated when its layout differs from `want`.
const Tensor& to_layout(const Tensor& t, const Layout& want, Tensor& scratch);

// `t` itself when it is laid out as `want`; otherwise `t` reordered into the scratch `slot`,
// valid until the next request for that slot on this thread.
const Tensor& to_layout(const Tensor& t, const Layout& want, Scratch slot);

}  // namespace decent::nn
