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

#include <string>
#include <vector>

#include "topology/mixing_matrix.hpp"

namespace decent::topology {

// The matrices of one period. Throws IoError when the file cannot be read or parsed,
// InvalidArgument for a malformed or non-stochastic matrix.
std::vector<MixingMatrix> read_weights_file(const std::string& path);

}  // namespace decent::topology
