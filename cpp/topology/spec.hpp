// Topology spec strings: "ring", "torus:4x4", "random:p=0.3,seed=7", "exp:n=16,weights=uniform".
//
// Grammar: KIND[:ITEM(,ITEM)*] where ITEM is KEY=VALUE, or RxC for grid and torus; and
// one-peer:SPEC, whose rest is the spec of the static graph it schedules; file:PATH;
// hier:G:SPEC or hier:SPEC (G from --nodes-per-machine or MPI's hosts), SPEC between machines.
// Keys: n (nodes; any kind), weights (auto|uniform|metropolis; any kind), rows and cols (grid,
// torus), p and seed (random), k (base, simple-base), m and seed (equi-static, u-equi-static),
// eta, steps and seed (od-equi-dyn, ou-equi-dyn).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topology/kinds.hpp"

namespace decent::topology {

// The most peers per step a base graph may have (k).
constexpr int kMaxBasePeers = 8;
// The most shifts an EquiStatic graph averages, and matrices a dynamic EquiTopo kind draws per
// period times its node count (memory: about 32 bytes per node and step).
constexpr int kMaxEquiShifts = 4096;
constexpr long long kMaxEquiEntries = 1LL << 24;

struct TopologySpec {
  Kind kind = Kind::ring;
  int nodes = 0;  // 0: not given; taken from rows x cols or from the caller
  int rows = 0;   // grid/torus; 0: chosen from the node count
  int cols = 0;
  std::optional<double> p;          // random: edge probability in (0, 1]
  std::uint64_t seed = 0;           // random
  int k = 0;                        // base: peers per step, 1 to 8 (0: not given, 1)
  int m = 0;                        // equi-static: shifts averaged (0: not given, ceil(ln n))
  std::optional<double> eta;        // od/ou-equi-dyn: damping in (0, 1] (default 1/2)
  int steps = 0;                    // od/ou-equi-dyn: matrices drawn per period (0: 256)
  std::vector<TopologySpec> inner;  // one-peer: the static graph it schedules (none: the ring);
                                    // hier: the graph between machines (none: one-peer-exp)
  int per_machine = 0;              // hier: nodes per machine G (0: not given)
  std::string path;                 // file: the JSON file of the weights
  WeightRule weights = WeightRule::automatic;
};

// Parses a spec string; throws InvalidArgument naming the bad token and what was expected.
TopologySpec parse_spec(std::string_view text);

// The canonical text of a spec, complete enough to rebuild the same topology
// (e.g. "torus:4x4,n=16,weights=uniform").
std::string to_string(const TopologySpec& spec);

}  // namespace decent::topology
