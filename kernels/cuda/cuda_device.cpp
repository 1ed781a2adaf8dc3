// The CUDA DeviceBackend and VectorOps: host-side C++20 over the CUDA runtime; the kernels are
// in vector_kernels.cu.
#include <cuda_runtime.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.hpp"
#include "core/functor_ops.hpp"
#include "cuda_vector_ops.hpp"
#include "vector_kernels.hpp"

namespace decent::cuda {
namespace {

void check(cudaError_t status, const char* what, const Device& device) {
  if (status == cudaSuccess) return;
  const auto message = fmt::format("{}: {} on {}: {}", what, cudaGetErrorName(status),
                                   to_string(device), cudaGetErrorString(status));
  if (status == cudaErrorMemoryAllocation) throw Error(Status::out_of_memory, message);
  throw Error(Status::internal, message);
}
void check(int status, const char* what, const Device& device) {
  check(static_cast<cudaError_t>(status), what, device);
}

// Calls on device.index: the runtime's current device is per thread.
void select(const Device& device) {
  check(cudaSetDevice(device.index), "cudaSetDevice", device);
}

class CudaBackend final : public DeviceBackend {
 public:
  void* allocate(const Device& device, std::size_t bytes) const override {
    if (bytes == 0) return nullptr;
    select(device);
    void* p = nullptr;
    check(cudaMalloc(&p, bytes), "cudaMalloc", device);
    return p;
  }
  void release(const Device& device, void* memory) const noexcept override {
    if (!memory) return;
    cudaSetDevice(device.index);
    cudaFree(memory);
  }
  void copy(const Device& device, void* to, const void* from, std::size_t bytes, bool to_host,
            bool from_host, void* stream) const override {
    if (bytes == 0) return;
    select(device);
    const cudaMemcpyKind kind = to_host     ? cudaMemcpyDeviceToHost
                                : from_host ? cudaMemcpyHostToDevice
                                            : cudaMemcpyDeviceToDevice;
    check(cudaMemcpyAsync(to, from, bytes, kind, static_cast<cudaStream_t>(stream)),
          "cudaMemcpyAsync", device);
  }
  void fill_zero(const Device& device, void* memory, std::size_t bytes,
                 void* stream) const override {
    if (bytes == 0) return;
    select(device);
    check(cudaMemsetAsync(memory, 0, bytes, static_cast<cudaStream_t>(stream)), "cudaMemsetAsync",
          device);
    if (!stream) check(cudaStreamSynchronize(nullptr), "cudaStreamSynchronize", device);
  }
  void* create_stream(const Device& device) const override {
    select(device);
    cudaStream_t s = nullptr;
    check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate", device);
    return s;
  }
  void destroy_stream(const Device& device, void* stream) const noexcept override {
    cudaSetDevice(device.index);
    cudaStreamDestroy(static_cast<cudaStream_t>(stream));
  }
  void synchronize(const Device& device, void* stream) const override {
    select(device);
    check(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), "cudaStreamSynchronize",
          device);
  }
  void synchronize_device(const Device& device) const override {
    select(device);
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize", device);
  }
  void* create_event(const Device& device) const override {
    select(device);
    cudaEvent_t e = nullptr;
    check(cudaEventCreateWithFlags(&e, cudaEventDisableTiming), "cudaEventCreate", device);
    return e;
  }
  void destroy_event(const Device& device, void* event) const noexcept override {
    cudaSetDevice(device.index);
    cudaEventDestroy(static_cast<cudaEvent_t>(event));
  }
  void record_event(const Device& device, void* event, void* stream) const override {
    check(cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(stream)),
          "cudaEventRecord", device);
  }
  void wait_event(const Device& device, void* stream, void* event) const override {
    check(
        cudaStreamWaitEvent(static_cast<cudaStream_t>(stream), static_cast<cudaEvent_t>(event), 0),
        "cudaStreamWaitEvent", device);
  }
};

const CudaBackend backend;

template <typename T>
class CudaVectorOps final : public FunctorOps<T, CudaVectorOps<T>> {
 public:
  explicit CudaVectorOps(const Stream& stream)
      : device_(stream.device()), stream_(stream.handle()) {}
  // On a raw stream of `device` (nullptr: its legacy default stream).
  CudaVectorOps(Device device, void* stream) : device_(device), stream_(stream) {}
  Device device() const override { return device_; }

  void copy(std::size_t n, const T* from, T* to) const override {
    if (n && from != to)
      check(cudaMemcpyAsync(to, from, n * sizeof(T), cudaMemcpyDeviceToDevice, stream()),
            "cudaMemcpyAsync", device_);
  }
  template <class F>
  void run(std::size_t n, const F& f) const {
    check(each(n, f, stream_), "kernel launch", device_);
  }
  void mix_pass(std::size_t n, const kernels::Mix<T>& f) const { run(n, f); }
  void segment_squares(const T* x, std::span<const Segment> segments, double* out) const override {
    if (segments.empty()) return;
    const auto [segs, sums] = upload(segments, 1);
    check(cuda::segment_squares(x, segs, count(segments), sums, stream_), "segment_squares",
          device_);
    check(cudaMemcpyAsync(out, sums, segments.size() * sizeof(double), cudaMemcpyDeviceToHost,
                          stream()),
          "cudaMemcpyAsync", device_);
    check(cudaStreamSynchronize(stream()), "cudaStreamSynchronize", device_);
  }
  void lars(std::span<const Segment> segments, T m, double wd, double eta, const T* x, T* g,
            T* v) const override {
    if (segments.empty()) return;
    const auto [segs, sums] = squares_of_both(segments, x, g);
    check(lars_segments(segs, count(segments), sums, eta, wd, m, x, g, v, stream_), "lars",
          device_);
  }
  void lamb(std::span<const Segment> segments, std::int64_t t, double b1, double b2, double eps,
            T wd, const T* x, T* g, T* m, T* v, T* r) const override {
    if (segments.empty()) return;
    this->lamb_moments(segments, t, b1, b2, eps, wd, x, g, m, v, r);
    const auto [segs, sums] = squares_of_both(segments, x, r);
    check(lamb_segments(segs, count(segments), sums, r, g, stream_), "lamb", device_);
  }

