// Helpers shared by the topology tests: an independent dense view of W built only from the
// neighbour queries, and the list of node counts each kind allows.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/kind_spec.hpp"
#include "topology/topology.hpp"

namespace decent::test {

// W^(step) rebuilt from in_neighbors() and self_weight(), row-major.
inline std::vector<double> dense_from_queries(const topology::Topology& t, std::int64_t step) {
  const auto n = static_cast<std::size_t>(t.nodes());
  std::vector<double> w(n * n, 0.0);
  const auto& m = t.at(step);
  for (std::size_t i = 0; i < n; ++i) {
    w[i * n + i] += m.self_weight(static_cast<int>(i));
    for (const auto& e : m.in_neighbors(static_cast<int>(i)))
      w[i * n + static_cast<std::size_t>(e.node)] += e.weight;
  }
  return w;
}

inline bool is_power_of_two(int n) {
  return n > 0 && (n & (n - 1)) == 0;
}

inline bool is_composite_at_least_4(int n) {
  for (int d = 2; d * d <= n; ++d)
    if (n % d == 0) return true;
  return false;
}

// Whether `kind` accepts n nodes, from the definitions of the kinds (not from the code).
inline bool kind_allows(topology::Kind kind, int n) {
  using topology::Kind;
  if (kind == Kind::file) return false;  // needs a file (topology_weights_file_test.cpp)
  if (kind == Kind::hypercube) return is_power_of_two(n);
  if (kind == Kind::hierarchical) return n % 2 == 0;  // machines of 2 (default_spec)
  if (kind == Kind::grid || kind == Kind::torus) return is_composite_at_least_4(n);
  return n >= 1;
}

inline topology::Topology make(topology::Kind kind, int n) {
  return topology::Topology(default_spec(kind), n);
}

}  // namespace decent::test
