#include "nn/tensor.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "core/error.hpp"
#include "nn/dnnl/context.hpp"

namespace decent::nn {

using tag = dnnl::memory::format_tag;

std::string to_string(const Dims& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s.empty() ? "(scalar)" : s;
}

dnnl::memory::desc plain_desc(const Dims& dims) {
  static const tag tags[] = {tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde};
  if (dims.empty() || dims.size() > 5)
    throw InvalidArgument("tensor of rank " + std::to_string(dims.size()) +
                          ": expected rank 1 to 5");
  for (auto d : dims)
    if (d <= 0) throw InvalidArgument("tensor dims " + to_string(dims) + ": every dim must be > 0");
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tags[dims.size() - 1]);
}

Tensor::Tensor(const dnnl::memory::desc& desc) : desc_(desc) {
  // Round up so that vector loops may touch whole cache lines; zeroed so that the padding of
  // blocked layouts holds zeros, which oneDNN expects.
  const std::size_t bytes = (desc.get_size() + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  storage_ = std::shared_ptr<float>(static_cast<float*>(p), [](float* q) { std::free(q); });
  data_ = storage_.get();
}

Tensor Tensor::view(const dnnl::memory::desc& desc, float* data) {
  Tensor t;
  t.desc_ = desc;
  t.data_ = data;
  return t;
}

std::int64_t Tensor::numel() const {
  std::int64_t n = 1;
  for (auto d : desc_.dims()) n *= d;
  return n;
}

dnnl::memory Tensor::memory() const {
  return dnnl::memory(desc_, cpu_engine(), data_);
}

}  // namespace decent::nn
