#include "nn/dnnl/dnnl_layout.hpp"

#include "core/error.hpp"
#include "nn/dnnl/context.hpp"

namespace decent::nn {

using tag = dnnl::memory::format_tag;

dnnl::memory::desc plain_desc(const Dims& dims) {
  static const tag tags[] = {tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde};
  check_dims(dims);
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tags[dims.size() - 1]);
}

DnnlLayout::DnnlLayout(const dnnl::memory::desc& desc)
    : Layout(desc.dims()), desc_(desc), plain_(!dims().empty() && desc == plain_desc(dims())) {}

bool DnnlLayout::equals(const Layout& other) const {
  if (other.backend() == "dnnl") return static_cast<const DnnlLayout&>(other).desc_ == desc_;
  return plain_ && other.is_plain() && other.dims() == dims();
}

LayoutPtr layout_of(const dnnl::memory::desc& desc) {
  return std::make_shared<DnnlLayout>(desc);
}

dnnl::memory::desc desc_of(const Tensor& t) {
  if (!t.layout_ptr()) return {};
  const Layout& l = t.layout();
  if (l.backend() == "dnnl") return static_cast<const DnnlLayout&>(l).desc();
  if (l.is_plain()) return plain_desc(l.dims());
  throw InvalidArgument("a tensor laid out by " + std::string(l.backend()) +
                        " reached the oneDNN backend");
}

dnnl::memory memory_of(const Tensor& t) {
  return dnnl::memory(desc_of(t), cpu_engine(), const_cast<float*>(t.data()));
}

Tensor tensor_of(const dnnl::memory::desc& desc) {
  return Tensor(layout_of(desc));
}

Tensor view_of(const dnnl::memory::desc& desc, float* data) {
  return Tensor::view(layout_of(desc), data);
}

}  // namespace decent::nn
