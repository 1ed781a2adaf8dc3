#include "lab/consensus.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace decent::lab {
namespace {

// ||X - 11^T X/n||_F over all nodes, with the mean and the sum in double.
double consensus_distance(comm::Communicator& comm, const std::vector<float>& x) {
  std::vector<double> mean(x.begin(), x.end());
  comm.allreduce(mean.data(), mean.size(), comm::ReduceOp::average);
  double squares = 0;
  for (std::size_t c = 0; c < x.size(); ++c) {
    const double d = static_cast<double>(x[c]) - mean[c];
    squares += d * d;
  }
  comm.allreduce(&squares, 1, comm::ReduceOp::sum);
  return std::sqrt(squares);
}

}  // namespace

std::vector<float> consensus_start(std::uint64_t seed, int rank, std::size_t dimension) {
  // Distinct, well-mixed streams per rank (golden-ratio increment, as in SplitMix64).
  Rng rng(seed ^ (0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(rank) + 1)));
  std::vector<float> x(dimension);
  for (auto& v : x) v = static_cast<float>(2 * rng.uniform() - 1);
  return x;
}

std::vector<double> run_consensus(comm::Communicator& comm, const topology::Topology& topology,
                                  const ConsensusOptions& options) {
  if (options.iterations < 0)
    throw InvalidArgument(fmt::format("iterations {}: expected >= 0", options.iterations));
  if (options.dimension == 0) throw InvalidArgument("dimension 0: expected at least 1");
  auto x = consensus_start(options.seed, comm.rank(), options.dimension);
  const double initial = consensus_distance(comm, x);
  std::vector<double> errors = {1.0};
  for (std::int64_t k = 0; k < options.iterations; ++k) {
    comm.neighbor_average(x.data(), x.size(), topology, k);
    errors.push_back(initial > 0 ? consensus_distance(comm, x) / initial : 0.0);
  }
  return errors;
}

}  // namespace decent::lab
