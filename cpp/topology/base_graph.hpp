// Base-(k+1) graphs (Takezawa, Sato, Niwa, Yamada, "Beyond Exponential Graph:
// Communication-Efficient Topologies for Decentralized Learning via Finite-time Convergence",
// NeurIPS 2023; docs/topology.md): a time-varying graph on any n in which every node talks to
// at most k peers per step and the product of the W^(t) over one period is exactly 11^T / n.
//
// - k-peer hyper-hypercube, for n whose prime factors are all at most k+1: n = f_1 ... f_L
//   (factors k+1 down to 2), nodes as mixed-radix digits; in round r each node averages
//   uniformly (1/f_r) with the f_r - 1 nodes that differ from it in digit r only.
// - Simple Base-(k+1) graph: otherwise n is written in base k+1, n = sum_l a_l (k+1)^(p_l) with p_0
// > p_1 > ... and
//   1 <= a_l <= k, the nodes split into consecutive groups V_l of those sizes. Then:
//   1. every group runs its own hyper-hypercube (a_l (k+1)^(p_l) has factors <= k+1), idle once
//      done: each group holds its own average;
//   2. one merge: every node of U = V_1 u ... u V_(L-1) (|U| < (k+1)^(p_0)) is paired with one
//      node in each of the a_0 blocks of (k+1)^(p_0) nodes of V_0, with weight (k+1)^(p_0) / n
//      on each edge: U's nodes now hold the exact average, V_0's paired nodes a mix;
//   3. each block of V_0 runs the hyper-hypercube of (k+1)^(p_0) nodes (p_0 rounds), which
//      averages its paired and unpaired nodes into the exact average.
//   The period is at most 2 log_(k+1)(n) + 2.
// - Base-(k+1) graph: n = p q with p the largest divisor of n whose prime factors are all at
//   most k+1; the p groups of q consecutive nodes run the Simple Base-(k+1) graph on q nodes,
//   then node j of every group joins the hyper-hypercube on those p nodes. Kept when it is no
//   longer than the Simple Base-(k+1) graph on all n (n = 6, k = 1: 3 + 1 rounds, not 5).
#pragma once

#include <vector>

#include "topology/mixing_matrix.hpp"

namespace decent::topology {

// The mixing matrices of one period of the Base-(k+1) graph on n nodes (k >= 1).
std::vector<MixingMatrix> base_graph_phases(int n, int k);
// The same for the Simple Base-(k+1) graph.
std::vector<MixingMatrix> simple_base_graph_phases(int n, int k);

}  // namespace decent::topology
