#include "comm/mpi_hosts.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace decent::comm {

int ranks_per_host(MPI_Comm comm) {
  int rank = 0, size = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  MPI_Comm host = MPI_COMM_NULL;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &host);
  int local_rank = 0, local_size = 0;
  MPI_Comm_rank(host, &local_rank);
  MPI_Comm_size(host, &local_size);
  MPI_Comm_free(&host);
  int smallest = 0, largest = 0;
  MPI_Allreduce(&local_size, &smallest, 1, MPI_INT, MPI_MIN, comm);
  MPI_Allreduce(&local_size, &largest, 1, MPI_INT, MPI_MAX, comm);
  if (smallest != largest)
    throw InvalidArgument(fmt::format(
        "hierarchical topology: hosts run {} to {} ranks; every host needs the same number (e.g. "
        "mpirun --map-by ppr:G:node), or write hier:G:SPEC",
        smallest, largest));
  // Rank r must be node r % G of host r / G: the split keeps world order, so r - local rank is
  // the host's first rank, which must be a multiple of G.
  int placed = rank % local_size == local_rank ? 1 : 0, all_placed = 0;
  MPI_Allreduce(&placed, &all_placed, 1, MPI_INT, MPI_MIN, comm);
  if (!all_placed)
    throw InvalidArgument(fmt::format(
        "hierarchical topology: the ranks of a host are not consecutive (rank {} is its host's "
        "rank {}); launch with mpirun --map-by slot (or ppr:{}:node), or write hier:G:SPEC",
        rank, local_rank, local_size));
  return local_size;
}

}  // namespace decent::comm
