// EquiTopo graphs (Song, Li, Jin, Shi, Yan, Yin, Yuan, "Communication-efficient topologies for
// decentralized learning with O(1) consensus rate", NeurIPS 2022; docs/topology.md): mixing
// matrices built from the basis B_a = (1/n) I + ((n-1)/n) P_a, where P_a is the cyclic shift by
// a (node i receives from i + a mod n) and the shifts a are drawn uniformly from 1 .. n-1.
//
// - D-EquiStatic: W = (1/M) sum_m B_(a_m), M shifts drawn once (with replacement): directed,
//   degree <= M. E||(W - J) x||^2 = (1 - 2/n)/M ||x - mean||^2 over the draws, for any x.
// - U-EquiStatic: W = (1/(2M)) sum_m (B_(a_m) + B_(a_m)^T): symmetric, degree <= 2M.
// - OD-EquiDyn: W^(t) = (1 - eta) I + eta B_(a_t), one fresh shift per step: one peer in, one
//   out. E||(W - J) x||^2 = ((1 - eta)^2 + eta^2 (1 - 2/n)) ||x - mean||^2, about 1/2 at
//   eta = 1/2, whatever n.
// - OU-EquiDyn: per step a shift a and a start s; visiting s, s+1, ... (mod n), node i pairs with
//   i + a when both are free; W^(t) = (1 - eta) I + eta (I/n + ((n-1)/n) P) with P the matching
//   (1 on the diagonal for an unpaired node): symmetric, one peer.
//
// Every draw comes from the spec's seed (mt19937_64, core/rng.hpp), so every rank builds the same
// schedule; the dynamic kinds draw `steps` matrices and repeat them.
#pragma once

#include <vector>

#include "topology/mixing_matrix.hpp"
#include "topology/spec.hpp"

namespace decent::topology {

// The matrices of one period of an EquiTopo kind, for a resolved spec (kind equi_static,
// u_equi_static, od_equi_dyn or ou_equi_dyn, with its m or eta, steps and seed).
std::vector<MixingMatrix> equi_topo_phases(const TopologySpec& resolved);

}  // namespace decent::topology
