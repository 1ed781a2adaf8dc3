// The oneDNN CPU engine, a stream per thread, primitive execution and reorders.
//
// Every in-process node is a thread; each gets its own stream so that nodes never share one.
// oneDNN here runs on OpenMP, whose thread count is a per-thread setting: set_threads() on a
// node's thread sizes that node's parallel regions only.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "nn/backend.hpp"
#include "nn/dnnl/dnnl_layout.hpp"
#include "nn/layer.hpp"
#include "nn/tensor.hpp"

namespace decent::nn {

const dnnl::engine& cpu_engine();
dnnl::stream& thread_stream();

// The oneDNN propagation kind of a forward pass in `mode` (training keeps what backward needs).
inline dnnl::prop_kind forward_kind(Mode mode) {
  return mode == Mode::train ? dnnl::prop_kind::forward_training
                             : dnnl::prop_kind::forward_inference;
}

// Runs a primitive on this thread's stream and waits for it. oneDNN errors become decent errors
// naming `what`.
void execute(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args,
             const char* what);

// reorder(src, dst) and the Scratch slots are declared in nn/backend.hpp.

// A tensor laid out as `desc` over this thread's memory for `slot`; valid until the next request
// for the same slot on this thread.
Tensor& scratch(Scratch slot, const dnnl::memory::desc& desc);

// `t` itself when it is laid out as `want`; otherwise `t` reordered into the scratch `slot`.
const Tensor& in_layout(const Tensor& t, const dnnl::memory::desc& want, Scratch slot);

// `t` itself when it is laid out as `want`; otherwise `t` reordered into `scratch`, which is
// (re)allocated when its layout differs from `want`.
const Tensor& in_layout(const Tensor& t, const dnnl::memory::desc& want, Tensor& scratch);

// Plain row-major `data` of `dims` (a parameter in the flat buffer) in layout `want`: a view of
// `data` when `want` is plain, else a copy reordered into the weights scratch.
Tensor flat_in_layout(float* data, const Dims& dims, const dnnl::memory::desc& want);

}  // namespace decent::nn
