/* decent_comm_mpi_create under mpirun: the same collectives as in-process nodes, one per rank. */
#include <math.h>

#include "capi_check.h"

int main(void) {
  decent_comm* comm = NULL;
  CHECK(decent_comm_mpi_create(&comm) == DECENT_OK);
  int rank = -1, size = 0;
  const char* backend = NULL;
  CHECK(decent_comm_rank(comm, &rank) == DECENT_OK && decent_comm_size(comm, &size) == DECENT_OK);
  CHECK(decent_comm_backend(comm, &backend) == DECENT_OK && strcmp(backend, "mpi") == 0);
  float sum = (float)rank;
  CHECK(decent_comm_allreduce(comm, &sum, 1, DECENT_REDUCE_SUM) == DECENT_OK);
  CHECK(fabsf(sum - (float)(size * (size - 1) / 2)) < 1e-6f);
  decent_topology* ring = NULL;
  CHECK(decent_topology_create("ring", size, &ring) == DECENT_OK);
  float x = (float)rank;
  CHECK(decent_comm_neighbor_average(comm, ring, 0, &x, 1) == DECENT_OK);
  double w[64];
  CHECK(decent_topology_weights(ring, 0, w, 64) == DECENT_OK);
  double expected = 0;
  for (int j = 0; j < size; ++j) expected += w[rank * size + j] * j;
  CHECK(fabs(x - expected) < 1e-5);
  decent_topology* wrong = NULL;
  CHECK(decent_topology_create("ring", size + 1, &wrong) == DECENT_OK);
  CHECK_FAILS(decent_comm_neighbor_average(comm, wrong, 0, &x, 1), DECENT_ERR_INVALID_ARGUMENT,
              "nodes");
  decent_topology_free(wrong);
  decent_topology_free(ring);
  decent_comm_free(comm); /* the last communicator: MPI is finalized here */
  decent_comm_free(comm); /* a second free is ignored */
  CHECK(strstr(decent_last_error(), "not a live decent_comm") != NULL);
  /* MPI cannot start twice in a process: an error status, not an aborted job (0.1.0 aborted). */
  decent_comm* again = (decent_comm*)&again;
  CHECK_FAILS(decent_comm_mpi_create(&again), DECENT_ERR_COMMUNICATION, "has been finalized");
  CHECK(again == NULL);
  return report();
}
