#include "topology/equi_topo.hpp"

#include <cstdint>
#include <map>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace decent::topology {
namespace {

// A shift uniform in 1 .. n-1 (n >= 2). The modulo's bias is below n / 2^64.
int draw_shift(Rng& rng, int n) {
  return 1 + static_cast<int>(rng.next_u64() % static_cast<std::uint64_t>(n - 1));
}

// A circulant W: node i receives from i + d (mod n) with weight w[d] for every d in `weights`
// (d in 1 .. n-1), self weight 1 - the sum.
MixingMatrix circulant(int n, const std::map<int, double>& weights) {
  double others = 0;
  for (const auto& [d, w] : weights) others += w;
  std::vector<double> self(static_cast<std::size_t>(n), 1.0 - others);
  std::vector<std::vector<Neighbor>> in(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    for (const auto& [d, w] : weights) in[static_cast<std::size_t>(i)].push_back({(i + d) % n, w});
  return MixingMatrix::from_weights(std::move(self), in);
}

MixingMatrix static_equi(const TopologySpec& s, bool undirected) {
  const int n = s.nodes;
  Rng rng(s.seed);
  // Each B_a puts (n-1)/n on shift a; the average of M of them (n-1)/(n M) per draw of a.
  const double per_draw = (n - 1.0) / (static_cast<double>(n) * s.m * (undirected ? 2 : 1));
  std::map<int, double> weights;
  for (int m = 0; m < s.m; ++m) {
    const int a = draw_shift(rng, n);
    weights[a] += per_draw;
    if (undirected) weights[n - a] += per_draw;  // B_a^T receives from i - a
  }
  return circulant(n, weights);
}

MixingMatrix one_peer_directed(int n, double eta, Rng& rng) {
  return circulant(n, {{draw_shift(rng, n), eta * (n - 1.0) / n}});
}

MixingMatrix one_peer_undirected(int n, double eta, Rng& rng) {
  const int a = draw_shift(rng, n);
  const int start = static_cast<int>(rng.next_u64() % static_cast<std::uint64_t>(n));
  const double w = eta * (n - 1.0) / n;
  std::vector<double> self(static_cast<std::size_t>(n), 1.0);
  std::vector<std::vector<Neighbor>> in(static_cast<std::size_t>(n));
  for (int v = 0; v < n; ++v) {
    const int i = (start + v) % n, j = (i + a) % n;
    auto &in_i = in[static_cast<std::size_t>(i)], &in_j = in[static_cast<std::size_t>(j)];
    if (!in_i.empty() || !in_j.empty()) continue;  // one of them already paired
    in_i.push_back({j, w});
    in_j.push_back({i, w});
    self[static_cast<std::size_t>(i)] = self[static_cast<std::size_t>(j)] = 1.0 - w;
  }
  return MixingMatrix::from_weights(std::move(self), in);
}

}  // namespace

std::vector<MixingMatrix> equi_topo_phases(const TopologySpec& s) {
  const int n = s.nodes;
  if (n == 1) return {circulant(1, {})};
  switch (s.kind) {
    case Kind::equi_static: return {static_equi(s, false)};
    case Kind::u_equi_static: return {static_equi(s, true)};
    case Kind::od_equi_dyn:
    case Kind::ou_equi_dyn: {
      Rng rng(s.seed);
      std::vector<MixingMatrix> phases;
      for (int t = 0; t < s.steps; ++t)
        phases.push_back(s.kind == Kind::od_equi_dyn ? one_peer_directed(n, *s.eta, rng)
                                                     : one_peer_undirected(n, *s.eta, rng));
      return phases;
    }
    default: break;
  }
  throw Error(Status::internal, "equi_topo_phases: not an EquiTopo kind");
}

}  // namespace decent::topology
