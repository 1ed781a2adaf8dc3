// Decentralized optimisation algorithms over flat parameter buffers, one interface for all
// (docs/design.md, "The algorithms, in one form"). Update equations: docs/algorithms.md and
// docs/algorithms.md. Every node calls step() with k = 0, 1, 2, ... in order; the algorithm
// calls the gradient oracle once per step, at the point it needs, so that adapt-with-combine
// forms can overlap the neighbour exchange with the gradient computation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "algo/algorithm_options.hpp"
#include "comm/communicator.hpp"
#include "core/device_buffer.hpp"
#include "core/vector_ops.hpp"

namespace decent::algo {

// Writes this node's (stochastic) gradient at x into g (same length) and returns the loss of
// the same sample at x, or NaN where the caller does not know it (only aga needs it).
template <typename T>
using GradientFn = std::function<double(std::span<const T> x, std::span<T> g)>;

// Names accepted by make_algorithm, in documentation order.
const std::vector<std::string>& algorithm_names();

// Whether the algorithm applies a momentum of its own (dmsgd, decentlam): a trainer then gives
// its optimizer none, so that momentum is never applied twice.
bool has_own_momentum(const std::string& name);

// Gossip-AGA's period rule, used after every global average past the warm-up:
// max(1, ceil(sqrt(F_init / F) * H0)) from the initial period H0, the warm-up's mean loss F_init
// and the mean loss F since the previous global average; `current` when either loss is not
// positive (a ratio of losses needs both). The 1e-9 keeps an exact ratio of 1 at H0 despite
// rounding.
std::int64_t aga_next_period(std::int64_t initial_period, double initial_loss, double loss,
                             std::int64_t current);

template <typename T>
class Algorithm {
 public:
  // The algorithm's buffers live on the device of `ops`, which does all its vector arithmetic;
  // step() takes x (and the gradient oracle writes g) in memory of that device.
  Algorithm(AlgorithmOptions options, const VectorOps<T>& ops)
      : options_(std::move(options)), ops_(ops) {}
  virtual ~Algorithm() = default;

  std::string_view name() const { return options_.name; }
  const AlgorithmOptions& options() const { return options_; }
  // Whether step() uses the loss the gradient oracle returns (aga); others ignore it, so a
  // caller may skip computing it.
  virtual bool needs_loss() const { return false; }
  // For learning-rate schedules: takes effect at the next step.
  void set_lr(double lr) { options_.lr = lr; }
  // How many exact global averages of the parameters (all-reduces of x) this node has done so
  // far: pga, aga and local_sgd; 0 for the others. A measure of communication cost.
  // (counted since this object was made: a resumed run counts from the resume).
  std::int64_t global_averages() const { return global_averages_; }
  // Bytes this node has handed to the network for its exchanges so far (since this object was
  // made): a neighbour average sends its values to each out-neighbour, a compressed message its
  // bytes to each, an all-reduce 2 (n - 1) / n of its values (a ring's share). Headers excluded.
  std::uint64_t bytes_sent() const { return bytes_sent_; }

  // The state carried between steps (momentum, tracking variables, previous iterates, and
  // whether the first step has run, as a one-element array), for checkpoints. set_state takes
  // what state() gave and continues exactly; it throws InvalidArgument on a shape mismatch.
  virtual std::vector<std::vector<T>> state() const { return {}; }
  virtual void set_state(const std::vector<std::vector<T>>& state) { restore(state, {}); }

  // Throws InvalidArgument when this algorithm, with its options, cannot run on `topology`
  // (decentlam's momentum on graphs where it grows the disagreement). step() checks it too, at
  // the first step; callers call it first to fail before any work.
  virtual void check_topology(const topology::Topology& topology) const { (void)topology; }

  // Iteration k on this node: updates x in place. `topology` is used by the gossip algorithms
  // (W^(k) at step k); psgd and local_sgd use only collectives.
  virtual void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
                    const topology::Topology& topology, std::int64_t k) = 0;

 protected:
  // Copies `state` into `buffers` and then `host` (in that order) after checking the count and
  // every size.
  void restore(const std::vector<std::vector<T>>& state, std::vector<DeviceBuffer<T>*> buffers,
               std::vector<std::vector<T>*> host = {});
  // x <- the exact mean of x over all nodes (one all-reduce), counted by global_averages().
  void average_parameters_globally(std::span<T> x, comm::Communicator& comm);
  // The exchanges, each counted in bytes_sent(): x <- W^(k) x; its two halves (AWC); the
  // all-reduce average of any vector; a compressed message to the out-neighbours of W^(k).
  void gossip(std::span<T> x, comm::Communicator& comm, const topology::Topology& t,
              std::int64_t k);
  void start_gossip(std::span<T> x, comm::Communicator& comm, const topology::Topology& t,
                    std::int64_t k);
  void all_average(std::span<T> x, comm::Communicator& comm);
  void start_messages(const std::vector<unsigned char>& message, comm::Communicator& comm,
                      const topology::Topology& t, std::int64_t k);
  void count_sent(std::uint64_t bytes) { bytes_sent_ += bytes; }

  AlgorithmOptions options_;
  const VectorOps<T>& ops_;

 private:
  std::int64_t global_averages_ = 0;
  std::uint64_t bytes_sent_ = 0;
};

// Builds an algorithm for buffers of `dimension` values on the device of `ops`. Throws
// InvalidArgument naming the unknown algorithm or bad option (lr <= 0, momentum outside [0, 1),
// period < 1, warmup < 0).
template <typename T>
std::unique_ptr<Algorithm<T>> make_algorithm(const AlgorithmOptions& options, std::size_t dimension,
                                             const VectorOps<T>& ops = cpu_vector_ops<T>());

}  // namespace decent::algo
