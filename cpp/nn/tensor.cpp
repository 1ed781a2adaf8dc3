#include "nn/tensor.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace decent::nn {
namespace {

class PlainLayout final : public Layout {
 public:
  explicit PlainLayout(Dims dims) : Layout(std::move(dims)) {}
  std::string_view backend() const override { return "plain"; }
  std::size_t bytes() const override {
    std::size_t n = sizeof(float);
    for (auto d : dims()) n *= static_cast<std::size_t>(d);
    return n;
  }
  bool is_plain() const override { return true; }
  bool equals(const Layout& other) const override {
    return other.is_plain() && other.dims() == dims();
  }
};

const Dims kNoDims;

}  // namespace

std::string to_string(const Dims& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s.empty() ? "(scalar)" : s;
}

void check_dims(const Dims& dims) {
  if (dims.empty() || dims.size() > 5)
    throw InvalidArgument("tensor of rank " + std::to_string(dims.size()) +
                          ": expected rank 1 to 5");
  for (auto d : dims)
    if (d <= 0) throw InvalidArgument("tensor dims " + to_string(dims) + ": every dim must be > 0");
}

LayoutPtr plain_layout(const Dims& dims) {
  check_dims(dims);
  return std::make_shared<PlainLayout>(dims);
}

Tensor::Tensor(LayoutPtr layout, Device device) : layout_(std::move(layout)), device_(device) {
  // Round up so that vector loops may touch whole cache lines; zeroed so that the padding of
  // blocked layouts holds zeros, which oneDNN expects.
  const std::size_t bytes = std::max<std::size_t>((layout_->bytes() + 63) / 64 * 64, 64);
  const auto& backend = device_backend(device.kind);  // the CPU's: 64-byte aligned host memory
  void* p = backend.allocate(device, bytes);
  backend.fill_zero(device, p, bytes, nullptr);
  storage_ = std::shared_ptr<void>(
      p, [device](void* q) { device_backend(device.kind).release(device, q); });
  data_ = static_cast<float*>(storage_.get());
}

Tensor Tensor::plain(const Dims& dims, Device device) {
  return Tensor(plain_layout(dims), device);
}

Tensor Tensor::view(LayoutPtr layout, float* data, Device device) {
  Tensor t;
  t.layout_ = std::move(layout);
  t.device_ = device;
  t.data_ = data;
  return t;
}

bool Tensor::same_layout(const Tensor& other) const {
  if (!layout_ || !other.layout_) return !layout_ && !other.layout_;
  return layout_->equals(*other.layout_);
}

const Dims& Tensor::dims() const {
  return layout_ ? layout_->dims() : kNoDims;
}

std::int64_t Tensor::numel() const {
  std::int64_t n = 1;
  for (auto d : dims()) n *= d;
  return n;
}

}  // namespace decent::nn