 private:
  cudaStream_t stream() const { return static_cast<cudaStream_t>(stream_); }
  // The segment table on the device, the sums of squares of a per segment, then of b (the
  // factors of lars and lamb), all computed on the device.
  std::pair<const Segment*, double*> squares_of_both(std::span<const Segment> segments, const T* a,
                                                     const T* b) const {
    const auto [segs, sums] = upload(segments, 2);
    const int c = count(segments);
    check(cuda::segment_squares(a, segs, c, sums, stream_), "segment_squares", device_);
    check(cuda::segment_squares(b, segs, c, sums + c, stream_), "segment_squares", device_);
    return {segs, sums};
  }
  static int count(std::span<const Segment> segments) {
    if (segments.size() > 65535)
      throw InvalidArgument(
          fmt::format("{} segments: the CUDA ops take at most 65535", segments.size()));
    return static_cast<int>(segments.size());
  }
  // The segment table on the device (uploaded when it changes) and room for `sums_per_segment`
  // doubles per segment after it.
  std::pair<const Segment*, double*> upload(std::span<const Segment> segments,
                                            int sums_per_segment) const {
    const std::size_t table = segments.size() * sizeof(Segment);
    const std::size_t bytes = table + segments.size() * sizeof(double) * sums_per_segment;
    if (bytes > scratch_.bytes()) scratch_.ensure(device_, bytes);  // grows, never shrinks
    auto* base = static_cast<char*>(scratch_.data());
    const bool same = uploaded_.size() == segments.size() &&
                      std::equal(segments.begin(), segments.end(), uploaded_.begin(),
                                 [](const Segment& a, const Segment& b) {
                                   return a.offset == b.offset && a.size == b.size;
                                 });
    if (!same || uploaded_base_ != base) {
      check(cudaMemcpyAsync(base, segments.data(), table, cudaMemcpyHostToDevice, stream()),
            "cudaMemcpyAsync", device_);
      check(cudaStreamSynchronize(stream()), "cudaStreamSynchronize", device_);  // host table
      uploaded_.assign(segments.begin(), segments.end());
      uploaded_base_ = base;
    }
    return {reinterpret_cast<const Segment*>(base), reinterpret_cast<double*>(base + table)};
  }

  Device device_;
  void* stream_;
  mutable DeviceMemory scratch_;  // the segment tables and their sums
  mutable std::vector<Segment> uploaded_;
  mutable const char* uploaded_base_ = nullptr;
};

// One default-stream ops object per device and type, made on first use and kept.
template <typename T>
const VectorOps<T>& default_stream_ops(const Device& device) {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<CudaVectorOps<T>>> ops;
  const std::lock_guard lock(mutex);
  const auto i = static_cast<std::size_t>(device.index);
  if (ops.size() <= i) ops.resize(i + 1);
  if (!ops[i]) ops[i] = std::make_unique<CudaVectorOps<T>>(device, nullptr);
  return *ops[i];
}

}  // namespace

int device_count() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

void use_cuda_devices() {
  int n = 0;
  const cudaError_t status = cudaGetDeviceCount(&n);
  if (status != cudaSuccess || n == 0)
    throw NotSupported(fmt::format("no usable CUDA device: {}", status != cudaSuccess
                                                                    ? cudaGetErrorString(status)
                                                                    : "the driver lists none"));
  register_device_backend(DeviceKind::cuda, &backend);
  register_vector_ops(DeviceKind::cuda, {&default_stream_ops<float>, &default_stream_ops<double>});
}

template <typename T>
std::unique_ptr<VectorOps<T>> make_vector_ops(const Stream& stream) {
  if (stream.device().is_cpu())
    throw InvalidArgument("cuda::make_vector_ops: the stream is on the CPU");
  return std::make_unique<CudaVectorOps<T>>(stream);
}
template <typename T>
std::unique_ptr<VectorOps<T>> make_vector_ops(const Device& device, void* stream) {
  if (device.is_cpu()) throw InvalidArgument("cuda::make_vector_ops: the device is the CPU");
  return std::make_unique<CudaVectorOps<T>>(device, stream);
}
template std::unique_ptr<VectorOps<float>> make_vector_ops<float>(const Stream&);
template std::unique_ptr<VectorOps<double>> make_vector_ops<double>(const Stream&);
template std::unique_ptr<VectorOps<float>> make_vector_ops<float>(const Device&, void*);
template std::unique_ptr<VectorOps<double>> make_vector_ops<double>(const Device&, void*);

}  // namespace decent::cuda
