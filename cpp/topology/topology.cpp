#include "topology/topology.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/fnv.hpp"
#include "topology/base_graph.hpp"
#include "topology/equi_topo.hpp"
#include "topology/generators.hpp"
#include "topology/hierarchical.hpp"
#include "topology/one_peer_schedule.hpp"
#include "topology/weights_file.hpp"

namespace decent::topology {
namespace {

// Row and column sums are sums of at most n terms of size <= 1: 1e-12 leaves room for rounding
// at n = 65536 while catching any real imbalance.
constexpr double kStochasticTolerance = 1e-12;

void check_doubly_stochastic(const MixingMatrix& w, const TopologySpec& spec, std::size_t phase) {
  const auto r = w.stochasticity();
  if (r.ok(kStochasticTolerance)) return;
  const auto rule = weight_rule_name(spec.weights);
  const auto hint = spec.weights == WeightRule::uniform && !info(spec.kind).directed
                        ? "; use weights=metropolis"
                        : "";
  throw NumericalError(fmt::format(
      "topology \"{}\": {} weights at step {} are not doubly stochastic: worst row sum {:.6g} "
      "(node {}), worst column sum {:.6g} (node {}), smallest weight {:.3g}{}",
      to_string(spec), rule, phase, r.worst_row_sum, r.worst_row, r.worst_col_sum, r.worst_col,
      r.min_weight, hint));
}

}  // namespace

Topology::Topology(const TopologySpec& spec, int nodes) : spec_(resolve(spec, nodes)) {
  if (spec_.kind == Kind::base) {
    phases_ = base_graph_phases(spec_.nodes, spec_.k);
  } else if (spec_.kind == Kind::simple_base) {
    phases_ = simple_base_graph_phases(spec_.nodes, spec_.k);
  } else if (spec_.kind == Kind::hierarchical) {
    const Topology outer(spec_.inner.front(), spec_.nodes / spec_.per_machine);
    spec_.inner.front() = outer.spec();
    phases_ = hierarchical_phases(spec_.per_machine, outer);
  } else if (is_equi_topo_kind(spec_.kind)) {
    phases_ = equi_topo_phases(spec_);
  } else if (spec_.kind == Kind::one_peer) {
    const Topology inner(spec_.inner.front(), spec_.nodes);
    spec_.inner.front() = inner.spec();  // its node count too, for a file: graph
    spec_.nodes = inner.nodes();
    phases_ = one_peer_schedule(inner.at(0));
  } else if (spec_.kind == Kind::file) {
    phases_ = read_weights_file(spec_.path);  // read once, here: resolve() leaves n to it
    const int in_file = phases_.front().nodes();
    if (spec_.nodes > 0 && spec_.nodes != in_file)
      throw InvalidArgument(fmt::format("topology \"{}\" has {} nodes but {} were asked for",
                                        to_string(spec_), in_file, spec_.nodes));
    spec_.nodes = in_file;
  } else {
    for (const auto& g : generate(spec_)) {
      try {
        phases_.push_back(MixingMatrix::from_graph(g, spec_.weights));
      } catch (const NotSupported& e) {
        throw NotSupported(fmt::format("topology \"{}\": {}", to_string(spec_), e.what()));
      }
    }
  }
  // A file's weights are checked by its reader, to the 1e-9 of decimals.
  if (spec_.kind != Kind::file)
    for (std::size_t t = 0; t < phases_.size(); ++t) check_doubly_stochastic(phases_[t], spec_, t);
  compute_fingerprint();
}

void Topology::compute_fingerprint() {
  const auto text = name();
  std::uint64_t h = fnv1a(text.data(), text.size());
  for (const auto& w : phases_)
    for (int i = 0; i < w.nodes(); ++i) {
      const double self = w.self_weight(i);
      h = fnv1a(&self, sizeof self, h);
      for (const auto& e : w.in_neighbors(i)) {
        h = fnv1a(&e.node, sizeof e.node, h);
        h = fnv1a(&e.weight, sizeof e.weight, h);
      }
    }
  fingerprint_ = h;
}

Topology::Topology(std::string_view spec, int nodes) : Topology(parse_spec(spec), nodes) {}

Topology::Topology(std::vector<MixingMatrix> phases, const std::string& source)
    : phases_(std::move(phases)) {
  if (phases_.empty())
    throw InvalidArgument(fmt::format("topology {}: expected at least one matrix", source));
  for (std::size_t t = 1; t < phases_.size(); ++t)
    if (phases_[t].nodes() != phases_[0].nodes())
      throw InvalidArgument(fmt::format("topology {}: step {} has {} nodes, step 0 has {}", source,
                                        t, phases_[t].nodes(), phases_[0].nodes()));
  spec_.kind = Kind::file;
  spec_.path = source;
  spec_.nodes = phases_[0].nodes();
  compute_fingerprint();
}

bool Topology::directed() const {
  return std::any_of(phases_.begin(), phases_.end(), [](const MixingMatrix& w) {
    for (int i = 0; i < w.nodes(); ++i) {
      const auto in = w.in_neighbors(i), out = w.out_neighbors(i);
      if (!std::equal(in.begin(), in.end(), out.begin(), out.end(),
                      [](const Neighbor& a, const Neighbor& b) { return a.node == b.node; }))
        return true;
    }
    return false;
  });
}

bool Topology::symmetric() const {
  return std::all_of(phases_.begin(), phases_.end(),
                     [](const MixingMatrix& w) { return w.symmetric(); });
}

int Topology::max_degree() const {
  int d = 0;
  for (const auto& w : phases_) d = std::max(d, w.max_degree());
  return d;
}

const MixingMatrix& Topology::at(std::int64_t step) const {
  if (step < 0) throw OutOfRange(fmt::format("step {}: expected a step >= 0", step));
  return phases_[static_cast<std::size_t>(step % period())];
}

void Topology::check_node(std::int64_t node) const {
  if (node < 0 || node >= nodes())
    throw OutOfRange(fmt::format("node {}: expected 0 <= node < {}", node, nodes()));
}

}  // namespace decent::topology
