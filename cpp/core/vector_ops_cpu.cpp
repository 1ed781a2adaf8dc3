// VectorOps on the CPU: plain loops over the functors of kernels/vector_ops_body.hpp, in index
// order, so that results are those of the loops the algorithms and optimizers had before.
#include <algorithm>
#include <mutex>
#include <type_traits>

#include "core/error.hpp"
#include "core/functor_ops.hpp"
#include "core/vector_ops.hpp"

namespace decent {
namespace {

template <typename F>
void each(std::size_t n, const F& f) {
  for (std::size_t i = 0; i < n; ++i) f(i);
}

// Runs f(i) for the indices of segment s (f holds pointers to the whole buffer).
template <typename F>
void each_in(const Segment& s, const F& f) {
  const auto end = static_cast<std::size_t>(s.offset + s.size);
  for (auto i = static_cast<std::size_t>(s.offset); i < end; ++i) f(i);
}

template <typename T>
double squares(const T* x, const Segment& s) {
  double sum = 0;
  each_in(s, [&](std::size_t i) { sum += kernels::square(x[i]); });
  return sum;
}

template <typename T>
class CpuVectorOps final : public FunctorOps<T, CpuVectorOps<T>> {
 public:
  Device device() const override { return {}; }
  void copy(std::size_t n, const T* from, T* to) const override {
    if (n && from != to) std::copy(from, from + n, to);
  }
  template <class F>
  void run(std::size_t n, const F& f) const {
    each(n, f);
  }
  // In blocks of 8 KiB per stream, which stay in L1 while every peer is added.
  void mix_pass(std::size_t n, const kernels::Mix<T>& pass) const {
    // A local copy: the compiler then knows that the stores to x cannot change the pointers and
    // weights, and may keep them in registers (through a reference it must reload them).
    const kernels::Mix<T> f = pass;
    constexpr std::size_t kBlock = 8192 / sizeof(T);
    for (std::size_t begin = 0; begin < n; begin += kBlock) {
      const std::size_t end = std::min(n, begin + kBlock);
      for (std::size_t i = begin; i < end; ++i) f.scale_self(i);
      for (int k = 0; k < f.peers; ++k)
        for (std::size_t i = begin; i < end; ++i) f.add_peer(k, i);
    }
  }
  void segment_squares(const T* x, std::span<const Segment> segments, double* out) const override {
    for (std::size_t s = 0; s < segments.size(); ++s) out[s] = squares(x, segments[s]);
  }
  void lars(std::span<const Segment> segments, T m, double wd, double eta, const T* x, T* g,
            T* v) const override {
    for (const auto& s : segments) {
      const float local = kernels::lars_local(eta, wd, squares(x, s), squares<T>(g, s));
      each_in(s, kernels::LarsUpdate<T>{m, static_cast<T>(wd), static_cast<T>(local), x, g, v});
    }
  }
  void lamb(std::span<const Segment> segments, std::int64_t t, double b1, double b2, double eps,
            T wd, const T* x, T* g, T* m, T* v, T* r) const override {
    this->lamb_moments(segments, t, b1, b2, eps, wd, x, g, m, v, r);
    for (const auto& s : segments) {
      const float ratio = kernels::lamb_ratio(squares(x, s), squares<T>(r, s));
      each_in(s, kernels::Scale<T>{static_cast<T>(ratio), r, g});
    }
  }
};

}  // namespace

template <typename T>
const VectorOps<T>& cpu_vector_ops() {
  static const CpuVectorOps<T> ops;
  return ops;
}
template const VectorOps<float>& cpu_vector_ops<float>();
template const VectorOps<double>& cpu_vector_ops<double>();

namespace {
std::mutex registered_mutex;
DeviceVectorOps registered_cuda{nullptr, nullptr};
}  // namespace

void register_vector_ops(DeviceKind kind, DeviceVectorOps ops) {
  if (kind == DeviceKind::cpu) throw InvalidArgument("the CPU's vector ops are built in");
  const std::lock_guard lock(registered_mutex);
  registered_cuda = ops;
}

template <typename T>
const VectorOps<T>& vector_ops_for(const Device& device) {
  if (device.is_cpu()) return cpu_vector_ops<T>();
  DeviceVectorOps ops;
  {
    const std::lock_guard lock(registered_mutex);
    ops = registered_cuda;
  }
  if constexpr (std::is_same_v<T, float>) {
    if (ops.f32) return ops.f32(device);
  } else {
    if (ops.f64) return ops.f64(device);
  }
  throw NotSupported("vector ops for " + to_string(device) +
                     ": this program has no CUDA backend (link decent_gpu and call "
                     "cuda::use_cuda_devices())");
}
template const VectorOps<float>& vector_ops_for<float>(const Device&);
template const VectorOps<double>& vector_ops_for<double>(const Device&);

}  // namespace decent
