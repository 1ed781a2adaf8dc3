// choco: CHOCO-SGD (Koloskova, Stich, Jaggi, ICML 2019; for deep learning, Koloskova, Lin,
// Stich, Jaggi, ICLR 2020). Node i keeps a public copy hat_i of its parameters, which every
// neighbour also holds, and s_i = sum_j w_ij hat_j (itself included), and sends only the
// compressed change q_i = Q(x_i - hat_i); everyone adds q to their copies, so the copies agree
// exactly without ever being sent whole. With a scale a (1, or 1/tau for the unbiased qsgd):
//
//   ATC (ICML 2019):  x <- x - lr g;  q_i = Q(x - hat_i);  hat_j += a q_j;  s_i += a sum_j w_ij
//   q_j;
//                     x <- x + gamma (s_i - hat_i)
//   AWC (ICLR 2020):  q_i = Q(x - hat_i) travels while the gradient at x is computed; then
//                     hat, s as above and x <- x - lr g + gamma (s_i - hat_i)
//
// With the identity compressor and gamma = 1 these are D-SGD's ATC and AWC forms. The copies
// start exact: the first step sends x^0 once, uncompressed (s_i = W x^0), where the papers start
// at 0 and spend the first many steps sending x^0 piece by piece.
#include <fmt/format.h>

#include "algo/compressor.hpp"
#include "algo/consensus_step.hpp"
#include "algo/extra_algorithms.hpp"
#include "core/device_buffer.hpp"
#include "core/error.hpp"

namespace decent::algo {
namespace {

std::uint64_t message_seed(std::uint64_t seed, int rank, std::int64_t step) {
  std::uint64_t z = seed ^ (0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(rank) + 1)) ^
                    (0xBF58476D1CE4E5B9ull * static_cast<std::uint64_t>(step + 1));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;  // splitmix64's finaliser
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

template <typename T>
class Choco final : public Algorithm<T> {
 public:
  Choco(AlgorithmOptions o, std::size_t d, const VectorOps<T>& ops)
      : Algorithm<T>(std::move(o), ops),
        compressor_(make_compressor<T>(parse_compressor(this->options_.compressor))),
        hat_(d, ops.device()),
        s_(d, ops.device()),
        g_(d, ops.device()),
        diff_(d) {
    if (!ops.device().is_cpu())
      throw NotSupported(fmt::format(
          "choco compresses on the host; its buffers cannot be on {} yet (train it on the CPU)",
          to_string(ops.device())));
    if (!(this->options_.consensus_step >= 0 && this->options_.consensus_step <= 2))
      throw InvalidArgument(fmt::format("choco: consensus step {}: expected 0 (tuned) or (0, 2]",
                                        this->options_.consensus_step));
  }

  void check_topology(const topology::Topology& t) const override {
    if (t.time_varying())
      throw InvalidArgument(fmt::format(
          "choco: topology \"{}\" is time-varying; CHOCO keeps a public copy of each "
          "neighbour's parameters, which a changing graph does not keep up to date: use a static "
          "one (exp, ring, torus, hypercube, ...)",
          t.name()));
  }

  void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
            const topology::Topology& t, std::int64_t k) override {
    const auto& ops = this->ops_;
    const std::size_t d = x.size();
    if (!started_) {  // exact public copies: hat_i = x^0, s_i = W x^0 (one dense exchange)
      check_topology(t);
      ops.copy(d, x.data(), hat_.data());
      ops.copy(d, x.data(), s_.data());
      this->gossip(s_.span(), comm, t, k);
      started_ = true;
    }
    if (gamma_ == 0)
      gamma_ = this->options_.consensus_step > 0 ? this->options_.consensus_step
                                                 : consensus_step_for(t, compressor_->spec());
    const T lr = static_cast<T>(this->options_.lr);
    if (this->options_.awc) {
      send(x, comm, t, k);
      gradient(x, g_.span());  // while q travels
      receive(comm, t, k);
      ops.axpy(d, -lr, g_.data(), x.data());
    } else {
      gradient(x, g_.span());
      ops.axpy(d, -lr, g_.data(), x.data());
      send(x, comm, t, k);
      receive(comm, t, k);
    }
    // x += gamma (s - hat), through diff_ (which the message no longer needs)
    ops.sub_scaled(d, s_.data(), T{1}, hat_.data(), diff_.data());
    ops.axpy(d, static_cast<T>(gamma_), diff_.data(), x.data());
  }

  // hat and s, and whether the first step has run (as a one-element array).
  std::vector<std::vector<T>> state() const override {
    return {hat_.to_host(), s_.to_host(), {static_cast<T>(started_)}};
  }
  void set_state(const std::vector<std::vector<T>>& s) override {
    std::vector<T> flag(1);
    this->restore(s, {&hat_, &s_}, {&flag});
    started_ = flag[0] != T{0};
  }

 private:
  void send(std::span<const T> x, comm::Communicator& comm, const topology::Topology& t,
            std::int64_t k) {
    this->ops_.sub_scaled(x.size(), x.data(), T{1}, hat_.data(), diff_.data());
    compressor_->encode(diff_, message_seed(this->options_.seed, comm.rank(), k), message_);
    this->start_messages(message_, comm, t, k);
  }
  // hat_i += a q_i; s_i += a (w_ii q_i + sum_j w_ij q_j), the neighbours in the topology's order.
  void receive(comm::Communicator& comm, const topology::Topology& t, std::int64_t k) {
    const auto received = comm.finish_message_exchange();
    const auto& w = t.at(k);
    const T a = static_cast<T>(compressor_->contraction_scale());
    compressor_->decode_add(message_, a, hat_.span());
    compressor_->decode_add(message_, a * static_cast<T>(w.self_weight(comm.rank())), s_.span());
    const auto in = w.in_neighbors(comm.rank());
    for (std::size_t j = 0; j < in.size(); ++j)
      compressor_->decode_add(received[j], a * static_cast<T>(in[j].weight), s_.span());
  }

  std::unique_ptr<Compressor<T>> compressor_;
  DeviceBuffer<T> hat_, s_, g_;
  std::vector<T> diff_;
  std::vector<unsigned char> message_;
  double gamma_ = 0;
  bool started_ = false;
};

}  // namespace

template <typename T>
std::unique_ptr<Algorithm<T>> make_choco(const AlgorithmOptions& o, std::size_t d,
                                         const VectorOps<T>& ops) {
  return std::make_unique<Choco<T>>(o, d, ops);
}
template std::unique_ptr<Algorithm<float>> make_choco<float>(const AlgorithmOptions&, std::size_t,
                                                             const VectorOps<float>&);
template std::unique_ptr<Algorithm<double>> make_choco<double>(const AlgorithmOptions&, std::size_t,
                                                               const VectorOps<double>&);

}  // namespace decent::algo
