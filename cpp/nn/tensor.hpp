// Tensor: a shape, a data type and a memory layout over 64-byte aligned host memory.
//
// The layout is a oneDNN memory descriptor, so that layers can keep oneDNN's preferred blocked
// formats (nChw16c, ...) between them and reorder only at the model's boundary. A tensor either
// owns its storage (shared, so copies of a Tensor are cheap views of the same memory) or views
// memory owned elsewhere (the model's flat parameter buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

namespace decent::nn {

using Dims = std::vector<std::int64_t>;

// Element types. Only f32 is computed today; bf16 is reserved so that the enum and the C ABI
// need not change when it is added.
enum class DType { f32, bf16 };

// "3x32x32" style rendering of dims for error messages.
std::string to_string(const Dims& dims);

// The plain (row-major, "nchw"-like) descriptor of f32 dims of rank 1 to 5.
dnnl::memory::desc plain_desc(const Dims& dims);

class Tensor {
 public:
  Tensor() = default;

  // Owns zeroed, 64-byte aligned storage laid out as `desc` describes.
  explicit Tensor(const dnnl::memory::desc& desc);

  // A plain (row-major) tensor of the given dims that owns its storage.
  static Tensor plain(const Dims& dims) { return Tensor(plain_desc(dims)); }

  // A view over memory owned elsewhere; it must outlive every use of the view.
  static Tensor view(const dnnl::memory::desc& desc, float* data);

  bool empty() const { return data_ == nullptr; }
  const dnnl::memory::desc& desc() const { return desc_; }
  Dims dims() const { return desc_.dims(); }
  DType dtype() const { return DType::f32; }

  // Logical element count (product of the dims).
  std::int64_t numel() const;
  // Stored float count, including the padding a blocked layout adds (e.g. 3 channels stored as
  // 16). Element-wise loops over two tensors of equal desc may run over all of it.
  std::size_t storage_size() const { return desc_.get_size() / sizeof(float); }

  float* data() { return data_; }
  const float* data() const { return data_; }

  // A oneDNN memory object over this tensor's storage (no copy).
  dnnl::memory memory() const;

 private:
  dnnl::memory::desc desc_;
  std::shared_ptr<float> storage_;
  float* data_ = nullptr;
};

}  // namespace decent::nn
