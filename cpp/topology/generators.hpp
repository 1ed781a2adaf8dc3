// Graph generators: the edges of each kind, as in-neighbour lists per phase, before weights.
#pragma once

#include <vector>

#include "topology/spec.hpp"

namespace decent::topology {

// in_neighbors[i]: the nodes i receives from (sorted, unique, without i).
using Graph = std::vector<std::vector<int>>;

// Smallest tau with 2^tau >= n (0 for n = 1).
int ceil_log2(int n);

// Fills in everything `spec` left open (node count, grid shape, random p) for `nodes`
// (0: take it from the spec), and checks that the kind allows that node count. A file:
// topology's count stays as given (0: the file's): the Topology reads the file, once.
// Throws InvalidArgument naming the problem and what would be valid.
TopologySpec resolve(const TopologySpec& spec, int nodes);

// The graphs of one period (one graph for static kinds), for a resolved spec.
std::vector<Graph> generate(const TopologySpec& resolved);

}  // namespace decent::topology
