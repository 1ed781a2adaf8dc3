// Local optimizers as update *directions* over the flat parameter buffer: direction() turns the
// gradient g at x into d, and the decentralized algorithm then applies x <- x - lr d (and its
// mixing). This composes every optimizer with every algorithm, as a local optimizer followed by
// gossip (BlueFog's DistributedNeighborAllreduceOptimizer does the same with torch optimizers).
//
// - sgd:  g' = g + wd x; v = m v + g'; d = v (heavy ball) or d = g' + m v (Nesterov), PyTorch's
//         SGD without dampening. m = 0 gives plain SGD.
// - lars: per segment l (You et al. 2017, docs/algorithms.md):
//         local_l = eta ||x_l|| / (||g_l|| + wd ||x_l||) (1 when a norm is 0);
//         v = m v + local_l (g_l + wd x_l); d = v.
// - lamb: Adam moments with bias correction, r = m_hat / (sqrt(v_hat) + eps), and per segment
//         d_l = (||x_l|| / ||r_l + wd x_l||) (r_l + wd x_l) (You et al. 2020); the ratio is 1
//         when a norm is 0.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/vector_ops.hpp"

namespace decent::optim {

// A layer's range of the flat buffer (LARS and LAMB normalise per segment).
using Range = Segment;

struct OptimizerOptions {
  std::string name = "sgd";  // sgd, lars, lamb
  double momentum = 0.9;     // sgd, lars: m; lamb: beta1
  bool nesterov = false;     // sgd
  double weight_decay = 0;   // wd
  double eta = 0.001;        // lars trust coefficient
  double beta2 = 0.999;      // lamb
  double epsilon = 1e-6;     // lamb
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Overwrites g with the direction d at x. Called once per step.
  virtual void direction(std::span<const float> x, std::span<float> g) = 0;
  // The optimizer's state (momentum, moments, step count) as one flat array, for checkpoints.
  virtual std::vector<double> state() const = 0;
  virtual void set_state(std::span<const double> state) = 0;
};

// Builds an optimizer for buffers of `dimension` values split into `segments` (which must tile
// [0, dimension); an empty list means one segment), on the device of `ops` (its state lives
// there; direction() takes buffers of that device). Throws InvalidArgument for unknown names
// and out-of-range options.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerOptions& options, std::int64_t dimension,
                                          std::vector<Range> segments,
                                          const VectorOps<float>& ops = cpu_vector_ops<float>());

const std::vector<std::string>& optimizer_names();

}  // namespace decent::optim
