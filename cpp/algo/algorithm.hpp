// Decentralized optimisation algorithms over flat parameter buffers, one interface for all
// (DESIGN.md, "The algorithms, in one form"). Update equations: ALGORITHMS.md and
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

#include "comm/communicator.hpp"

namespace decent::algo {

// Writes this node's (stochastic) gradient at x into g (same length).
template <typename T>
using GradientFn = std::function<void(std::span<const T> x, std::span<T> g)>;

struct AlgorithmOptions {
  std::string name = "dsgd";
  double lr = 0.05;          // gamma
  double momentum = 0.9;     // beta: dmsgd, decentlam
  std::int64_t period = 8;   // H: pga, local_sgd
  bool awc = false;          // adapt-with-combine form: dsgd, gradient_tracking
};

// Names accepted by make_algorithm, in documentation order.
const std::vector<std::string>& algorithm_names();

template <typename T>
class Algorithm {
 public:
  explicit Algorithm(AlgorithmOptions options) : options_(std::move(options)) {}
  virtual ~Algorithm() = default;

  std::string_view name() const { return options_.name; }
  const AlgorithmOptions& options() const { return options_; }
  // For learning-rate schedules: takes effect at the next step.
  void set_lr(double lr) { options_.lr = lr; }

  // The state carried between steps (momentum, tracking variables, previous iterates, and
  // whether the first step has run, as a one-element array), for checkpoints. set_state takes
  // what state() gave and continues exactly; it throws InvalidArgument on a shape mismatch.
  virtual std::vector<std::vector<T>> state() const { return {}; }
  virtual void set_state(const std::vector<std::vector<T>>& state) { restore(state, {}); }

  // Iteration k on this node: updates x in place. `topology` is used by the gossip algorithms
  // (W^(k) at step k); psgd and local_sgd use only collectives.
  virtual void step(std::span<T> x, const GradientFn<T>& gradient, comm::Communicator& comm,
                    const topology::Topology& topology, std::int64_t k) = 0;

 protected:
  // Copies `state` into `targets` after checking the count and every size.
  void restore(const std::vector<std::vector<T>>& state, std::vector<std::vector<T>*> targets);

  AlgorithmOptions options_;
};

// Builds an algorithm for buffers of `dimension` values. Throws InvalidArgument naming the
// unknown algorithm or bad option (lr <= 0, momentum outside [0, 1), period < 1).
template <typename T>
std::unique_ptr<Algorithm<T>> make_algorithm(const AlgorithmOptions& options,
                                             std::size_t dimension);

}  // namespace decent::algo
