// oneDNN's side of nn::Tensor: a Layout holding a oneDNN memory descriptor, and conversions
// between tensors and oneDNN descriptors and memory objects. Only the oneDNN backend
// (cpp/nn/dnnl) includes this.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "nn/tensor.hpp"

namespace decent::nn {

// The plain (row-major, "nchw"-like) descriptor of f32 dims of rank 1 to 5.
dnnl::memory::desc plain_desc(const Dims& dims);

class DnnlLayout final : public Layout {
 public:
  explicit DnnlLayout(const dnnl::memory::desc& desc);
  std::string_view backend() const override { return "dnnl"; }
  std::size_t bytes() const override { return desc_.get_size(); }
  bool is_plain() const override { return plain_; }
  bool equals(const Layout& other) const override;
  const dnnl::memory::desc& desc() const { return desc_; }

 private:
  dnnl::memory::desc desc_;
  bool plain_;
};

LayoutPtr layout_of(const dnnl::memory::desc& desc);

// The descriptor of a tensor's layout: its own for a oneDNN layout, the plain descriptor for a
// plain one; an empty descriptor for an empty tensor. Throws InvalidArgument for another
// backend's layout.
dnnl::memory::desc desc_of(const Tensor& t);

// A oneDNN memory object over the tensor's storage (no copy).
dnnl::memory memory_of(const Tensor& t);

// A tensor that owns zeroed storage laid out as `desc`, and a view of `data` laid out so.
Tensor tensor_of(const dnnl::memory::desc& desc);
Tensor view_of(const dnnl::memory::desc& desc, float* data);

}  // namespace decent::nn
