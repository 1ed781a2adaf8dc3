#include "topology/one_peer_schedule.hpp"

#include <algorithm>
#include <utility>

namespace decent::topology {

std::vector<MixingMatrix> one_peer_schedule(const MixingMatrix& w) {
  const int n = w.nodes();
  std::vector<std::pair<int, int>> edges;
  for (int i = 0; i < n; ++i)
    for (const auto& e : w.in_neighbors(i))
      if (i < e.node) edges.emplace_back(i, e.node);
  std::sort(edges.begin(), edges.end());
  // used[c][node]: node already has an edge of colour c.
  std::vector<std::vector<char>> used;
  std::vector<std::vector<std::pair<int, int>>> colours;
  for (const auto& [i, j] : edges) {
    std::size_t c = 0;
    while (c < used.size() &&
           (used[c][static_cast<std::size_t>(i)] || used[c][static_cast<std::size_t>(j)]))
      ++c;
    if (c == used.size()) {
      used.emplace_back(static_cast<std::size_t>(n), 0);
      colours.emplace_back();
    }
    used[c][static_cast<std::size_t>(i)] = used[c][static_cast<std::size_t>(j)] = 1;
    colours[c].emplace_back(i, j);
  }
  std::vector<MixingMatrix> phases;
  if (colours.empty()) colours.emplace_back();
  for (const auto& matching : colours) {
    std::vector<double> self(static_cast<std::size_t>(n), 1.0);
    std::vector<std::vector<Neighbor>> in(static_cast<std::size_t>(n));
    for (const auto& [i, j] : matching) {
      self[static_cast<std::size_t>(i)] = self[static_cast<std::size_t>(j)] = 0.5;
      in[static_cast<std::size_t>(i)].push_back({j, 0.5});
      in[static_cast<std::size_t>(j)].push_back({i, 0.5});
    }
    phases.push_back(MixingMatrix::from_weights(std::move(self), in));
  }
  return phases;
}

}  // namespace decent::topology
