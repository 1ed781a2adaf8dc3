// A typed buffer on a device (core/device.hpp): host memory for the CPU, device memory for CUDA.
// Algorithms and optimizers keep their state in these, so the same code runs on either device;
// values reach the host only through to_host / from_host (checkpoints, the C ABI).
#pragma once

#include <span>
#include <vector>

#include "core/device.hpp"

namespace decent {

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  // `count` zeros on `device`.
  explicit DeviceBuffer(std::size_t count, Device device = {}, const Stream* stream = nullptr);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  const Device& device() const { return device_; }
  // A view of the values; dereference it on the host only for a CPU buffer.
  std::span<T> span() { return {data_, size_}; }
  std::span<const T> span() const { return {data_, size_}; }

  std::vector<T> to_host(const Stream* stream = nullptr) const;
  // Throws InvalidArgument when `values` has another length.
  void from_host(std::span<const T> values, const Stream* stream = nullptr);
  // Copies another buffer of the same length and device.
  void copy_from(const DeviceBuffer& other, const Stream* stream = nullptr);
  void swap(DeviceBuffer& other) noexcept;

 private:
  void release() noexcept;
  Device device_;
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace decent
