// The start-up check that every rank mixes the same way: each rank's topology fingerprint
// (topology::Topology::fingerprint, its name and every weight of its period) against rank 0's.
// The exchange headers carry the fingerprint too, but a failure there names only the two ranks
// of one exchange, mid-run; this names every rank that differs, before the first step.
#pragma once

#include "comm/communicator.hpp"
#include "topology/topology.hpp"

namespace decent::comm {

// Collective over `comm` (a broadcast and an all-reduce of size() doubles). Every rank throws
// the same InvalidArgument naming the ranks whose topology differs from rank 0's; a
// communicator that moves only device memory (NCCL) is not checked here, its exchange headers
// do it.
void check_same_topology(Communicator& comm, const topology::Topology& topology);

}  // namespace decent::comm
