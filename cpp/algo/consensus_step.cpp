#include "algo/consensus_step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <utility>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace decent::algo {
namespace {

double normal(Rng& rng) {  // Box-Muller: the same numbers on every platform
  const double u = std::max(rng.uniform(), 1e-300), v = rng.uniform();
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

}  // namespace

ConsensusStepChoice tune_consensus_step(const topology::Topology& topology,
                                        const CompressorSpec& compressor,
                                        const ConsensusStepSearch& search) {
  if (topology.time_varying())
    throw InvalidArgument(fmt::format(
        "choco: topology \"{}\" is time-varying; CHOCO keeps a public copy of each neighbour's "
        "parameters, which a changing graph does not keep up to date: use a static one (exp, "
        "ring, torus, hypercube, ...)",
        topology.name()));
  const auto n = static_cast<std::size_t>(topology.nodes());
  const std::size_t d =
      std::clamp<std::size_t>(std::min(search.dimension, (std::size_t{1} << 16) / n), 64, 1 << 20);
  const auto q = make_compressor<double>(compressor);
  const double scale = q->contraction_scale();
  const auto& w = topology.at(0);
  Rng rng(0x5EEDC0C0ull);
  std::vector<std::vector<double>> start(n, std::vector<double>(d));
  for (auto& x : start)
    for (auto& v : x) v = normal(rng);
  std::vector<double> mean(d, 0);
  for (const auto& x : start)
    for (std::size_t c = 0; c < d; ++c) mean[c] += x[c] / static_cast<double>(n);

  ConsensusStepChoice choice;
  double initial = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < d; ++c) initial += std::pow(start[i][c] - mean[c], 2);
  // A gamma that brings the error below 1e-12 of the start is ranked by how soon it does: past
  // that, errors sit at the floor of rounding and their order means nothing. The others are
  // ranked by their final error, as the authors' search does.
  const double converged = 1e-12 * initial;
  int fastest = search.iterations + 1;
  double best = INFINITY;
  std::size_t chosen = 0;
  std::vector<unsigned char> message;
  for (std::size_t j = 0; j < static_cast<std::size_t>(search.grid); ++j) {
    const double gamma =
        search.grid > 1 ? std::pow(10.0, -3.0 + 3.0 * static_cast<double>(j) / (search.grid - 1))
                        : 1.0;
    auto x = start;
    std::vector<std::vector<double>> hat(n, std::vector<double>(d, 0.0)), diff(n);
    double error = INFINITY;
    int reached = search.iterations + 1;
    for (int it = 0; it < search.iterations && reached > search.iterations; ++it) {
      // x_i += gamma sum_j w_ij (hat_j - hat_i); then hat_i += scale Q(x_i - hat_i).
      for (std::size_t i = 0; i < n; ++i) {
        diff[i].assign(d, 0.0);
        const auto ii = static_cast<int>(i);
        for (std::size_t c = 0; c < d; ++c) diff[i][c] = (w.self_weight(ii) - 1) * hat[i][c];
        for (const auto& e : w.in_neighbors(ii))
          for (std::size_t c = 0; c < d; ++c)
            diff[i][c] += e.weight * hat[static_cast<std::size_t>(e.node)][c];
      }
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < d; ++c) {
          x[i][c] += gamma * diff[i][c];
          diff[i][c] = x[i][c] - hat[i][c];
        }
        q->encode(diff[i], 1000003ull * static_cast<std::uint64_t>(it) + i, message);
        q->decode_add(message, scale, hat[i]);
      }
      error = 0;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < d; ++c)
          error += std::pow(x[i][c] - mean[c], 2) + std::pow(x[i][c] - hat[i][c], 2);
      if (!std::isfinite(error)) break;  // a gamma that diverges
      if (error < converged) reached = it + 1;
    }
    if (!std::isfinite(error)) error = INFINITY;
    choice.gammas.push_back(gamma);
    choice.errors.push_back(error);
    choice.iterations.push_back(reached <= search.iterations ? reached : -1);
    const bool better = reached < fastest || (reached == fastest && error < best);
    if (better) fastest = reached, best = error, choice.best = gamma, chosen = j;
  }
  // An interior best is backed off one grid step: it often sits at the edge of stability. 1
  // (exact gossip, the best of lossless compressors) is not at such an edge.
  const bool last = chosen + 1 == choice.gammas.size();
  choice.gamma = choice.gammas[!last && chosen > 0 ? chosen - 1 : chosen];
  return choice;
}

double consensus_step_for(const topology::Topology& topology, const CompressorSpec& compressor) {
  static std::mutex mutex;
  static std::map<std::pair<std::uint64_t, std::string>, double> cache;
  const auto key = std::make_pair(topology.fingerprint(), to_string(compressor));
  const std::lock_guard lock(mutex);  // held while searching: the other nodes take its result
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  return cache.emplace(key, tune_consensus_step(topology, compressor).gamma).first->second;
}

}  // namespace decent::algo
