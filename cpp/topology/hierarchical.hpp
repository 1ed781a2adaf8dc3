// Hierarchical, machine-aware graphs (docs/topology.md): n = M G nodes on M machines of G nodes
// each, node m G + l being machine m's node l (the order mpirun gives ranks when it fills one
// host after another). The steps alternate:
// - inside every machine, the exact average (W = I_M (x) 11^T/G: an all-reduce over the fast
//   local link);
// - across machines, the outer topology's W_o^(s) between the machines, node l of a machine
//   talking to node l of its peer machines only (W = W_o^(s) (x) I_G): with a one-peer outer
//   graph, one peer per step across machines.
// Two steps together are W_o^(s) (x) 11^T/G: the outer graph's mixing of the machine averages.
// As BlueFog's inner-outer graphs and BAGUA's hierarchical decentralized mode do.
#pragma once

#include <vector>

#include "topology/mixing_matrix.hpp"

namespace decent::topology {

class Topology;

// The matrices of one period: intra, cross W_o^(0), intra, cross W_o^(1), ... (only the cross
// steps when G = 1, only the intra step when there is one machine).
std::vector<MixingMatrix> hierarchical_phases(int per_machine, const Topology& outer);

}  // namespace decent::topology
