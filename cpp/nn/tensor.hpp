// Tensor: dims, a data type, a device and an opaque backend layout over storage on that device.
//
// The layout belongs to the backend that computes the tensor (cpp/nn/backend.hpp): oneDNN keeps
// its blocked formats (nChw16c, ...) between layers, cuDNN its NHWC, and both reorder only where
// a layer or the model's boundary needs another. This header knows no backend: the neutral code
// (the model, residual blocks, the loss) sees dims, storage and whether a layout is plain
// (row-major, unpadded). A tensor either owns its storage (shared, so copies of a Tensor are
// cheap views of the same memory) or views memory owned elsewhere (the model's flat buffers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/device.hpp"

namespace decent::nn {

using Dims = std::vector<std::int64_t>;

// Element types. Only f32 is computed today; bf16 is reserved so that the enum and the C ABI
// need not change when it is added.
enum class DType { f32, bf16 };

// "3x32x32" style rendering of dims for error messages.
std::string to_string(const Dims& dims);

// Throws InvalidArgument unless dims has rank 1 to 5 and every dim is > 0.
void check_dims(const Dims& dims);

// How a backend lays out a tensor's values in storage.
class Layout {
 public:
  explicit Layout(Dims dims) : dims_(std::move(dims)) {}
  virtual ~Layout() = default;
  virtual std::string_view backend() const = 0;  // "plain", or the backend's name
  // Storage bytes, including any padding the layout adds (3 channels stored as 16).
  virtual std::size_t bytes() const = 0;
  // Row-major over dims with no padding: the layout the model's boundary and the C ABI use.
  virtual bool is_plain() const = 0;
  // Whether the two lay values out identically (a backend's plain layout equals "plain").
  virtual bool equals(const Layout& other) const = 0;
  const Dims& dims() const { return dims_; }

 private:
  Dims dims_;
};
using LayoutPtr = std::shared_ptr<const Layout>;

// The plain f32 layout of dims (checked as check_dims says).
LayoutPtr plain_layout(const Dims& dims);

class Tensor {
 public:
  Tensor() = default;

  // Owns zeroed storage on `device` (64-byte aligned on the CPU), laid out as `layout` says.
  explicit Tensor(LayoutPtr layout, Device device = {});

  // A plain (row-major) tensor of the given dims that owns its storage.
  static Tensor plain(const Dims& dims, Device device = {});

  // A view over memory owned elsewhere; it must outlive every use of the view.
  static Tensor view(LayoutPtr layout, float* data, Device device = {});

  bool empty() const { return data_ == nullptr; }
  const Layout& layout() const { return *layout_; }
  const LayoutPtr& layout_ptr() const { return layout_; }
  // Both empty, or laid out alike (then element-wise loops may run over the storage of both).
  bool same_layout(const Tensor& other) const;
  const Dims& dims() const;
  DType dtype() const { return DType::f32; }
  const Device& device() const { return device_; }

  // Logical element count (product of the dims).
  std::int64_t numel() const;
  // Stored float count, including the padding a layout adds. Element-wise loops over two
  // tensors of the same layout may run over all of it.
  std::size_t storage_size() const { return layout_ ? layout_->bytes() / sizeof(float) : 0; }

  float* data() { return data_; }
  const float* data() const { return data_; }

 private:
  LayoutPtr layout_;
  Device device_;
  std::shared_ptr<void> storage_;
  float* data_ = nullptr;
};

}  // namespace decent::nn
