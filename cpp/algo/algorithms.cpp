// The algorithms of docs/algorithms.md. Notation in comments: x = this node's parameters, g = its
// gradient, W = the mixing matrix of the step (one neighbour average), gamma = lr.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "algo/algorithm.hpp"
#include "algo/extra_algorithms.hpp"
#include "core/device_buffer.hpp"
#include "core/error.hpp"
#include "core/parse.hpp"
#include "topology/spectral.hpp"

namespace decent::algo {
namespace {

// Every buffer an algorithm keeps lives on its ops' device; Buf is that buffer.
template <typename T>
using Buf = DeviceBuffer<T>;

// psgd: x <- x - gamma * (1/n) sum_i g_i (all-reduce of the gradients).
template <typename T>
class ParallelSgd final : public Algorithm<T> {
 public:
  ParallelSgd(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops), g_(d, ops.device()) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology&, std::int64_t) override {
    gradient(x, g_.span());
    this->all_average(g_.span(), comm);
    this->ops_.axpy(x.size(), static_cast<T>(-this->options_.lr), g_.data(), x.data());
  }

 private:
  Buf<T> g_;
};

// dsgd. ATC: x <- W (x - gamma g). AWC: x <- W x - gamma g, with the exchange of x started
// before the gradient at x is computed and finished after.
template <typename T>
class DecentralizedSgd final : public Algorithm<T> {
 public:
  DecentralizedSgd(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops), g_(d, ops.device()) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    if (this->options_.awc) {
      this->start_gossip(x, comm, t, k);
      gradient(x, g_.span());  // reads x while it travels
      comm.finish_neighbor_average();
      this->ops_.axpy(x.size(), static_cast<T>(-this->options_.lr), g_.data(), x.data());
    } else {
      gradient(x, g_.span());
      this->ops_.axpy(x.size(), static_cast<T>(-this->options_.lr), g_.data(), x.data());
      this->gossip(x, comm, t, k);
    }
  }

 private:
  Buf<T> g_;
};

// dmsgd: m <- beta m + g; x <- W (x - gamma m).
template <typename T>
class DecentralizedMomentumSgd final : public Algorithm<T> {
 public:
  DecentralizedMomentumSgd(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops), g_(d, ops.device()), m_(d, ops.device()) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    gradient(x, g_.span());
    this->ops_.momentum(x.size(), static_cast<T>(this->options_.momentum), g_.data(), m_.data());
    this->ops_.axpy(x.size(), static_cast<T>(-this->options_.lr), m_.data(), x.data());
    this->gossip(x, comm, t, k);
  }
  std::vector<std::vector<T>> state() const override { return {m_.to_host()}; }
  void set_state(const std::vector<std::vector<T>>& s) override { this->restore(s, {&m_}); }

 private:
  Buf<T> g_, m_;
};

// decentlam: gt = (x - W(x - gamma g)) / gamma; m <- beta m + gt; x <- x - gamma m.
// At beta = 0 this is ATC D-SGD.
template <typename T>
class DecentLam final : public Algorithm<T> {
 public:
  DecentLam(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops),
        g_(d, ops.device()),
        y_(d, ops.device()),
        m_(d, ops.device()) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    if (!checked_) check_stable(t, this->options_.momentum), checked_ = true;
    const double lr = this->options_.lr;
    gradient(x, g_.span());
    this->ops_.sub_scaled(x.size(), x.data(), static_cast<T>(lr), g_.data(), y_.data());
    this->gossip(y_.span(), comm, t, k);
    this->ops_.decentlam_momentum(x.size(), static_cast<T>(this->options_.momentum),
                                  static_cast<T>(lr), x.data(), y_.data(), m_.data());
    this->ops_.axpy(x.size(), static_cast<T>(-lr), m_.data(), x.data());
  }
  std::vector<std::vector<T>> state() const override { return {m_.to_host()}; }
  void set_state(const std::vector<std::vector<T>>& s) override { this->restore(s, {&m_}); }
  void check_topology(const topology::Topology& t) const override {
    check_stable(t, this->options_.momentum);
  }

 private:
  // With g = 0 the update is x <- W x + beta (x - x_prev): the momentum acts on the gossip too.
  // On a symmetric W that contracts the disagreement for every beta < 1; on directed and
  // time-varying graphs it can grow it, by a factor that no step size changes (exp, n = 32,
  // beta = 0.9: 1.24 per step). Refuse those instead of diverging.
  static void check_stable(const topology::Topology& t, double beta) {
    if (!t.time_varying() && t.symmetric()) return;
    if (t.nodes() > topology::kMaxMomentumCheckNodes) return;  // too large to check densely
    const double growth = cached_growth(t, beta);
    if (growth >= 1 - 1e-9)
      throw InvalidArgument(fmt::format(
          "decentlam with momentum {} diverges on \"{}\": its momentum also acts on the gossip "
          "(x <- W x + beta (x - x_prev)), which grows the nodes' disagreement by {:.4f} per step "
          "on this {} graph, whatever the step size; use a symmetric topology (ring, torus, "
          "sym-exp, hypercube, ...), a smaller momentum, or dmsgd",
          beta, t.name(), growth, t.time_varying() ? "time-varying" : "directed"));
  }
  // In-process nodes share one computation per (topology, beta) instead of one each.
  static double cached_growth(const topology::Topology& t, double beta) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, double>, double> cache;
    const std::lock_guard lock(mutex);
    const auto key = std::make_pair(t.name(), beta);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, topology::momentum_gossip_radius(t, beta)).first;
    return it->second;
  }
  Buf<T> g_, y_, m_;
  bool checked_ = false;
};

