// Reference results for communicator tests, computed densely in double from the topology's
// matrices: what x_i must be after a sequence of neighbour averages.
#pragma once

#include <cstdint>
#include <vector>

#include "lab/consensus.hpp"
#include "topology/topology.hpp"

namespace decent::test {

// Every node's starting vector, as the communicator tests give them (float or double; the
// double vectors hold the same values).
template <typename T = float>
std::vector<std::vector<T>> start_vectors(int nodes, std::size_t count, std::uint64_t seed) {
  std::vector<std::vector<T>> x;
  for (int i = 0; i < nodes; ++i) {
    const auto v = lab::consensus_start(seed, i, count);
    x.emplace_back(v.begin(), v.end());
  }
  return x;
}

// X after applying W^(0), ..., W^(steps-1) with dense double arithmetic.
template <typename T>
std::vector<std::vector<double>> reference_after(const topology::Topology& t,
                                                 const std::vector<std::vector<T>>& x0, int steps) {
  const auto n = static_cast<std::size_t>(t.nodes());
  const std::size_t count = x0.empty() ? 0 : x0[0].size();
  std::vector<std::vector<double>> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i].assign(x0[i].begin(), x0[i].end());
  for (int k = 0; k < steps; ++k) {
    const auto w = t.at(k).dense();
    std::vector<std::vector<double>> next(n, std::vector<double>(count, 0.0));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const double wij = w[i * n + j];
        if (wij == 0) continue;
        for (std::size_t c = 0; c < count; ++c) next[i][c] += wij * x[j][c];
      }
    x = std::move(next);
  }
  return x;
}

template <typename T>
double max_abs_difference(const std::vector<T>& a, const std::vector<double>& b) {
  double e = 0;
  for (std::size_t c = 0; c < a.size(); ++c)
    e = std::max(e, std::abs(static_cast<double>(a[c]) - b[c]));
  return e;
}

// Node counts to test a kind with: those of {1, 2, 3, 4, 8} the kind allows.
inline std::vector<int> node_counts_for(topology::Kind kind) {
  std::vector<int> counts;
  if (kind == topology::Kind::file) return counts;  // needs a file of weights
  for (int n : {1, 2, 3, 4, 8}) {
    const bool power = (n & (n - 1)) == 0;
    if (kind == topology::Kind::hypercube && !power) continue;
    if (kind == topology::Kind::hierarchical && n % 2 != 0) continue;  // machines of 2
    if ((kind == topology::Kind::grid || kind == topology::Kind::torus) && n != 4 && n != 8)
      continue;
    counts.push_back(n);
  }
  return counts;
}

}  // namespace decent::test
