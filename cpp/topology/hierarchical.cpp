#include "topology/hierarchical.hpp"

#include "topology/topology.hpp"

namespace decent::topology {
namespace {

MixingMatrix inside_machines(int machines, int g) {
  const int n = machines * g;
  const double w = 1.0 / g;
  std::vector<double> self(static_cast<std::size_t>(n), w);
  std::vector<std::vector<Neighbor>> in(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int first = i / g * g;
    for (int j = first; j < first + g; ++j)
      if (j != i) in[static_cast<std::size_t>(i)].push_back({j, w});
  }
  return MixingMatrix::from_weights(std::move(self), in);
}

MixingMatrix across_machines(const MixingMatrix& outer, int g) {
  const int machines = outer.nodes(), n = machines * g;
  std::vector<double> self(static_cast<std::size_t>(n));
  std::vector<std::vector<Neighbor>> in(static_cast<std::size_t>(n));
  for (int m = 0; m < machines; ++m)
    for (int l = 0; l < g; ++l) {
      const auto i = static_cast<std::size_t>(m * g + l);
      self[i] = outer.self_weight(m);
      for (const auto& e : outer.in_neighbors(m)) in[i].push_back({e.node * g + l, e.weight});
    }
  return MixingMatrix::from_weights(std::move(self), in);
}

}  // namespace

std::vector<MixingMatrix> hierarchical_phases(int per_machine, const Topology& outer) {
  const int machines = outer.nodes();
  if (machines == 1) return {inside_machines(1, per_machine)};
  std::vector<MixingMatrix> phases;
  for (int s = 0; s < outer.period(); ++s) {
    if (per_machine > 1) phases.push_back(inside_machines(machines, per_machine));
    phases.push_back(across_machines(outer.at(s), per_machine));
  }
  return phases;
}

}  // namespace decent::topology