// gradient_tracking, y^0 = g(x^0). ATC: x <- W(x - gamma y); y <- W(y + g(x_new) - g_prev).
// AWC: x <- W x - gamma y; y <- W y + g(x_new) - g_prev. Two exchanges per step.
template <typename T>
class GradientTracking final : public Algorithm<T> {
 public:
  GradientTracking(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops),
        y_(d, ops.device()),
        g_prev_(d, ops.device()),
        g_(d, ops.device()) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    const double lr = this->options_.lr;
    if (!started_) {
      gradient(x, g_prev_.span());
      y_.copy_from(g_prev_);
      started_ = true;
    }
    if (this->options_.awc) {
      this->gossip(x, comm, t, k);
      this->ops_.axpy(x.size(), static_cast<T>(-lr), y_.data(), x.data());
      this->gossip(y_.span(), comm, t, k);
    } else {
      this->ops_.axpy(x.size(), static_cast<T>(-lr), y_.data(), x.data());
      this->gossip(x, comm, t, k);
    }
    gradient(x, g_.span());
    this->ops_.add_difference(x.size(), g_.data(), g_prev_.data(), y_.data());
    if (!this->options_.awc) this->gossip(y_.span(), comm, t, k);
    g_.swap(g_prev_);
  }
  std::vector<std::vector<T>> state() const override {
    return {y_.to_host(), g_prev_.to_host(), {static_cast<T>(started_)}};
  }
  void set_state(const std::vector<std::vector<T>>& s) override {
    std::vector<T> flag(1);
    this->restore(s, {&y_, &g_prev_}, {&flag});
    started_ = flag[0] != T{0};
  }

 private:
  Buf<T> y_, g_prev_, g_;
  bool started_ = false;
};

// exact_diffusion with Wb = (I + W)/2: psi <- x - gamma g; phi <- psi + x - psi_prev;
// x <- Wb phi; psi^0 = x^0.
template <typename T>
class ExactDiffusion final : public Algorithm<T> {
 public:
  ExactDiffusion(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops),
        g_(d, ops.device()),
        psi_(d, ops.device()),
        psi_prev_(d, ops.device()),
        phi_(d, ops.device()) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    const auto& ops = this->ops_;
    if (!started_) ops.copy(x.size(), x.data(), psi_prev_.data()), started_ = true;
    gradient(x, g_.span());
    ops.exact_diffusion_adapt(x.size(), static_cast<T>(this->options_.lr), g_.data(),
                              psi_prev_.data(), x.data(), psi_.data(), phi_.data());
    this->gossip(x, comm, t, k);  // x = W phi
    ops.half_sum(x.size(), phi_.data(), x.data());
    psi_.swap(psi_prev_);
  }
  std::vector<std::vector<T>> state() const override {
    return {psi_prev_.to_host(), {static_cast<T>(started_)}};
  }
  void set_state(const std::vector<std::vector<T>>& s) override {
    std::vector<T> flag(1);
    this->restore(s, {&psi_prev_}, {&flag});
    started_ = flag[0] != T{0};
  }

 private:
  Buf<T> g_, psi_, psi_prev_, phi_;
  bool started_ = false;
};

