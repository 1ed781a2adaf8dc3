// One-peer schedules of a static undirected graph (as BlueFog's dynamic send/receive ranks):
// the graph's edges coloured so that no two edges of a colour share a node; at step c every
// edge of colour c averages its two nodes (weights 1/2), the other nodes keep their value. Over
// one period every edge of the graph is used once, and each node talks to at most one peer per
// step. The colouring is greedy (edges in order (i, j), i < j, each taking the smallest colour
// free at both ends): at least the largest degree D and at most 2 D - 1 colours.
#pragma once

#include <vector>

#include "topology/mixing_matrix.hpp"

namespace decent::topology {

// The steps of one period for the undirected graph whose matrix is `w` (its weights are not
// used, only which edges exist). One identity step for a graph without edges.
std::vector<MixingMatrix> one_peer_schedule(const MixingMatrix& w);

}  // namespace decent::topology
