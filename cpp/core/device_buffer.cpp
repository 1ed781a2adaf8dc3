#include "core/device_buffer.hpp"

#include <fmt/format.h>

#include <utility>

#include "core/error.hpp"

namespace decent {

template <typename T>
DeviceBuffer<T>::DeviceBuffer(std::size_t count, Device device, const Stream* stream)
    : device_(device), size_(count) {
  const auto& backend = device_backend(device.kind);
  data_ = static_cast<T*>(backend.allocate(device, count * sizeof(T)));
  backend.fill_zero(device, data_, count * sizeof(T), stream ? stream->handle() : nullptr);
}

template <typename T>
DeviceBuffer<T>::~DeviceBuffer() {
  release();
}

template <typename T>
DeviceBuffer<T>::DeviceBuffer(DeviceBuffer&& other) noexcept
    : device_(other.device_),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

template <typename T>
DeviceBuffer<T>& DeviceBuffer<T>::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    release();
    device_ = other.device_;
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

template <typename T>
void DeviceBuffer<T>::release() noexcept {
  if (data_) device_backend(device_.kind).release(device_, data_);
  data_ = nullptr;
  size_ = 0;
}

template <typename T>
std::vector<T> DeviceBuffer<T>::to_host(const Stream* stream) const {
  std::vector<T> out(size_);
  copy_to_host(device_, out.data(), data_, size_ * sizeof(T), stream ? stream->handle() : nullptr);
  return out;
}

template <typename T>
void DeviceBuffer<T>::from_host(std::span<const T> values, const Stream* stream) {
  if (values.size() != size_)
    throw InvalidArgument(
        fmt::format("{} buffer of {} values given {}", to_string(device_), size_, values.size()));
  // Waits, so the caller may reuse `values` at once.
  copy_to_device(device_, data_, values.data(), size_ * sizeof(T),
                 stream ? stream->handle() : nullptr);
}

template <typename T>
void DeviceBuffer<T>::copy_from(const DeviceBuffer& other, const Stream* stream) {
  if (other.size_ != size_ || !(other.device_ == device_))
    throw InvalidArgument(fmt::format("copy of a {} buffer of {} values into a {} buffer of {}",
                                      to_string(other.device_), other.size_, to_string(device_),
                                      size_));
  device_backend(device_.kind)
      .copy(device_, data_, other.data_, size_ * sizeof(T), false, false,
            stream ? stream->handle() : nullptr);
}

template <typename T>
void DeviceBuffer<T>::swap(DeviceBuffer& other) noexcept {
  std::swap(device_, other.device_);
  std::swap(data_, other.data_);
  std::swap(size_, other.size_);
}

template class DeviceBuffer<float>;
template class DeviceBuffer<double>;

}  // namespace decent