// d2: x^1 = W(x^0 - gamma g^0); x^(k+1) = W(2x^k - x^(k-1) - gamma g^k + gamma g^(k-1)).
// Needs a static symmetric W with lambda_min(W) > -1/3 (checked at the first step).
template <typename T>
class D2 final : public Algorithm<T> {
 public:
  D2(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops),
        g_(d, ops.device()),
        g_prev_(d, ops.device()),
        x_prev_(d, ops.device()),
        y_(d, ops.device()) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    if (!checked_) check(t), checked_ = true;
    const auto& ops = this->ops_;
    gradient(x, g_.span());
    const T lr = static_cast<T>(this->options_.lr);
    if (started_)
      ops.d2_combine(x.size(), lr, x.data(), x_prev_.data(), g_.data(), g_prev_.data(), y_.data());
    else
      ops.sub_scaled(x.size(), x.data(), lr, g_.data(), y_.data());
    ops.copy(x.size(), x.data(), x_prev_.data());
    g_.swap(g_prev_);
    ops.copy(x.size(), y_.data(), x.data());
    this->gossip(x, comm, t, k);
    started_ = true;
  }
  std::vector<std::vector<T>> state() const override {
    return {g_prev_.to_host(), x_prev_.to_host(), {static_cast<T>(started_)}};
  }
  void set_state(const std::vector<std::vector<T>>& s) override {
    std::vector<T> flag(1);
    this->restore(s, {&g_prev_, &x_prev_}, {&flag});
    started_ = flag[0] != T{0};
  }
  void check_topology(const topology::Topology& t) const override { check(t); }

 private:
  static void check(const topology::Topology& t) {
    if (t.time_varying() || !t.symmetric())
      throw InvalidArgument(fmt::format("d2 needs a static symmetric W; \"{}\" is {}", t.name(),
                                        t.time_varying() ? "time-varying" : "not symmetric"));
    const double lambda_min = topology::min_eigenvalue(t);
    if (lambda_min <= -1.0 / 3 + 1e-12)
      throw InvalidArgument(fmt::format(
          "d2 needs lambda_min(W) > -1/3 to converge; \"{}\" has {:.6g}; use exact_diffusion "
          "(which uses (I+W)/2) or another topology",
          t.name(), lambda_min));
  }
  Buf<T> g_, g_prev_, x_prev_, y_;
  bool started_ = false, checked_ = false;
};

// pga: ATC D-SGD, but every H-th step ((k+1) mod H == 0) the averaging is the exact global mean.
// local_sgd: x <- x - gamma g; every H-th step x <- the global mean.
template <typename T>
class PeriodicAveraging final : public Algorithm<T> {
 public:
  PeriodicAveraging(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops, bool gossip)
      : Algorithm<T>(std::move(o), ops), g_(d, ops.device()), gossip_(gossip) {}
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    gradient(x, g_.span());
    this->ops_.axpy(x.size(), static_cast<T>(-this->options_.lr), g_.data(), x.data());
    if ((k + 1) % this->options_.period == 0)
      this->average_parameters_globally(x, comm);
    else if (gossip_)
      this->gossip(x, comm, t, k);
  }

 private:
  Buf<T> g_;
  bool gossip_;
};

