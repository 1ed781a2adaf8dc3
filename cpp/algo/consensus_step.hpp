// CHOCO's consensus step gamma_c when the user leaves it to decent: the CHOCO authors' own way
// of choosing it (their tune_consensus_stepsize): run CHOCO-Gossip (no gradients) on random
// vectors over the run's topology with the run's compressor, for each gamma of a log grid from
// 1e-3 to 1, find the gamma whose error ||X - mean||^2 + ||X - X_hat||^2 is smallest at the end,
// and take the grid's next smaller gamma (a factor 0.69) unless the best is 1 (exact gossip): an
// interior best often sits at the edge of stability, and with fewer values per node than the
// search's it can diverge (top-k 5% on a ring of 16: 0.234, best on 512 values, diverged on
// 200; 0.162 converged on both; so did top-k 25% at 0.695, the fastest on 512 values). Gammas
// whose error falls below 1e-12 of the start within the search are ranked by how soon they do
// instead: past that the errors are rounding, and their order means nothing.
// Deterministic (fixed seeds), so every node picks the same gamma.
#pragma once

#include <cstddef>

#include "algo/compressor.hpp"
#include "topology/topology.hpp"

namespace decent::algo {

struct ConsensusStepSearch {
  std::size_t dimension = 512;  // per node (fewer for large n: at most 2^16 / n, at least 64)
  int iterations = 300;
  int grid = 20;  // gammas 10^(-3 + 3 j / (grid - 1)), j = 0 .. grid - 1
};

// The gamma that search picks, and the error after the search's iterations for every gamma of
// the grid (for the docs and tests). Static topologies only (CHOCO keeps a public copy of each
// neighbour, which a changing graph would not keep up to date).
struct ConsensusStepChoice {
  double gamma = 1;  // the grid's gamma below the best one (the best itself when it is 1 or the
                     // smallest)
  double best = 1;   // the gamma with the smallest error (or the fastest to 1e-12)
  std::vector<double> gammas, errors;
  std::vector<int> iterations;  // to 1e-12 of the start, -1 if not within the search
};
ConsensusStepChoice tune_consensus_step(const topology::Topology& topology,
                                        const CompressorSpec& compressor,
                                        const ConsensusStepSearch& search = {});

// The same, cached per (topology, compressor) for the process: in-process nodes share one search.
double consensus_step_for(const topology::Topology& topology, const CompressorSpec& compressor);

}  // namespace decent::algo
