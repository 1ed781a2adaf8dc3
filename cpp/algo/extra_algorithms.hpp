// The algorithms written in files of their own (compressed gossip, push-sum, the outer Nesterov
// step), for make_algorithm (algorithms.cpp). Each checks its own options.
#pragma once

#include <memory>

#include "algo/algorithm.hpp"

namespace decent::algo {

// choco: CHOCO-SGD (choco.cpp).
template <typename T>
std::unique_ptr<Algorithm<T>> make_choco(const AlgorithmOptions& options, std::size_t dimension,
                                         const VectorOps<T>& ops);
// sgp: Stochastic Gradient Push (push_sum.cpp).
template <typename T>
std::unique_ptr<Algorithm<T>> make_push_sum(const AlgorithmOptions& options, std::size_t dimension,
                                            const VectorOps<T>& ops);
// diloco: H inner steps, then an outer Nesterov step on the averaged change (outer_nesterov.cpp).
template <typename T>
std::unique_ptr<Algorithm<T>> make_outer_nesterov(const AlgorithmOptions& options,
                                                  std::size_t dimension, const VectorOps<T>& ops);

}  // namespace decent::algo
