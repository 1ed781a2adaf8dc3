#include "nn/nhwc_layout.hpp"

#include "core/error.hpp"

namespace decent::nn {
namespace {

bool nhwc_is_plain(const Dims& d) {
  return d[1] == 1 || (d[2] == 1 && d[3] == 1);
}

class NhwcLayout final : public Layout {
 public:
  explicit NhwcLayout(Dims dims) : Layout(std::move(dims)) {}
  std::string_view backend() const override { return "nhwc"; }
  std::size_t bytes() const override {
    std::size_t n = sizeof(float);
    for (auto d : dims()) n *= static_cast<std::size_t>(d);
    return n;
  }
  bool is_plain() const override { return nhwc_is_plain(dims()); }
  bool equals(const Layout& other) const override {
    if (other.dims() != dims()) return false;
    return other.backend() == "nhwc" || (is_plain() && other.is_plain());
  }
};

}  // namespace

LayoutPtr nhwc_layout(const Dims& dims) {
  check_dims(dims);
  if (dims.size() != 4)
    throw InvalidArgument("NHWC layout of " + to_string(dims) + ": expected N x C x H x W");
  return std::make_shared<NhwcLayout>(dims);
}

bool is_nhwc(const Layout& layout) {
  if (layout.backend() == "nhwc") return true;
  const auto& d = layout.dims();
  return layout.is_plain() && d.size() == 4 && nhwc_is_plain(d);
}

}  // namespace decent::nn
