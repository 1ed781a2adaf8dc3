// A communication topology: the mixing matrices W^(k) of one period, built once. Static kinds
// have period 1; the one-peer exponential graph has period ceil(log2 n). Looking up the matrix of
// step k is an index, so time-varying graphs cost nothing to switch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topology/mixing_matrix.hpp"
#include "topology/spec.hpp"

namespace decent::topology {

class Topology {
 public:
  // Builds the topology of `spec` on `nodes` nodes (0: the spec's own n or RxC). Throws
  // InvalidArgument for a node count the kind does not allow, NotSupported for an impossible
  // weight rule, and NumericalError when the chosen weights are not doubly stochastic (the
  // message names the worst row and column).
  Topology(const TopologySpec& spec, int nodes);
  Topology(std::string_view spec, int nodes);
  // A topology of given matrices (one period; all of one node count, already checked doubly
  // stochastic, e.g. by weights_from_dense), named file:SOURCE. Throws InvalidArgument when
  // there are none or their node counts differ.
  Topology(std::vector<MixingMatrix> phases, const std::string& source);

  // The spec with everything resolved (nodes, shape, p, weight rule).
  const TopologySpec& spec() const { return spec_; }
  // Canonical spec string, e.g. "torus:4x4,n=16,weights=uniform".
  std::string name() const { return to_string(spec_); }
  Kind kind() const { return spec_.kind; }
  int nodes() const { return spec_.nodes; }
  int period() const { return static_cast<int>(phases_.size()); }
  bool time_varying() const { return period() > 1; }
  // Some edge is one-way at some step.
  bool directed() const;
  // Every W^(k) equals its transpose.
  bool symmetric() const;
  // Largest in- or out-degree (self excluded) over all nodes and steps.
  int max_degree() const;

  // W^(step); step must be >= 0 (throws OutOfRange).
  const MixingMatrix& at(std::int64_t step) const;
  // Checks a node index (throws OutOfRange naming the valid range).
  void check_node(std::int64_t node) const;
  // FNV-1a of the canonical name and of every weight of the period (bit patterns): equal on two
  // ranks only if they mix the same way, also for a file: topology whose file differs.
  std::uint64_t fingerprint() const { return fingerprint_; }

 private:
  TopologySpec spec_;
  std::vector<MixingMatrix> phases_;
  std::uint64_t fingerprint_ = 0;
  void compute_fingerprint();
};

}  // namespace decent::topology
