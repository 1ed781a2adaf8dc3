// diloco: an outer optimizer over local or gossip steps (DiLoCo, Douillard et al. 2023). Every
// node takes `period` (H) inner steps x <- x - lr g of the run's optimizer (local steps, or D-SGD
// ATC steps with inner_gossip), then averages its parameters (an all-reduce, or one neighbour
// average with outer_gossip) and takes an outer Nesterov step on the average change since the
// last outer step, Delta = anchor - mean(x):
//
//   m <- mu m + Delta;  anchor <- anchor - eta (Delta + mu m);  x <- anchor
//
// with outer learning rate eta (outer_lr) and momentum mu (outer_momentum). The new anchor is
// computed as mean(x) + (1 - eta) Delta - eta mu m, which at eta = 1 and mu = 0 is mean(x)
// itself: local SGD (and pga with inner_gossip), bit for bit.
#include <fmt/format.h>

#include <cmath>

#include "algo/extra_algorithms.hpp"
#include "core/device_buffer.hpp"
#include "core/error.hpp"

namespace decent::algo {
namespace {

template <typename T>
class OuterNesterov final : public Algorithm<T> {
 public:
  OuterNesterov(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops),
        g_(d, ops.device()),
        anchor_(d, ops.device()),
        m_(d, ops.device()),
        delta_(d, ops.device()) {
    const double eta = this->options_.outer_lr, mu = this->options_.outer_momentum;
    if (!(eta > 0 && std::isfinite(eta)))
      throw InvalidArgument(fmt::format("diloco: outer learning rate {}: expected > 0", eta));
    if (!(mu >= 0 && mu < 1))
      throw InvalidArgument(fmt::format("diloco: outer momentum {}: expected 0 <= mu < 1", mu));
  }

  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    const auto& ops = this->ops_;
    const std::size_t d = x.size();
    if (!started_) ops.copy(d, x.data(), anchor_.data()), started_ = true;
    gradient(x, g_.span());
    ops.axpy(d, static_cast<T>(-this->options_.lr), g_.data(), x.data());
    const bool outer = (k + 1) % this->options_.period == 0;
    if (!outer) {
      if (this->options_.inner_gossip) this->gossip(x, comm, t, k);
      return;
    }
    if (this->options_.outer_gossip)
      this->gossip(x, comm, t, k);
    else
      this->average_parameters_globally(x, comm);
    const double eta = this->options_.outer_lr, mu = this->options_.outer_momentum;
    if (eta != 1 || mu != 0) {
      ops.sub_scaled(d, anchor_.data(), T{1}, x.data(), delta_.data());  // Delta
      ops.momentum(d, static_cast<T>(mu), delta_.data(), m_.data());     // m = mu m + Delta
      ops.axpy(d, static_cast<T>(1 - eta), delta_.data(), x.data());
      ops.axpy(d, static_cast<T>(-eta * mu), m_.data(), x.data());
    }
    ops.copy(d, x.data(), anchor_.data());
  }

  // The anchor (the parameters after the last outer step), the outer momentum, and whether the
  // first step has run.
  std::vector<std::vector<T>> state() const override {
    return {anchor_.to_host(), m_.to_host(), {static_cast<T>(started_)}};
  }
  void set_state(const std::vector<std::vector<T>>& s) override {
    std::vector<T> flag(1);
    this->restore(s, {&anchor_, &m_}, {&flag});
    started_ = flag[0] != T{0};
  }

 private:
  DeviceBuffer<T> g_, anchor_, m_, delta_;
  bool started_ = false;
};

}  // namespace

template <typename T>
std::unique_ptr<Algorithm<T>> make_outer_nesterov(const AlgorithmOptions& o, std::size_t d,
                                                  const VectorOps<T>& ops) {
  return std::make_unique<OuterNesterov<T>>(o, d, ops);
}
template std::unique_ptr<Algorithm<float>> make_outer_nesterov<float>(const AlgorithmOptions&,
                                                                      std::size_t,
                                                                      const VectorOps<float>&);
template std::unique_ptr<Algorithm<double>> make_outer_nesterov<double>(const AlgorithmOptions&,
                                                                        std::size_t,
                                                                        const VectorOps<double>&);

}  // namespace decent::algo
