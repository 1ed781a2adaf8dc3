// A user's own mixing matrices from a JSON file (topology spec `file:PATH`, docs/topology.md):
//
//   {"weights": [[0.5, 0.5, 0], [0.5, 0.25, 0.25], [0, 0.25, 0.75]]}      one static W
//   {"steps": [{"weights": [...]}, {"edges": [...]}]}                     a period of W^(t)
//   {"n": 3, "edges": [[0, 1, 0.5], [1, 0, 0.5]]}                          w_ij of each edge
//
// Row i of "weights" holds the weights node i gives to the values it receives (w_ij); with
// "edges", [i, j, w] is w_ij (i receives from j) and each self weight is 1 minus the rest of its
// row. Every W must be doubly stochastic and non-negative (to 1e-9: decimal files); an error
// names the file, the step and the row or column that fails.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "topology/mixing_matrix.hpp"

namespace decent::topology {

// The matrices of one period. Throws IoError when the file cannot be read or parsed,
// InvalidArgument for a malformed or non-stochastic matrix.
std::vector<MixingMatrix> read_weights_file(const std::string& path);

// One dense row-major n x n W (w[i n + j] = w_ij), refused with InvalidArgument unless every
// entry is finite and non-negative and every row and column sums to 1 within 1e-9 (the error,
// prefixed by `where`, names the entry, the worst row or the worst column). The file reader and
// the C ABI's arrays (decent_topology_create_from_weights) both use it.
MixingMatrix weights_from_dense(std::span<const double> w, int n, const std::string& where);

}  // namespace decent::topology
