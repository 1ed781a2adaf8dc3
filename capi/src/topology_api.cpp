// decent_topology_*: validates arguments and forwards to cpp/topology.
#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <vector>

#include "api_guard.hpp"
#include "handles.hpp"
#include "live_handles.hpp"
#include "topology/spectral.hpp"
#include "topology/weights_file.hpp"

namespace {

using decent::capi::require;
using decent::capi::require_count;
using decent::topology::Neighbor;

const decent::topology::Topology& topo(const decent_topology* t) {
  return decent::capi::live(t, "decent_topology", "topology").impl;
}

int checked_node(const decent_topology* t, int node) {
  topo(t).check_node(node);
  return node;
}

void copy_dense(const std::vector<double>& m, double* out, std::size_t count) {
  require(out, "out");
  require_count(count, m.size(), "out");
  std::copy(m.begin(), m.end(), out);
}

// Which adjacency list of W^(step) a neighbour query reads.
using NeighborList = std::span<const Neighbor> (decent::topology::MixingMatrix::*)(int) const;

// Writes the chosen neighbours of `node` at `step`; *count always gets the true size so that a
// caller can size its arrays from a first call with capacity 0.
void copy_neighbors(const decent_topology* topology, int node, std::int64_t step, NeighborList list,
                    int* nodes, double* weights, std::size_t capacity, std::size_t* count) {
  const auto& w = topo(topology).at(step);
  const auto peers = (w.*list)(checked_node(topology, node));
  require(count, "count") = peers.size();
  if (capacity > 0) {
    require(nodes, "nodes");
    require(weights, "weights");
  }
  require_count(capacity, peers.size(), "nodes/weights (capacity)");
  for (std::size_t k = 0; k < peers.size(); ++k) {
    nodes[k] = peers[k].node;
    weights[k] = peers[k].weight;
  }
}

}  // namespace

extern "C" {

decent_status decent_topology_create(const char* spec, int nodes, decent_topology** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  require(spec, "spec");
  decent::topology::Topology t(spec, nodes);
  auto name = t.name();
  *out = decent::capi::publish(
      std::make_unique<decent_topology>(decent_topology{std::move(t), std::move(name)}),
      "decent_topology");
  DECENT_API_END();
}

decent_status decent_topology_create_from_weights(int nodes, int steps, const double* weights,
                                                  size_t count, decent_topology** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  require(weights, "weights");
  if (nodes < 1 || nodes > decent::topology::kMaxDenseNodes)
    throw decent::InvalidArgument(
        fmt::format("nodes = {}: expected 1 to {}", nodes, decent::topology::kMaxDenseNodes));
  if (steps < 1 || steps > 1 << 20)
    throw decent::InvalidArgument(fmt::format("steps = {}: expected 1 to {}", steps, 1 << 20));
  const auto per_step = static_cast<std::size_t>(nodes) * static_cast<std::size_t>(nodes);
  if (count != per_step * static_cast<std::size_t>(steps))
    throw decent::InvalidArgument(
        fmt::format("count = {}: expected steps x nodes x nodes = {} x {} x {} = {}", count, steps,
                    nodes, nodes, per_step * static_cast<std::size_t>(steps)));
  std::vector<decent::topology::MixingMatrix> phases;
  for (int t = 0; t < steps; ++t)
    phases.push_back(decent::topology::weights_from_dense(
        std::span<const double>(weights + static_cast<std::size_t>(t) * per_step, per_step), nodes,
        fmt::format("step {}", t)));
  decent::topology::Topology topology(std::move(phases), "<arrays>");
  auto name = topology.name();
  *out = decent::capi::publish(
      std::make_unique<decent_topology>(decent_topology{std::move(topology), std::move(name)}),
      "decent_topology");
  DECENT_API_END();
}

void decent_topology_free(decent_topology* topology) {
  decent::capi::retire(topology, "decent_topology", __func__);
}

decent_status decent_topology_nodes(const decent_topology* topology, int* out) {
  DECENT_API_BEGIN();
  require(out, "out") = topo(topology).nodes();
  DECENT_API_END();
}

decent_status decent_topology_period(const decent_topology* topology, int* out) {
  DECENT_API_BEGIN();
  require(out, "out") = topo(topology).period();
  DECENT_API_END();
}

decent_status decent_topology_name(const decent_topology* topology, const char** out) {
  DECENT_API_BEGIN();
  topo(topology);
  require(out, "out") = topology->name.c_str();
  DECENT_API_END();
}

decent_status decent_topology_weights(const decent_topology* topology, int64_t step, double* out,
                                      size_t count) {
  DECENT_API_BEGIN();
  copy_dense(decent::topology::product(topo(topology), step, 1), out, count);
  DECENT_API_END();
}

decent_status decent_topology_product(const decent_topology* topology, int64_t start, int64_t steps,
                                      double* out, size_t count) {
  DECENT_API_BEGIN();
  const auto& t = topo(topology);
  copy_dense(decent::topology::product(t, start, steps == 0 ? t.period() : steps), out, count);
  DECENT_API_END();
}

decent_status decent_topology_rho(const decent_topology* topology, int64_t start, int64_t steps,
                                  double* out) {
  DECENT_API_BEGIN();
  require(out, "out");
  *out = decent::topology::rho(topo(topology), start, steps);
  DECENT_API_END();
}

decent_status decent_topology_in_neighbors(const decent_topology* topology, int node, int64_t step,
                                           int* nodes, double* weights, size_t capacity,
                                           size_t* count) {
  DECENT_API_BEGIN();
  copy_neighbors(topology, node, step, &decent::topology::MixingMatrix::in_neighbors, nodes,
                 weights, capacity, count);
  DECENT_API_END();
}

decent_status decent_topology_out_neighbors(const decent_topology* topology, int node, int64_t step,
                                            int* nodes, double* weights, size_t capacity,
                                            size_t* count) {
  DECENT_API_BEGIN();
  copy_neighbors(topology, node, step, &decent::topology::MixingMatrix::out_neighbors, nodes,
                 weights, capacity, count);
  DECENT_API_END();
}

decent_status decent_topology_self_weight(const decent_topology* topology, int node, int64_t step,
                                          double* out) {
  DECENT_API_BEGIN();
  require(out, "out");
  const auto& w = topo(topology).at(step);
  *out = w.self_weight(checked_node(topology, node));
  DECENT_API_END();
}

decent_status decent_topology_degree(const decent_topology* topology, int node, int64_t step,
                                     int* in_degree, int* out_degree) {
  DECENT_API_BEGIN();
  const auto& w = topo(topology).at(step);
  const int i = checked_node(topology, node);
  if (in_degree) *in_degree = static_cast<int>(w.in_neighbors(i).size());
  if (out_degree) *out_degree = static_cast<int>(w.out_neighbors(i).size());
  DECENT_API_END();
}

decent_status decent_topology_max_degree(const decent_topology* topology, int* out) {
  DECENT_API_BEGIN();
  require(out, "out") = topo(topology).max_degree();
  DECENT_API_END();
}

}  // extern "C"
