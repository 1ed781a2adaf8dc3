// The layout conversions of nn/backend.hpp, by the oneDNN backend (plain layouts are oneDNN's
// too).
#include "nn/backend.hpp"

#include <cstring>

#include "core/error.hpp"
#if DECENT_HAVE_DNNL
#include "nn/dnnl/context.hpp"
#endif

namespace decent::nn {

void require_host(const Tensor& t, const char* what) {
  if (t.device().kind != DeviceKind::cpu)
    throw NotSupported(std::string(what) + " on " + to_string(t.device()) +
                       ": runs on the host only in this version (GPU models are not built yet)");
}

#if DECENT_HAVE_DNNL
namespace {

dnnl::memory::desc desc_of_layout(const Layout& l) {
  if (l.backend() == "dnnl") return static_cast<const DnnlLayout&>(l).desc();
  if (l.is_plain()) return plain_desc(l.dims());
  throw InvalidArgument("layout of backend " + std::string(l.backend()) +
                        ": this build computes with oneDNN only");
}

}  // namespace

const Tensor& to_layout(const Tensor& t, const Layout& want, Tensor& scratch) {
  require_host(t, "layout conversion");
  return in_layout(t, desc_of_layout(want), scratch);
}

const Tensor& to_layout(const Tensor& t, const Layout& want, Scratch slot) {
  require_host(t, "layout conversion");
  return in_layout(t, desc_of_layout(want), slot);
}

#else
// Without oneDNN only plain layouts exist on the host: conversions are copies or refusals.
namespace {

[[noreturn]] void no_conversion(const Layout& from, const Layout& to) {
  throw NotSupported("layout conversion from " + std::string(from.backend()) + " " +
                     to_string(from.dims()) + " to " + std::string(to.backend()) + " " +
                     to_string(to.dims()) + ": this build has no oneDNN");
}

}  // namespace

void reorder(const Tensor& src, Tensor& dst) {
  require_host(src, "reorder");
  require_host(dst, "reorder");
  if (!src.layout().is_plain() || !dst.layout().is_plain() || src.dims() != dst.dims())
    no_conversion(src.layout(), dst.layout());
  std::memcpy(dst.data(), src.data(), static_cast<std::size_t>(src.numel()) * sizeof(float));
}

const Tensor& to_layout(const Tensor& t, const Layout& want, Tensor& /*scratch*/) {
  require_host(t, "layout conversion");
  if (!t.layout().equals(want)) no_conversion(t.layout(), want);
  return t;
}

const Tensor& to_layout(const Tensor& t, const Layout& want, Scratch /*slot*/) {
  require_host(t, "layout conversion");
  if (!t.layout().equals(want)) no_conversion(t.layout(), want);
  return t;
}
#endif

}  // namespace decent::nn
