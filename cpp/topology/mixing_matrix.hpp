// One mixing matrix W (x_i <- sum_j w_ij x_j) in sparse form, stored both by rows (whom node i
// receives from) and by columns (whom node j sends to), so that senders and receivers can both
// find their peers in O(degree).
#pragma once

#include <span>
#include <vector>

#include "topology/kinds.hpp"

namespace decent::topology {

struct Neighbor {
  int node;       // the peer
  double weight;  // w_ij of the edge (receiver i, sender j)
};

// How far a matrix is from doubly stochastic; used to report the worst row and column.
struct StochasticityReport {
  double worst_row_error = 0;  // max_i |sum_j w_ij - 1|
  int worst_row = 0;
  double worst_row_sum = 1;
  double worst_col_error = 0;  // max_j |sum_i w_ij - 1|
  int worst_col = 0;
  double worst_col_sum = 1;
  double min_weight = 0;  // most negative entry (0 when none is negative)
  bool ok(double tolerance) const {
    return worst_row_error <= tolerance && worst_col_error <= tolerance && min_weight >= 0;
  }
};

class MixingMatrix {
 public:
  // in_neighbors[i]: the nodes i receives from, sorted, unique, without i itself.
  // Throws NotSupported for Metropolis weights on a graph with one-way edges.
  static MixingMatrix from_graph(const std::vector<std::vector<int>>& in_neighbors,
                                 WeightRule rule);

  // Given weights: self[i] = w_ii and in_neighbors[i] the (j, w_ij) node i receives from, in any
  // order (sorted here), each j once, without i. Not checked for stochasticity (Topology does).
  static MixingMatrix from_weights(std::vector<double> self,
                                   const std::vector<std::vector<Neighbor>>& in_neighbors);

  int nodes() const { return static_cast<int>(self_.size()); }
  // Peers node i receives from, with w_ij, sorted by node; self excluded.
  std::span<const Neighbor> in_neighbors(int i) const;
  // Peers that receive node j's value, with w_ij (i the receiver), sorted by node; self excluded.
  std::span<const Neighbor> out_neighbors(int j) const;
  double self_weight(int i) const { return self_[static_cast<std::size_t>(i)]; }
  int max_degree() const;
  // Every edge has a reverse edge of equal weight.
  bool symmetric() const;

  StochasticityReport stochasticity() const;
  // Row-major dense n x n copy.
  std::vector<double> dense() const;
  // out = W * in, for an n x m row-major block (m columns per node).
  void apply(const double* in, double* out, std::size_t columns) const;

 private:
  void transpose_rows();  // out_ and out_offsets_ from in_ and in_offsets_

  std::vector<double> self_;
  std::vector<std::size_t> in_offsets_, out_offsets_;
  std::vector<Neighbor> in_, out_;
};

}  // namespace decent::topology
