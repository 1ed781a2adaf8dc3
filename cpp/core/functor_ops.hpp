// The part of a VectorOps implementation that is the same on every device: each element-wise
// operation is one functor of kernels/vector_ops_body.hpp handed to the device's run(n, f), the
// mixing is cut into passes of at most kernels::kMaxMixPeers peers, and LAMB's moments are one
// functor over the tiled range. A device implementation (vector_ops_cpu.cpp,
// kernels/cuda/cuda_device.cpp) derives from FunctorOps<T, Itself> and supplies
//   template <class F> void run(std::size_t n, const F& f) const;   // f(i), i in [0, n)
//   void mix_pass(std::size_t n, const kernels::Mix<T>& f) const;     // one pass of the mixing
// plus device(), copy(), segment_squares(), lars() and lamb() (which calls lamb_moments first).
#pragma once

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/vector_ops.hpp"

namespace decent {

template <typename T, class Impl>
class FunctorOps : public VectorOps<T> {
 public:
  void axpy(std::size_t n, T a, const T* x, T* y) const override {
    run(n, kernels::Axpy<T>{a, x, y});
  }
  void divide(std::size_t n, T d, T* y) const override { run(n, kernels::Divide<T>{d, y}); }
  void sub_scaled(std::size_t n, const T* x, T a, const T* g, T* out) const override {
    run(n, kernels::SubScaled<T>{x, a, g, out});
  }
  void momentum(std::size_t n, T beta, const T* g, T* m) const override {
    run(n, kernels::Momentum<T>{beta, g, m});
  }
  void add_difference(std::size_t n, const T* a, const T* b, T* y) const override {
    run(n, kernels::AddDifference<T>{a, b, y});
  }
  void decentlam_momentum(std::size_t n, T beta, T lr, const T* x, const T* y,
                          T* m) const override {
    run(n, kernels::DecentLamMomentum<T>{beta, lr, x, y, m});
  }
  void exact_diffusion_adapt(std::size_t n, T lr, const T* g, const T* psi_prev, T* x, T* psi,
                             T* phi) const override {
    run(n, kernels::ExactDiffusionAdapt<T>{lr, g, psi_prev, x, psi, phi});
  }
  void half_sum(std::size_t n, const T* phi, T* x) const override {
    run(n, kernels::HalfSum<T>{phi, x});
  }
  void d2_combine(std::size_t n, T lr, const T* x, const T* x_prev, const T* g, const T* g_prev,
                  T* y) const override {
    run(n, kernels::D2Combine<T>{lr, x, x_prev, g, g_prev, y});
  }
  void sgd(std::size_t n, T m, T wd, bool nesterov, const T* x, T* g, T* v) const override {
    run(n, kernels::Sgd<T>{m, wd, nesterov, x, g, v});
  }
  void mix(std::size_t n, T* x, T self, std::span<const T* const> peers,
           std::span<const double> weights) const override {
    if (peers.size() != weights.size())
      throw InvalidArgument("mix: as many weights as peers are needed");
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
      impl().mix_pass(n, f);
      done += static_cast<std::size_t>(f.peers);
    } while (done < peers.size());
  }

 protected:
  // LAMB's moments, bias-corrected for step t, and r over the range the segments tile.
  void lamb_moments(std::span<const Segment> segments, std::int64_t t, double b1, double b2,
                    double eps, T wd, const T* x, const T* g, T* m, T* v, T* r) const {
    if (segments.empty()) return;
    const double c1 = 1 - std::pow(b1, static_cast<double>(t)),
                 c2 = 1 - std::pow(b2, static_cast<double>(t));
    const auto n = static_cast<std::size_t>(segments.back().offset + segments.back().size);
    run(n, kernels::LambMoments<T>{b1, b2, c1, c2, eps, wd, x, g, m, v, r});
  }

 private:
  const Impl& impl() const { return static_cast<const Impl&>(*this); }
  template <class F>
  void run(std::size_t n, const F& f) const {
    impl().run(n, f);
  }
};

}  // namespace decent