// aga (Gossip-AGA): pga whose period follows the training loss. The first `warmup` steps
// (default: one period) run at the initial period H0, and the mean loss over them and over all
// nodes is F_init. After every later global average, with F the mean loss since the previous
// one, H <- max(1, ceil(sqrt(F_init / F) * H0)): averaging is frequent while the loss (and with
// it the nodes' disagreement) is high and thins out as the loss falls. The loss comes from the
// gradient oracle; the two sums travel in one 2-value all-reduce per global average.
template <typename T>
class AdaptivePeriodicAveraging final : public Algorithm<T> {
 public:
  AdaptivePeriodicAveraging(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops),
        g_(d, ops.device()),
        period_(this->options_.period),
        warmup_(this->options_.warmup > 0 ? this->options_.warmup : this->options_.period) {}
  bool needs_loss() const override { return true; }
  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    const double loss = gradient(x, g_.span());
    if (!std::isfinite(loss))
      throw InvalidArgument(fmt::format(
          "aga adapts its period to the training loss, but the gradient oracle returned {} at "
          "step {}",
          loss, k));
    loss_sum_ += loss;
    loss_count_ += 1;
    this->ops_.axpy(x.size(), static_cast<T>(-this->options_.lr), g_.data(), x.data());
    const std::int64_t done = k + 1;
    if (done - last_average_ >= period_) {
      this->average_parameters_globally(x, comm);
      last_average_ = done;
      if (done > warmup_) adapt(take_mean_loss(comm));
    } else {
      this->gossip(x, comm, t, k);
    }
    if (done == warmup_) f_init_ = take_mean_loss(comm);
  }
  // Five doubles stored bit for bit in T elements, so that a resumed run is exact in float too.
  std::vector<std::vector<T>> state() const override {
    const double v[5] = {static_cast<double>(period_), static_cast<double>(last_average_), f_init_,
                         loss_sum_, loss_count_};
    std::vector<T> packed(kPackedSize);
    std::memcpy(packed.data(), v, sizeof v);
    return {packed};
  }
  void set_state(const std::vector<std::vector<T>>& s) override {
    double v[5];
    std::vector<T> packed(kPackedSize);
    this->restore(s, {}, {&packed});
    std::memcpy(v, packed.data(), sizeof v);
    if (!(v[0] >= 1 && v[1] >= 0 && v[4] >= 0))
      throw InvalidArgument(
          fmt::format("aga state: period {}, last average {}, loss count {}: "
                      "not a state aga wrote",
                      v[0], v[1], v[4]));
    period_ = static_cast<std::int64_t>(v[0]);
    last_average_ = static_cast<std::int64_t>(v[1]);
    f_init_ = v[2], loss_sum_ = v[3], loss_count_ = v[4];
  }

 private:
  // The mean loss over all nodes since the last call (one 2-value all-reduce).
  double take_mean_loss(comm::Communicator& comm) {
    double sums[2] = {loss_sum_, loss_count_};
    comm.allreduce(sums, 2, comm::ReduceOp::sum);
    const auto n = static_cast<std::uint64_t>(comm.size());
    this->count_sent(2 * (n - 1) * sizeof sums / n);
    loss_sum_ = loss_count_ = 0;
    return sums[0] / sums[1];
  }
  void adapt(double mean_loss) {
    period_ = aga_next_period(this->options_.period, f_init_, mean_loss, period_);
  }
  static constexpr std::size_t kPackedSize = 5 * sizeof(double) / sizeof(T);
  Buf<T> g_;
  std::int64_t period_, warmup_, last_average_ = 0;
  double f_init_ = 0, loss_sum_ = 0, loss_count_ = 0;
};

}  // namespace

std::int64_t aga_next_period(std::int64_t initial_period, double initial_loss, double loss,
                             std::int64_t current) {
  if (!(initial_loss > 0 && loss > 0)) return current;
  const double h =
      std::ceil(std::sqrt(initial_loss / loss) * static_cast<double>(initial_period) - 1e-9);
  return static_cast<std::int64_t>(std::clamp(h, 1.0, 1e9));
}

template <typename T>
void Algorithm<T>::restore(const std::vector<std::vector<T>>& state,
                           std::vector<DeviceBuffer<T>*> buffers,
                           std::vector<std::vector<T>*> host) {
  const std::size_t expected = buffers.size() + host.size();
  if (state.size() != expected)
    throw InvalidArgument(
        fmt::format("{} state: {} arrays; expected {}", options_.name, state.size(), expected));
  for (std::size_t i = 0; i < state.size(); ++i) {
    const std::size_t size =
        i < buffers.size() ? buffers[i]->size() : host[i - buffers.size()]->size();
    if (state[i].size() != size)
      throw InvalidArgument(fmt::format("{} state: array {} holds {} values; expected {}",
                                        options_.name, i, state[i].size(), size));
  }
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i]->from_host(state[i]);
  for (std::size_t i = 0; i < host.size(); ++i) *host[i] = state[buffers.size() + i];
}
template <typename T>
void Algorithm<T>::average_parameters_globally(std::span<T> x, comm::Communicator& comm) {
  all_average(x, comm);
  ++global_averages_;
}

template <typename T>
void Algorithm<T>::gossip(std::span<T> x, comm::Communicator& comm, const topology::Topology& t,
                          std::int64_t k) {
  start_gossip(x, comm, t, k);
  comm.finish_neighbor_average();
}

