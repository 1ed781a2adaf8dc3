// sgp: Stochastic Gradient Push (Assran, Loizou, Ballas, Rabbat, ICML 2019), push-sum gossip
// (Kempe, Dobra, Gehrke 2003) with gradient steps. It needs only a column-stochastic mixing: node
// j splits what it holds equally among itself and its out-neighbours of the step, p_ij =
// 1 / (1 + outdeg_j), so it works on directed and time-varying graphs whose W is not doubly
// stochastic, where plain gossip converges to a biased average. Each node keeps a numerator u
// and a weight w (one more value at the end of the same buffer, so both travel in one exchange):
//
//   u <- u - lr g(z);  (u, w) <- sum_j p_ij (u_j, w_j);  z = u / w
//
// and the parameters the caller sees (and evaluates, saves) are the de-biased z. Started from
// u = x^0, w = 1. On a regular graph p = W and w stays 1: SGP is ATC D-SGD.
#include <fmt/format.h>

#include <map>
#include <mutex>

#include "algo/extra_algorithms.hpp"
#include "core/device_buffer.hpp"
#include "core/error.hpp"
#include "topology/push_weights.hpp"

namespace decent::algo {
namespace {

template <typename T>
class PushSum final : public Algorithm<T> {
 public:
  PushSum(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops), u_(d + 1, ops.device()), g_(d, ops.device()) {
    if (!ops.device().is_cpu())
      throw NotSupported(fmt::format("sgp: its buffers cannot be on {} yet (train it on the CPU)",
                                     to_string(ops.device())));
  }

  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    const auto& ops = this->ops_;
    const std::size_t d = x.size();
    T* u = u_.data();
    if (!started_) {
      ops.copy(d, x.data(), u);
      u[d] = T{1};
      started_ = true;
    }
    gradient(x, g_.span());
    ops.axpy(d, static_cast<T>(-this->options_.lr), g_.data(), u);
    this->gossip(u_.span(), comm, push_topology(t), k);
    // z = u / w: the division by w is where the bias of an unbalanced graph is undone.
    const T w = u[d];
    ops.copy(d, u, x.data());
    ops.divide(d, w, x.data());
  }

  // The numerator and, as its last value, the push-sum weight.
  std::vector<std::vector<T>> state() const override {
    return {u_.to_host(), {static_cast<T>(started_)}};
  }
  void set_state(const std::vector<std::vector<T>>& s) override {
    std::vector<T> flag(1);
    this->restore(s, {&u_}, {&flag});
    started_ = flag[0] != T{0};
  }

 private:
  // The column-stochastic twin of `t` (same edges), made once per topology.
  const topology::Topology& push_topology(const topology::Topology& t) {
    if (!push_ || push_source_ != t.fingerprint()) {
      push_ = std::make_unique<topology::Topology>(topology::push_weights(t));
      push_source_ = t.fingerprint();
    }
    return *push_;
  }

  DeviceBuffer<T> u_, g_;
  std::unique_ptr<topology::Topology> push_;
  std::uint64_t push_source_ = 0;
  bool started_ = false;
};

}  // namespace

template <typename T>
std::unique_ptr<Algorithm<T>> make_push_sum(const AlgorithmOptions& o, std::size_t d,
                                            const VectorOps<T>& ops) {
  return std::make_unique<PushSum<T>>(o, d, ops);
}
template std::unique_ptr<Algorithm<float>> make_push_sum<float>(const AlgorithmOptions&,
                                                                std::size_t,
                                                                const VectorOps<float>&);
template std::unique_ptr<Algorithm<double>> make_push_sum<double>(const AlgorithmOptions&,
                                                                  std::size_t,
                                                                  const VectorOps<double>&);

}  // namespace decent::algo
