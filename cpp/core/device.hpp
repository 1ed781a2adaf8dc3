// Where a buffer lives and where work runs (docs/design.md, "Devices"): the CPU, or CUDA device
// i. Device memory, streams and events are behind a small backend interface so that the engine
// (algo/, optim/, comm/) never includes a CUDA header; the CPU backend is built in, and the CUDA
// one is registered by code linked with the CUDA runtime (kernels/cuda/device_backend.cu).
// On the CPU a stream runs work as it is queued, so synchronising and events are no-ops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace decent {

enum class DeviceKind { cpu, cuda };

struct Device {
  DeviceKind kind = DeviceKind::cpu;
  int index = 0;  // which CUDA device; 0 for the CPU

  bool is_cpu() const { return kind == DeviceKind::cpu; }
  friend bool operator==(const Device&, const Device&) = default;
};

// "cpu", "cuda" (device 0) or "cuda:N". Throws InvalidArgument naming the text otherwise.
Device parse_device(std::string_view text);
std::string to_string(const Device& device);

// Memory and ordering on one kind of device. Streams and events are opaque handles (a
// cudaStream_t / cudaEvent_t for CUDA; null on the CPU). Every call throws decent::Error on
// failure (out of memory, a driver error), naming the device.
class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  virtual void* allocate(const Device& device, std::size_t bytes) const = 0;
  virtual void release(const Device& device, void* memory) const noexcept = 0;
  // Copies `bytes` between two buffers on `device`, or between it and the host (direction
  // from the pointers' kinds: to_host / from_host say which side is host memory), ordered on
  // `stream`; the host side may be reused when the call returns.
  virtual void copy(const Device& device, void* to, const void* from, std::size_t bytes,
                    bool to_host, bool from_host, void* stream) const = 0;
  virtual void fill_zero(const Device& device, void* memory, std::size_t bytes,
                         void* stream) const = 0;
  virtual void* create_stream(const Device& device) const = 0;
  virtual void destroy_stream(const Device& device, void* stream) const noexcept = 0;
  virtual void synchronize(const Device& device, void* stream) const = 0;
  // Waits for all work queued on the device, on every stream (the in-process communicator's
  // hand-over point between nodes that share a device).
  virtual void synchronize_device(const Device& device) const = 0;
  virtual void* create_event(const Device& device) const = 0;
  virtual void destroy_event(const Device& device, void* event) const noexcept = 0;
  // Marks `event` on `stream`; wait_event makes later work on `stream` wait for it (on the
  // device: the host does not block).
  virtual void record_event(const Device& device, void* event, void* stream) const = 0;
  virtual void wait_event(const Device& device, void* stream, void* event) const = 0;
};

// The backend of `kind`. Throws NotSupported when no backend of that kind was registered (a
// build or a program without CUDA).
const DeviceBackend& device_backend(DeviceKind kind);
// Whether a backend of `kind` is available (the CPU's always is).
bool has_device_backend(DeviceKind kind);
// Registers the CUDA backend (kernels/cuda calls this; a second call replaces the first;
// nullptr unregisters it).
void register_device_backend(DeviceKind kind, const DeviceBackend* backend);

// Copies `bytes` from host memory to `device` memory (copy_to_device) or back (copy_to_host),
// ordered on `stream` (null: the device's default one), and waits for that stream, so the host
// side may be reused or read when the call returns. On the CPU, a plain copy.
void copy_to_device(const Device& device, void* to, const void* from, std::size_t bytes,
                    void* stream = nullptr);
void copy_to_host(const Device& device, void* to, const void* from, std::size_t bytes,
                  void* stream = nullptr);

// Device memory owned by one object: `bytes` on `device` (nothing when 0), released with it.
class DeviceMemory {
 public:
  DeviceMemory() = default;
  ~DeviceMemory() { reset(); }
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;
  // Makes it `bytes` on `device`, reallocating only when either differs.
  void ensure(const Device& device, std::size_t bytes);
  void reset() noexcept;
  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }

 private:
  Device device_;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// A stream of work on one device; on the CPU a placeholder whose work has always completed.
class Stream {
 public:
  explicit Stream(Device device = {});
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;

  const Device& device() const { return device_; }
  void* handle() const { return handle_; }  // cudaStream_t on CUDA, nullptr on the CPU
  void synchronize() const;

 private:
  Device device_;
  void* handle_ = nullptr;
};

// A point in a stream's work that other streams can wait for without blocking the host.
class Event {
 public:
  explicit Event(Device device = {});
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void record(const Stream& stream);
  void make_wait(const Stream& stream) const;  // later work on `stream` waits for the record

 private:
  Device device_;
  void* handle_ = nullptr;
};

}  // namespace decent
