// The layout conversions of nn/backend.hpp, by the oneDNN backend (plain layouts are oneDNN's
// too).
#include "nn/backend.hpp"

#include "core/error.hpp"
#include "nn/dnnl/context.hpp"

namespace decent::nn {
namespace {

dnnl::memory::desc desc_of_layout(const Layout& l) {
  if (l.backend() == "dnnl") return static_cast<const DnnlLayout&>(l).desc();
  if (l.is_plain()) return plain_desc(l.dims());
  throw InvalidArgument("layout of backend " + std::string(l.backend()) +
                        ": this build computes with oneDNN only");
}

}  // namespace

const Tensor& to_layout(const Tensor& t, const Layout& want, Tensor& scratch) {
  return in_layout(t, desc_of_layout(want), scratch);
}

const Tensor& to_layout(const Tensor& t, const Layout& want, Scratch slot) {
  return in_layout(t, desc_of_layout(want), slot);
}

}  // namespace decent::nn
