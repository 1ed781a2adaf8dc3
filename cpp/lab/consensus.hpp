// The consensus experiment: every node starts from its own random vector and repeatedly averages
// with its neighbours. The relative consensus error
//   e_k = ||X_k - 11^T X_k / n||_F / ||X_0 - 11^T X_0 / n||_F
// measures how fast gossip reaches the average; it decays like rho^k.
#pragma once

#include <cstdint>
#include <vector>

#include "comm/communicator.hpp"

namespace decent::lab {

struct ConsensusOptions {
  std::int64_t iterations = 50;
  std::size_t dimension = 1000;
  std::uint64_t seed = 0;
};

// Node `comm.rank()`'s starting vector: uniform in [-1, 1), from (seed, rank) only, so every
// backend starts from the same X_0.
std::vector<float> consensus_start(std::uint64_t seed, int rank, std::size_t dimension);

// Runs the experiment on this node (call it on every node). Returns e_0 = 1, e_1, ..., e_K,
// identical on every node.
std::vector<double> run_consensus(comm::Communicator& comm, const topology::Topology& topology,
                                  const ConsensusOptions& options);

}  // namespace decent::lab
