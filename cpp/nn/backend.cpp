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

void require_host(const Tensor& t, const char* what) {
  if (t.device().kind != DeviceKind::cpu)
    throw NotSupported(std::string(what) + " on " + to_string(t.device()) +
                       ": runs on the host only in this version (GPU models are not built yet)");
}

const Tensor& to_layout(const Tensor& t, const Layout& want, Tensor& scratch) {
  require_host(t, "layout conversion");
  return in_layout(t, desc_of_layout(want), scratch);
}

const Tensor& to_layout(const Tensor& t, const Layout& want, Scratch slot) {
  require_host(t, "layout conversion");
  return in_layout(t, desc_of_layout(want), slot);
}

}  // namespace decent::nn
