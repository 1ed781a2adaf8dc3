#include "core/device.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <new>
#include <utility>

#include "core/error.hpp"

namespace decent {
namespace {

// Host memory, aligned for vector loads; work "queued" on the CPU is done when the call returns.
class CpuBackend final : public DeviceBackend {
 public:
  void* allocate(const Device&, std::size_t bytes) const override {
    if (bytes == 0) return nullptr;
    try {
      return ::operator new (bytes, std::align_val_t{64});
    } catch (const std::bad_alloc&) {
      throw Error(Status::out_of_memory, fmt::format("cpu: cannot allocate {} bytes", bytes));
    }
  }
  void release(const Device&, void* memory) const noexcept override {
    if (memory) ::operator delete (memory, std::align_val_t{64});
  }
  void copy(const Device&, void* to, const void* from, std::size_t bytes, bool, bool,
            void*) const override {
    if (bytes) std::memmove(to, from, bytes);
  }
  void fill_zero(const Device&, void* memory, std::size_t bytes, void*) const override {
    if (bytes) std::memset(memory, 0, bytes);
  }
  void* create_stream(const Device&) const override { return nullptr; }
  void destroy_stream(const Device&, void*) const noexcept override {}
  void synchronize(const Device&, void*) const override {}
  void synchronize_device(const Device&) const override {}
  void* create_event(const Device&) const override { return nullptr; }
  void destroy_event(const Device&, void*) const noexcept override {}
  void record_event(const Device&, void*, void*) const override {}
  void wait_event(const Device&, void*, void*) const override {}
};

const CpuBackend cpu_backend;
std::atomic<const DeviceBackend*> cuda_backend{nullptr};

}  // namespace

Device parse_device(std::string_view text) {
  if (text == "cpu") return {DeviceKind::cpu, 0};
  if (text == "cuda") return {DeviceKind::cuda, 0};
  if (text.starts_with("cuda:")) {
    const auto digits = text.substr(5);
    int index = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty() &&
        index >= 0 && index < 1024)
      return {DeviceKind::cuda, index};
  }
  throw InvalidArgument(
      fmt::format("device \"{}\": expected cpu, cuda or cuda:N (N = 0 to 1023)", text));
}

std::string to_string(const Device& device) {
  return device.is_cpu() ? "cpu" : fmt::format("cuda:{}", device.index);
}

const DeviceBackend& device_backend(DeviceKind kind) {
  if (kind == DeviceKind::cpu) return cpu_backend;
  const DeviceBackend* cuda = cuda_backend.load();
  if (!cuda)
    throw NotSupported(
        "device cuda: this program has no CUDA backend (a build without CUDA, or a program not "
        "linked with decent's CUDA kernels)");
  return *cuda;
}

bool has_device_backend(DeviceKind kind) {
  return kind == DeviceKind::cpu || cuda_backend.load() != nullptr;
}

void copy_to_device(const Device& device, void* to, const void* from, std::size_t bytes,
                    void* stream) {
  const auto& backend = device_backend(device.kind);
  backend.copy(device, to, from, bytes, false, true, stream);
  backend.synchronize(device, stream);
}

void copy_to_host(const Device& device, void* to, const void* from, std::size_t bytes,
                  void* stream) {
  const auto& backend = device_backend(device.kind);
  backend.copy(device, to, from, bytes, true, false, stream);
  backend.synchronize(device, stream);
}

void DeviceMemory::ensure(const Device& device, std::size_t bytes) {
  if (data_ && device == device_ && bytes == bytes_) return;
  reset();
  data_ = device_backend(device.kind).allocate(device, bytes);
  device_ = device;
  bytes_ = bytes;
}

void DeviceMemory::reset() noexcept {
  if (data_) device_backend(device_.kind).release(device_, data_);
  data_ = nullptr;
  bytes_ = 0;
}

void register_device_backend(DeviceKind kind, const DeviceBackend* backend) {
  if (kind == DeviceKind::cpu) throw InvalidArgument("the CPU device backend is built in");
  cuda_backend.store(backend);
}

Stream::Stream(Device device)
    : device_(device), handle_(device_backend(device.kind).create_stream(device)) {}
Stream::~Stream() {
  if (handle_) device_backend(device_.kind).destroy_stream(device_, handle_);
}
Stream::Stream(Stream&& other) noexcept
    : device_(other.device_), handle_(std::exchange(other.handle_, nullptr)) {}
Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    if (handle_) device_backend(device_.kind).destroy_stream(device_, handle_);
    device_ = other.device_;
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}
void Stream::synchronize() const {
  device_backend(device_.kind).synchronize(device_, handle_);
}

Event::Event(Device device)
    : device_(device), handle_(device_backend(device.kind).create_event(device)) {}
Event::~Event() {
  if (handle_) device_backend(device_.kind).destroy_event(device_, handle_);
}
void Event::record(const Stream& stream) {
  device_backend(device_.kind).record_event(device_, handle_, stream.handle());
}
void Event::make_wait(const Stream& stream) const {
  device_backend(device_.kind).wait_event(device_, stream.handle(), handle_);
}

}  // namespace decent
