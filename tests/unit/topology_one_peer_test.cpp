// One-peer schedules of static undirected graphs (topology/one_peer_schedule.hpp): each step a
// matching with weights 1/2, every edge of the graph used exactly once per period, between D
// and 2 D - 1 steps (D the largest degree), and mixing over the period for a connected graph.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "topology/spectral.hpp"
#include "topology_helpers.hpp"

using namespace decent::topology;

TEST_CASE(
    "one-peer schedules use every edge of the static graph once per period, a matching per step") {
  const std::vector<std::pair<std::string, int>> graphs = {
      {"ring", 8}, {"ring", 7},      {"torus:4x4", 16}, {"hypercube", 16},
      {"star", 5}, {"grid:3x4", 12}, {"full", 6},       {"random:p=0.3,seed=2", 16}};
  for (const auto& [spec, n] : graphs) {
    CAPTURE(spec);
    const Topology base(spec, n);
    const Topology t("one-peer:" + spec, n);
    REQUIRE(t.nodes() == n);
    std::set<std::pair<int, int>> edges;
    for (int i = 0; i < n; ++i)
      for (const auto& e : base.at(0).in_neighbors(i))
        if (i < e.node) edges.insert({i, e.node});
    std::map<std::pair<int, int>, int> used;
    for (int s = 0; s < t.period(); ++s)
      for (int i = 0; i < n; ++i) {
        const auto in = t.at(s).in_neighbors(i);
        REQUIRE(in.size() <= 1);
        if (in.empty()) {
          CHECK(t.at(s).self_weight(i) == 1.0);
          continue;
        }
        CHECK(in[0].weight == 0.5);
        CHECK(t.at(s).self_weight(i) == 0.5);
        // Its partner has it as partner (a matching).
        const auto back = t.at(s).in_neighbors(in[0].node);
        REQUIRE(back.size() == 1);
        CHECK(back[0].node == i);
        if (i < in[0].node) ++used[{i, in[0].node}];
      }
    CHECK(used.size() == edges.size());
    for (const auto& [edge, times] : used) {
      CHECK(edges.count(edge) == 1);
      CHECK(times == 1);
    }
    const int d = base.max_degree();
    CHECK(t.period() >= d);
    CHECK(t.period() <= 2 * d - 1);
    // A connected graph's schedule mixes over one period.
    CHECK(rho(t) < 1 - 1e-9);
  }
}

TEST_CASE("one-peer schedule specs: the ring by default, static undirected graphs only") {
  CHECK(Topology("one-peer", 6).name() == "one-peer:ring:n=6,weights=uniform");
  const Topology t("one-peer:torus:4x4", 0);
  CHECK(t.nodes() == 16);
  CHECK(Topology(t.name(), 0).period() == t.period());
  CHECK_THROWS_WITH_AS(Topology("one-peer:exp", 8), doctest::Contains("exp is directed"),
                       decent::InvalidArgument);
  CHECK_THROWS_WITH_AS(Topology("one-peer:one-peer-exp", 8), doctest::Contains("time-varying"),
                       decent::InvalidArgument);
  CHECK_THROWS_AS(Topology("one-peer:torus:4x4", 12), decent::InvalidArgument);
  CHECK(Topology("one-peer", 1).period() == 1);
}
