#include "comm/topology_check.hpp"

#include <fmt/format.h>

#include <vector>

#include "core/error.hpp"

namespace decent::comm {

void check_same_topology(Communicator& comm, const topology::Topology& topology) {
  if (comm.size() == 1 || comm.memory() != DeviceKind::cpu) return;
  // 64 bits as two 32-bit halves: doubles hold each exactly.
  const std::uint64_t mine = topology.fingerprint();
  double root[2] = {static_cast<double>(mine >> 32), static_cast<double>(mine & 0xffffffffu)};
  comm.broadcast(root, 2, 0);
  const auto root_fingerprint =
      (static_cast<std::uint64_t>(root[0]) << 32) | static_cast<std::uint64_t>(root[1]);
  std::vector<double> differs(static_cast<std::size_t>(comm.size()), 0.0);
  differs[static_cast<std::size_t>(comm.rank())] = mine == root_fingerprint ? 0.0 : 1.0;
  comm.allreduce(differs.data(), differs.size(), ReduceOp::sum);
  std::vector<int> ranks;
  for (std::size_t r = 0; r < differs.size(); ++r)
    if (differs[r] != 0) ranks.push_back(static_cast<int>(r));
  if (ranks.empty()) return;
  throw InvalidArgument(fmt::format(
      "rank{} {} of {} built a different topology from rank 0's (this rank: \"{}\"{}); give every "
      "rank the same --topology and, for file:, the same file",
      ranks.size() == 1 ? "" : "s", fmt::join(ranks, ", "), comm.size(), topology.name(),
      mine == root_fingerprint ? ", as rank 0" : ", unlike rank 0"));
}

}  // namespace decent::comm
