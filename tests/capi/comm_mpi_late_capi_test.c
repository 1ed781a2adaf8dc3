/* Under mpirun -np 2 with DECENT_COMM_TIMEOUT_S=2: rank 1 arrives at an allreduce 4 s late, after
 * rank 0's has timed out. Both get an error status (rank 0 TIMEOUT; rank 1 TIMEOUT too, since
 * rank 0 has left), free their communicator and exit normally. 0.1.0's rank 0 then crashed in
 * decent_comm_free -> MPI_Finalize: the late data was unpacked into freed receive buffers. */
#include <stdlib.h>
#include <unistd.h>

#include "capi_check.h"

int main(void) {
  decent_comm* comm = NULL;
  CHECK(decent_comm_mpi_create(&comm) == DECENT_OK);
  int rank = -1, size = 0;
  CHECK(decent_comm_rank(comm, &rank) == DECENT_OK && decent_comm_size(comm, &size) == DECENT_OK);
  CHECK(size == 2);
  /* On the heap and freed right after the failure, as a program would: the late data must not
   * land in it. */
  float* values = malloc(sizeof(float) * 100000);
  for (int i = 0; i < 100000; ++i) values[i] = (float)rank;
  if (rank == 1) sleep(4);
  const decent_status s = decent_comm_allreduce(comm, values, 100000, DECENT_REDUCE_SUM);
  CHECK(s == DECENT_ERR_TIMEOUT);
  if (rank == 0) CHECK(strstr(decent_last_error(), "rank 0 waited 2 s") != NULL);
  /* A failed communicator refuses further use instead of mixing old and new messages. */
  CHECK_FAILS(decent_comm_allreduce(comm, values, 1, DECENT_REDUCE_SUM), DECENT_ERR_COMMUNICATION,
              "failed earlier");
  free(values);
  /* Reuse the freed memory while the late rank's data arrives. */
  for (int round = 0; round < 50; ++round) {
    char* p = malloc(400000);
    memset(p, round, 400000);
    free(p);
    usleep(100 * 1000);
  }
  decent_comm_free(comm);
  return report();
}
