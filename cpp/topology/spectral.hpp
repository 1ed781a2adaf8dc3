// Spectral quantities of a topology: rho = ||W - 11^T/n||_2 (the consensus contraction factor;
// 1 - rho is the spectral gap), and for time-varying graphs the same norm of the product of the
// matrices over a window of steps.
#pragma once

#include <cstdint>
#include <vector>

#include "topology/topology.hpp"

namespace decent::topology {

// Largest node count for the dense n x n computations below (a 4096 x 4096 matrix is 128 MiB).
inline constexpr int kMaxDenseNodes = 4096;

// W^(start+steps-1) ... W^(start) as a dense row-major n x n matrix: the map from x^start to
// x^(start+steps) under x^(k+1) = W^(k) x^k. steps >= 1, start >= 0.
std::vector<double> product(const Topology& topology, std::int64_t start, std::int64_t steps);

// ||M - 11^T/n||_2 for a dense row-major n x n matrix (largest singular value; the symmetric
// case uses the cheaper eigen-solver).
double deviation_norm(const std::vector<double>& m, int n);

// rho of the product over `steps` steps from `start`; steps = 0 means one period.
double rho(const Topology& topology, std::int64_t start = 0, std::int64_t steps = 0);

// Smallest eigenvalue of a static symmetric W (throws InvalidArgument otherwise). D2 needs it
// above -1/3.
double min_eigenvalue(const Topology& topology);

// The per-step growth factor of the nodes' disagreement under momentum gossip,
//   x^(k+1) = W^(k) x^k + beta (x^k - x^(k-1)),
// which is the consensus part of DecentLaM's update: the spectral radius of the product of the
// companion matrices [[W~ + beta I, -beta I], [I, 0]] over one period (W~ = W^(k) - 11^T/n, so
// the consensus direction is left out), to the power 1/period. Below 1 the disagreement
// contracts; at or above 1 it grows whatever the step size. For a static symmetric W it is
// below 1 for every beta in [0, 1). beta in [0, 1); at most kMaxMomentumCheckNodes nodes.
double momentum_gossip_radius(const Topology& topology, double beta);

// Largest node count for momentum_gossip_radius: a non-symmetric eigenproblem of size 2n.
inline constexpr int kMaxMomentumCheckNodes = 256;

}  // namespace decent::topology
