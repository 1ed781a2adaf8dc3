#include "topology/kinds.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/parse.hpp"

namespace decent::topology {

const std::vector<KindInfo>& all_kinds() {
  static const std::vector<KindInfo> kinds = {
      {Kind::ring, "ring", {"cycle"}, false, false, true, "undirected ring, weights 1/3"},
      {Kind::directed_ring,
       "directed-ring",
       {"dring"},
       true,
       false,
       true,
       "node i receives from i+1, weights 1/2"},
      {Kind::grid,
       "grid",
       {"grid2d", "mesh"},
       false,
       false,
       false,
       "2-D grid RxC without wrap-around (Metropolis weights)"},
      {Kind::torus,
       "torus",
       {"torus2d"},
       false,
       false,
       true,
       "2-D grid RxC with wrap-around, weights 1/5"},
      {Kind::star, "star", {}, false, false, false, "node 0 linked to all (Metropolis weights)"},
      {Kind::hypercube,
       "hypercube",
       {},
       false,
       false,
       true,
       "i ~ i xor 2^j, n a power of 2, weights 1/(1+log2 n)"},
      {Kind::full,
       "full",
       {"fully-connected", "complete"},
       false,
       false,
       true,
       "fully connected, W = 11^T/n"},
      {Kind::exponential,
       "exp",
       {"exponential", "static-exp"},
       true,
       false,
       true,
       "static exponential: i receives from i+2^j, j < ceil(log2 n)"},
      {Kind::symmetric_exponential,
       "sym-exp",
       {"symmetric-exp", "symmetric-exponential"},
       false,
       false,
       true,
       "undirected exponential: i ~ i+-2^j"},
      {Kind::one_peer_exponential,
       "one-peer-exp",
       {"one-peer-exponential", "onepeer-exp"},
       true,
       true,
       true,
       "time-varying: at step k, i receives from i+2^(k mod tau), weights 1/2"},
      {Kind::random,
       "random",
       {"erdos-renyi"},
       false,
       false,
       false,
       "Erdos-Renyi G(n,p), connected (Metropolis weights)"},
      {Kind::base,
       "base",
       {"base-graph"},
       false,
       true,
       false,
       "Base-(k+1) graph (base:k=1..8): at most k peers per step, the exact average after one "
       "period, for any n"},
      {Kind::one_peer,
       "one-peer",
       {"one-peer-schedule"},
       false,
       true,
       false,
       "one-peer:SPEC: a static undirected graph's edges, one matching per step (edge "
       "colouring), weights 1/2; default the ring"},
      {Kind::file,
       "file",
       {"weights-file"},
       false,
       false,
       false,
       "file:PATH: your own W (or the W^(t) of a period) from a JSON file, checked doubly "
       "stochastic"},
      {Kind::simple_base,
       "simple-base",
       {"simple-base-graph"},
       false,
       true,
       false,
       "Simple Base-(k+1) graph (simple-base:k=1..8): the base graph's building block, a "
       "longer period for some n"},
      {Kind::equi_static,
       "equi-static",
       {"d-equi-static", "equistatic"},
       true,
       false,
       true,
       "D-EquiStatic (equi-static:m=M,seed=S): the average of M random shifts, O(1) consensus "
       "rate with degree ~ln n"},
      {Kind::u_equi_static,
       "u-equi-static",
       {"u-equistatic"},
       false,
       false,
       true,
       "U-EquiStatic (u-equi-static:m=M,seed=S): the symmetric D-EquiStatic"},
      {Kind::od_equi_dyn,
       "od-equi-dyn",
       {"odequidyn"},
       true,
       true,
       true,
       "OD-EquiDyn (od-equi-dyn:eta=E,steps=T,seed=S): one random shift per step, one peer, "
       "rate ~1/2 per step for any n"},
      {Kind::ou_equi_dyn,
       "ou-equi-dyn",
       {"ouequidyn"},
       false,
       true,
       false,
       "OU-EquiDyn (ou-equi-dyn:eta=E,steps=T,seed=S): one random matching per step, one peer"},
      {Kind::hierarchical,
       "hier",
       {"hierarchical", "inner-outer"},
       false,
       true,
       false,
       "hier:G:SPEC: machines of G nodes; steps alternate the exact average inside each machine "
       "and SPEC (default one-peer-exp) between machines, node l to node l"},
  };
  return kinds;
}

const KindInfo& info(Kind kind) {
  for (const auto& k : all_kinds())
    if (k.kind == kind) return k;
  throw Error(Status::internal, "topology kind missing from the kind table");
}

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for (const auto& k : all_kinds()) names.emplace_back(k.name);
  return names;
}

Kind kind_from_name(std::string_view name) {
  std::string_view closest;
  std::size_t best = std::string_view::npos;
  for (const auto& k : all_kinds()) {
    if (k.name == name) return k.kind;
    for (auto alias : k.aliases)
      if (alias == name) return k.kind;
    const auto d = edit_distance(name, k.name);
    if (d < best) best = d, closest = k.name;
  }
  std::string hint = best <= 2 ? fmt::format(" (did you mean {}?)", closest) : "";
  throw InvalidArgument(fmt::format("topology \"{}\": unknown kind{}; expected one of {}", name,
                                    hint, join(kind_names())));
}

bool is_base_kind(Kind kind) {
  return kind == Kind::base || kind == Kind::simple_base;
}

bool is_equi_topo_kind(Kind kind) {
  return kind == Kind::equi_static || kind == Kind::u_equi_static || kind == Kind::od_equi_dyn ||
         kind == Kind::ou_equi_dyn;
}

std::string_view weight_rule_name(WeightRule rule) {
  switch (rule) {
    case WeightRule::automatic: return "auto";
    case WeightRule::uniform: return "uniform";
    case WeightRule::metropolis: return "metropolis";
  }
  return "?";
}

WeightRule weight_rule_from_name(std::string_view name) {
  if (name == "auto") return WeightRule::automatic;
  if (name == "uniform") return WeightRule::uniform;
  if (name == "metropolis" || name == "metropolis-hastings" || name == "mh")
    return WeightRule::metropolis;
  throw InvalidArgument(
      fmt::format("weights \"{}\": unknown rule; expected one of auto, uniform, metropolis", name));
}

WeightRule resolve_weight_rule(Kind kind, WeightRule requested) {
  if (requested != WeightRule::automatic) return requested;
  return info(kind).regular ? WeightRule::uniform : WeightRule::metropolis;
}

}  // namespace decent::topology
