// The graph kinds decent can build, their names and the properties the rest of the module needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace decent::topology {

enum class Kind {
  ring,                   // undirected cycle
  directed_ring,          // node i receives from i+1 only
  grid,                   // 2-D R x C grid, no wrap-around
  torus,                  // 2-D R x C grid with wrap-around
  star,                   // node 0 linked to every other node
  hypercube,              // i ~ i xor 2^j, n a power of 2
  full,                   // fully connected
  exponential,            // static: node i receives from i + 2^j, j < ceil(log2 n)
  symmetric_exponential,  // undirected: i ~ i +- 2^j
  one_peer_exponential,   // time-varying: at step k node i receives from i + 2^(k mod tau)
  random,                 // Erdos-Renyi G(n, p), redrawn until connected
  base,           // time-varying: the Base-(k+1) graph, exact average after one period, any n
  one_peer,       // time-varying: the edges of a static undirected graph, one matching per step
  file,           // a user's own W (or W^(t) of a period) from a JSON file
  simple_base,    // time-varying: the Simple Base-(k+1) graph (the base graph's building block)
  equi_static,    // D-EquiStatic: the average of M random basis shifts (topology/equi_topo.hpp)
  u_equi_static,  // U-EquiStatic: its symmetric version
  od_equi_dyn,    // OD-EquiDyn: one random damped basis shift per step, directed
  ou_equi_dyn,    // OU-EquiDyn: one random matching per step, symmetric
  hierarchical,   // machines of G nodes: exact average inside, an outer kind across (hier:G:SPEC)
};

// How weights are assigned to edges. `automatic` picks the rule that makes the kind's matrix
// doubly stochastic: uniform for regular graphs, Metropolis-Hastings for the others.
enum class WeightRule { automatic, uniform, metropolis };

struct KindInfo {
  Kind kind;
  std::string_view name;                  // canonical spec name
  std::vector<std::string_view> aliases;  // other accepted names
  bool directed;                          // edges are one-way
  bool time_varying;                      // the graph changes with the step
  bool regular;                           // every node has the same in- and out-degree
  std::string_view summary;               // one line for help texts
};

const KindInfo& info(Kind kind);
const std::vector<KindInfo>& all_kinds();

// Looks a kind up by canonical name or alias; throws InvalidArgument listing the known names
// (and the closest one) otherwise.
Kind kind_from_name(std::string_view name);
std::vector<std::string> kind_names();

// The kinds whose weights are part of their construction, with parameters of their own.
bool is_base_kind(Kind kind);       // base, simple-base (k)
bool is_equi_topo_kind(Kind kind);  // equi-static, u-equi-static, od- and ou-equi-dyn

std::string_view weight_rule_name(WeightRule rule);
WeightRule weight_rule_from_name(std::string_view name);
// The rule `automatic` resolves to for this kind.
WeightRule resolve_weight_rule(Kind kind, WeightRule requested);

}  // namespace decent::topology
