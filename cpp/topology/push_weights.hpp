// Push-sum's mixing (algo/push_sum.cpp): the same edges as a topology, weighted so that every
// column sums to 1: node j keeps and sends p_ij = 1 / (1 + outdeg_j) of what it holds at each
// step. Rows need not sum to 1 (they do on regular graphs, where this is the uniform W).
#pragma once

#include "topology/topology.hpp"

namespace decent::topology {

// The topology named "push:NAME" with those weights, one matrix per step of t's period.
Topology push_weights(const Topology& t);

}  // namespace decent::topology