template <typename T>
void Algorithm<T>::start_gossip(std::span<T> x, comm::Communicator& comm,
                                const topology::Topology& t, std::int64_t k) {
  comm.start_neighbor_average(x.data(), x.size(), t, k, ops_.device());
  count_sent(x.size_bytes() * t.at(k).out_neighbors(comm.rank()).size());
}

template <typename T>
void Algorithm<T>::all_average(std::span<T> x, comm::Communicator& comm) {
  comm.allreduce(x.data(), x.size(), comm::ReduceOp::average, ops_.device());
  const auto n = static_cast<std::uint64_t>(comm.size());
  count_sent(2 * (n - 1) * x.size_bytes() / n);
}

template <typename T>
void Algorithm<T>::start_messages(const std::vector<unsigned char>& message,
                                  comm::Communicator& comm, const topology::Topology& t,
                                  std::int64_t k) {
  comm.start_message_exchange(message.data(), message.size(), t, k);
  count_sent(message.size() * t.at(k).out_neighbors(comm.rank()).size());
}
template class Algorithm<float>;
template class Algorithm<double>;

bool has_own_momentum(const std::string& name) {
  return name == "dmsgd" || name == "decentlam";
}

const std::vector<std::string>& algorithm_names() {
  static const std::vector<std::string> names = {"psgd",
                                                 "dsgd",
                                                 "dmsgd",
                                                 "decentlam",
                                                 "gradient_tracking",
                                                 "exact_diffusion",
                                                 "d2",
                                                 "pga",
                                                 "aga",
                                                 "local_sgd",
                                                 "choco",
                                                 "sgp",
                                                 "diloco"};
  return names;
}

template <typename T>
std::unique_ptr<Algorithm<T>> make_algorithm(const AlgorithmOptions& o, std::size_t d,
                                             const VectorOps<T>& ops) {
  if (!(o.lr > 0) || !std::isfinite(o.lr))
    throw InvalidArgument(fmt::format("learning rate {}: expected a positive number", o.lr));
  if (!(o.momentum >= 0 && o.momentum < 1))
    throw InvalidArgument(fmt::format("momentum {}: expected 0 <= momentum < 1", o.momentum));
  if (o.period < 1) throw InvalidArgument(fmt::format("period {}: expected at least 1", o.period));
  if (o.warmup < 0) throw InvalidArgument(fmt::format("warm-up {}: expected >= 0", o.warmup));
  if (o.name == "psgd") return std::make_unique<ParallelSgd<T>>(o, d, ops);
  if (o.name == "dsgd") return std::make_unique<DecentralizedSgd<T>>(o, d, ops);
  if (o.name == "dmsgd") return std::make_unique<DecentralizedMomentumSgd<T>>(o, d, ops);
  if (o.name == "decentlam") return std::make_unique<DecentLam<T>>(o, d, ops);
  if (o.name == "gradient_tracking") return std::make_unique<GradientTracking<T>>(o, d, ops);
  if (o.name == "exact_diffusion") return std::make_unique<ExactDiffusion<T>>(o, d, ops);
  if (o.name == "d2") return std::make_unique<D2<T>>(o, d, ops);
  if (o.name == "pga") return std::make_unique<PeriodicAveraging<T>>(o, d, ops, true);
  if (o.name == "local_sgd") return std::make_unique<PeriodicAveraging<T>>(o, d, ops, false);
  if (o.name == "aga") return std::make_unique<AdaptivePeriodicAveraging<T>>(o, d, ops);
  if (o.name == "choco") return make_choco<T>(o, d, ops);
  if (o.name == "sgp") return make_push_sum<T>(o, d, ops);
  if (o.name == "diloco") return make_outer_nesterov<T>(o, d, ops);
  throw InvalidArgument(fmt::format("algorithm \"{}\": unknown; expected one of {}", o.name,
                                    join(algorithm_names())));
}

template std::unique_ptr<Algorithm<float>> make_algorithm<float>(const AlgorithmOptions&,
                                                                 std::size_t,
                                                                 const VectorOps<float>&);
template std::unique_ptr<Algorithm<double>> make_algorithm<double>(const AlgorithmOptions&,
                                                                   std::size_t,
                                                                   const VectorOps<double>&);

}  // namespace decent::algo
