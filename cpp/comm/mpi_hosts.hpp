// Which ranks share a host, for the hierarchical topology (topology/hierarchical.hpp): MPI's
// shared-memory split (MPI_COMM_TYPE_SHARED) groups the ranks of one host.
#pragma once

#include <mpi.h>

namespace decent::comm {

// The ranks per host G, when every host has the same count and holds the consecutive ranks
// h G .. h G + G - 1 (as mpirun places them when it fills one host after the other). Collective
// over `comm`; every rank returns the same G or throws the same InvalidArgument, which says what
// differs and how to launch instead.
int ranks_per_host(MPI_Comm comm);

}  // namespace decent::comm
