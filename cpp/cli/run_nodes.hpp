// Runs a per-node function on the chosen backend: `local` starts one thread per node in this
// process; `mpi` runs it once, as this rank, under mpirun (one rank per node).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "comm/communicator.hpp"
#include "topology/topology.hpp"

namespace decent::cli {

using NodeFn = std::function<void(comm::Communicator& comm, const topology::Topology& topology)>;

// A --timeout flag's seconds as the communicators' timeout; 0 (the flag not given) is
// comm::default_timeout() ($DECENT_COMM_TIMEOUT_S, else 300 s).
std::chrono::milliseconds comm_timeout(double seconds);

// `spec` on machines of `per_machine` nodes (--nodes-per-machine; 0 leaves it as it is): a
// hier: spec without G gets it, any other spec becomes hier:G:SPEC.
std::string with_nodes_per_machine(const std::string& spec, int per_machine);

// A hier: spec without G takes G from the hosts under mpi (comm/mpi_hosts.hpp).
// `nodes` (0: from the spec, or the rank count under mpi) must match mpirun's rank count.
// Errors from any node end the run and are rethrown.
void run_on_nodes(const std::string& backend, const std::string& spec, int nodes,
                  std::chrono::milliseconds timeout, const NodeFn& fn);

}  // namespace decent::cli
