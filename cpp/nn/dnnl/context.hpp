// The oneDNN CPU engine, a stream per thread, primitive execution and reorders.
//
// Every in-process node is a thread; each gets its own stream so that nodes never share one.
// oneDNN here runs on OpenMP, whose thread count is a per-thread setting: set_threads() on a
// node's thread sizes that node's parallel regions only.
#pragma once

#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

#include "nn/tensor.hpp"

namespace decent::nn {

const dnnl::engine& cpu_engine();
dnnl::stream& thread_stream();

// Runs a primitive on this thread's stream and waits for it. oneDNN errors become decent errors
// naming `what`.
void execute(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args,
             const char* what);

// Copies `src` into `dst`, converting the layout (their dims must match).
void reorder(const Tensor& src, Tensor& dst);

// `t` itself when it is laid out as `want`; otherwise `t` reordered into `scratch`, which is
// (re)allocated when its layout differs from `want`.
const Tensor& in_layout(const Tensor& t, const dnnl::memory::desc& want, Tensor& scratch);

// Plain row-major `data` of `dims` (a parameter in the flat buffer) in layout `want`: `copy`
// becomes a view of `data` when `want` is plain, else a reordered copy (reallocated only when its
// layout differs).
const Tensor& flat_in_layout(float* data, const Dims& dims, const dnnl::memory::desc& want,
                             Tensor& copy);

// Threads for oneDNN and decent's own loops on the calling thread (n >= 1), and the current
// count. The default is OMP_NUM_THREADS, else the number of cores.
void set_threads(int n);
int threads();

}  // namespace decent::nn
