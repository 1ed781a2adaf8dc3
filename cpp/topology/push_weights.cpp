#include "topology/push_weights.hpp"

#include <vector>

namespace decent::topology {

Topology push_weights(const Topology& t) {
  std::vector<MixingMatrix> phases;
  const int n = t.nodes();
  for (int step = 0; step < t.period(); ++step) {
    const auto& w = t.at(step);
    std::vector<double> share(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j)
      share[static_cast<std::size_t>(j)] =
          1.0 / (1.0 + static_cast<double>(w.out_neighbors(j).size()));
    std::vector<std::vector<Neighbor>> in(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
      for (const auto& e : w.in_neighbors(i))
        in[static_cast<std::size_t>(i)].push_back(
            {e.node, share[static_cast<std::size_t>(e.node)]});
    phases.push_back(MixingMatrix::from_weights(share, in));
  }
  return Topology(std::move(phases), "push:" + t.name());
}

}  // namespace decent::topology
