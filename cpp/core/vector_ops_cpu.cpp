// VectorOps on the CPU: plain loops over the functors of kernels/vector_ops_body.hpp, in index
// order, so that results are those of the loops the algorithms and optimizers had before.
#include <algorithm>
#include <mutex>
#include <type_traits>

#include "core/error.hpp"
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
class CpuVectorOps final : public VectorOps<T> {
 public:
  Device device() const override { return {}; }
  void copy(std::size_t n, const T* from, T* to) const override {
    if (n && from != to) std::copy(from, from + n, to);
  }
  void axpy(std::size_t n, T a, const T* x, T* y) const override {
    each(n, kernels::Axpy<T>{a, x, y});
  }
  void divide(std::size_t n, T d, T* y) const override { each(n, kernels::Divide<T>{d, y}); }
  void sub_scaled(std::size_t n, const T* x, T a, const T* g, T* out) const override {
    each(n, kernels::SubScaled<T>{x, a, g, out});
  }
  void momentum(std::size_t n, T beta, const T* g, T* m) const override {
    each(n, kernels::Momentum<T>{beta, g, m});
  }
  void add_difference(std::size_t n, const T* a, const T* b, T* y) const override {
    each(n, kernels::AddDifference<T>{a, b, y});
  }
  void decentlam_momentum(std::size_t n, T beta, T lr, const T* x, const T* y,
                          T* m) const override {
    each(n, kernels::DecentLamMomentum<T>{beta, lr, x, y, m});
  }
  void exact_diffusion_adapt(std::size_t n, T lr, const T* g, const T* psi_prev, T* x, T* psi,
                             T* phi) const override {
    each(n, kernels::ExactDiffusionAdapt<T>{lr, g, psi_prev, x, psi, phi});
  }
  void half_sum(std::size_t n, const T* phi, T* x) const override {
    each(n, kernels::HalfSum<T>{phi, x});
  }
  void d2_combine(std::size_t n, T lr, const T* x, const T* x_prev, const T* g, const T* g_prev,
                  T* y) const override {
    each(n, kernels::D2Combine<T>{lr, x, x_prev, g, g_prev, y});
  }
  void mix(std::size_t n, T* x, T self, std::span<const T* const> peers,
           std::span<const double> weights) const override {
    if (peers.size() != weights.size())
      throw InvalidArgument("mix: as many weights as peers are needed");
    // In blocks of 8 KiB per stream, which stay in L1 while every peer is added.
    constexpr std::size_t kBlock = 8192 / sizeof(T);
    std::size_t done = 0;
    do {  // at least one pass, so that the self weight applies without peers
      kernels::Mix<T> f{};
      f.x = x;
      f.self = done == 0 ? self : T{1};
      f.peers = static_cast<int>(std::min<std::size_t>(kernels::kMaxMixPeers, peers.size() - done));
      for (int k = 0; k < f.peers; ++k) {
        f.peer[k] = peers[done + static_cast<std::size_t>(k)];
        f.weight[k] = static_cast<T>(weights[done + static_cast<std::size_t>(k)]);
      }
      for (std::size_t begin = 0; begin < n; begin += kBlock) {
        const std::size_t end = std::min(n, begin + kBlock);
        for (std::size_t i = begin; i < end; ++i) f.scale_self(i);
        for (int k = 0; k < f.peers; ++k)
          for (std::size_t i = begin; i < end; ++i) f.add_peer(k, i);
      }
      done += static_cast<std::size_t>(f.peers);
    } while (done < peers.size());
  }
  void segment_squares(const T* x, std::span<const Segment> segments, double* out) const override {
    for (std::size_t s = 0; s < segments.size(); ++s) out[s] = squares(x, segments[s]);
  }
  void sgd(std::size_t n, T m, T wd, bool nesterov, const T* x, T* g, T* v) const override {
    each(n, kernels::Sgd<T>{m, wd, nesterov, x, g, v});
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
    const double c1 = 1 - std::pow(b1, static_cast<double>(t)),
                 c2 = 1 - std::pow(b2, static_cast<double>(t));
    const std::size_t n =
        segments.empty() ? 0
                         : static_cast<std::size_t>(segments.back().offset + segments.back().size);
    each(n, kernels::LambMoments<T>{b1, b2, c1, c2, eps, wd, x, g, m, v, r});
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
