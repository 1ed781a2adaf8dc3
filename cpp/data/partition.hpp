// Splitting a dataset across nodes.
//
// - iid: a seeded shuffle dealt into parts whose sizes differ by at most one.
// - dirichlet: heterogeneous; for every class, the share of each node is drawn from
//   Dirichlet(alpha, ..., alpha) (Hsu et al. 2019). Small alpha (0.1) gives each node a few
//   dominant classes; large alpha approaches iid.
// - sorted: the most heterogeneous; indices sorted by label and cut into contiguous parts, so
//   each node sees about classes / nodes labels.
// Every index lands in exactly one part, the same on every node for the same seed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace decent::data {

enum class PartitionKind { iid, dirichlet, sorted };

struct PartitionOptions {
  PartitionKind kind = PartitionKind::iid;
  double alpha = 0.5;  // dirichlet only
  std::uint64_t seed = 1;
};

// Parses "iid", "dirichlet", "dirichlet:0.1" (alpha) or "sorted".
PartitionOptions parse_partition(const std::string& spec, std::uint64_t seed);

std::vector<std::vector<std::int64_t>> partition(std::span<const std::int32_t> labels,
                                                 std::int64_t classes, int nodes,
                                                 const PartitionOptions& options);

}  // namespace decent::data
