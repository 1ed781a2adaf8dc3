/* Training through the trainer handle over MPI (decent_trainer_create_with_comm), under
 * mpirun -np 2: the run learns, reports on rank 0 only, and its averaged model equals, bit for
 * bit, an in-process trainer's with 2 nodes run in this same process (the MPI all-reduce sums in
 * rank order like the in-process one). */
#include <stdlib.h>

#include "capi_check.h"

static int reports;
static int count_reports(const decent_progress* p, void* user) {
  (void)p;
  (void)user;
  ++reports;
  return 0;
}

static decent_train_options options(void) {
  decent_train_options o;
  decent_train_default_options(&o);
  o.model = "mlp";
  o.data = "synthetic";
  o.nodes = 2;
  o.topology = "ring";
  o.batch = 16;
  o.lr = 0.05;
  o.max_steps = 30;
  o.log_every = 10;
  o.threads = 1;
  return o;
}

static float* averaged(decent_trainer* t, int64_t* count) {
  decent_model* m = NULL;
  CHECK(decent_trainer_model(t, &m) == DECENT_OK);
  CHECK(decent_model_parameter_count(m, count, NULL) == DECENT_OK);
  float* p = malloc(sizeof(float) * (size_t)*count);
  CHECK(decent_model_get_parameters(m, p, (size_t)*count) == DECENT_OK);
  decent_model_free(m);
  return p;
}

int main(void) {
  decent_comm* comm = NULL;
  CHECK(decent_comm_mpi_create(&comm) == DECENT_OK);
  int rank = -1, size = 0;
  CHECK(decent_comm_rank(comm, &rank) == DECENT_OK && decent_comm_size(comm, &size) == DECENT_OK);
  CHECK(size == 2);

  decent_train_options o = options();
  decent_trainer* over_mpi = NULL;
  CHECK(decent_trainer_create_with_comm(&o, comm, &over_mpi) == DECENT_OK);
  CHECK(decent_trainer_run(over_mpi, count_reports, NULL) == DECENT_OK);
  CHECK(rank == 0 ? reports == 4 : reports == 0); /* 3 train reports and the evaluation */
  int finished = 0;
  CHECK(decent_trainer_finished(over_mpi, &finished) == DECENT_OK && finished == 1);
  double accuracy = 0;
  CHECK(decent_trainer_evaluate(over_mpi, &accuracy, NULL) == DECENT_OK);
  CHECK(accuracy > 0.6); /* mlp reaches 1.0 on the synthetic set; chance is 0.1 */
  int64_t n_mpi = 0, n_local = 0;
  float* a = averaged(over_mpi, &n_mpi);

  decent_trainer* local = NULL;
  CHECK(decent_trainer_create(&o, &local) == DECENT_OK);
  CHECK(decent_trainer_run(local, NULL, NULL) == DECENT_OK);
  float* b = averaged(local, &n_local);
  CHECK(n_mpi == n_local && memcmp(a, b, sizeof(float) * (size_t)n_mpi) == 0);
  free(a);
  free(b);
  decent_trainer_free(local);

  CHECK_FAILS(decent_trainer_create_with_comm(&o, NULL, &local), DECENT_ERR_INVALID_ARGUMENT,
              "'comm' is NULL");
  decent_trainer_free(over_mpi);
  decent_comm_free(comm);
  return report();
}
