#include "nn/dnnl/context.hpp"

#include <omp.h>

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "nn/threads.hpp"

namespace decent::nn {

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

void execute(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args,
             const char* what) {
  try {
    p.execute(thread_stream(), args);
    thread_stream().wait();
  } catch (const dnnl::error& e) {
    throw Error(Status::internal, std::string(what) + ": oneDNN failed: " + e.what());
  }
}

void reorder(const Tensor& src, Tensor& dst) {
  require_host(src, "reorder");
  require_host(dst, "reorder");
  if (src.dims() != dst.dims())
    throw InvalidArgument("reorder from " + to_string(src.dims()) + " to " + to_string(dst.dims()) +
                          ": dims differ");
  auto s = memory_of(src);
  auto d = memory_of(dst);
  execute(dnnl::reorder(s, d), {{DNNL_ARG_FROM, s}, {DNNL_ARG_TO, d}}, "reorder");
}

const Tensor& in_layout(const Tensor& t, const dnnl::memory::desc& want, Tensor& scratch) {
  if (desc_of(t) == want) return t;
  if (scratch.empty() || desc_of(scratch) != want) scratch = tensor_of(want);
  reorder(t, scratch);
  return scratch;
}

Tensor& scratch(Scratch slot, const dnnl::memory::desc& desc) {
  struct Slot {
    Tensor storage, view;
  };
  thread_local Slot slots[3];
  auto& s = slots[static_cast<int>(slot)];
  const std::size_t floats = (desc.get_size() + sizeof(float) - 1) / sizeof(float);
  if (s.storage.empty() || s.storage.storage_size() < floats)
    s.storage = Tensor::plain({static_cast<std::int64_t>(std::max<std::size_t>(floats, 1))});
  s.view = view_of(desc, s.storage.data());
  return s.view;
}

const Tensor& in_layout(const Tensor& t, const dnnl::memory::desc& want, Scratch slot) {
  if (desc_of(t) == want) return t;
  Tensor& s = scratch(slot, want);
  reorder(t, s);
  return s;
}

Tensor flat_in_layout(float* data, const Dims& dims, const dnnl::memory::desc& want) {
  Tensor flat = view_of(plain_desc(dims), data);
  if (want == desc_of(flat)) return flat;
  Tensor& copy = scratch(Scratch::weights, want);
  reorder(flat, copy);
  return copy;
}

void set_threads(int n) {
  if (n < 1) throw InvalidArgument("threads " + std::to_string(n) + ": expected >= 1");
  omp_set_num_threads(n);
}

int threads() {
  return omp_get_max_threads();
}

}  // namespace decent::nn
