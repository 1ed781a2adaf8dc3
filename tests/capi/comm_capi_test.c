/* Communicators through the C ABI, from plain C: in-process nodes averaging with collectives and
 * over a topology (against W x computed from decent_topology_weights), failures and bad
 * arguments. */
#include <math.h>
#include <unistd.h>

#include "capi_check.h"

#define N 5
static decent_topology* ring;
static float averaged[N][2];
static float means[N];

static int node(decent_comm* comm, int rank, void* user) {
  (void)user;
  int size = 0, r = -1;
  const char* backend = NULL;
  if (decent_comm_size(comm, &size) || decent_comm_rank(comm, &r) ||
      decent_comm_backend(comm, &backend))
    return 1;
  if (size != N || r != rank || strcmp(backend, "local") != 0) return 1;
  float x[2] = {(float)rank, (float)(rank * rank)};
  if (decent_comm_neighbor_average(comm, ring, 3, x, 2) != DECENT_OK) return 1;
  averaged[rank][0] = x[0];
  averaged[rank][1] = x[1];
  float m = (float)rank;
  if (decent_comm_allreduce(comm, &m, 1, DECENT_REDUCE_AVERAGE) != DECENT_OK) return 1;
  float b = rank == 0 ? 42.0f : 0.0f;
  if (decent_comm_broadcast(comm, &b, 1, 0) != DECENT_OK || b != 42.0f) return 1;
  means[rank] = m;
  return 0;
}

static int failing(decent_comm* comm, int rank, void* user) {
  (void)user;
  if (rank == 1) {
    /* A bad argument inside a node: the node reports it by returning nonzero. */
    return decent_comm_broadcast(comm, NULL, 1, 0) != DECENT_OK;
  }
  float v = 1;
  return decent_comm_allreduce(comm, &v, 1, DECENT_REDUCE_SUM) != DECENT_OK;
}

static int bad_root(decent_comm* comm, int rank, void* user) {
  (void)rank;
  (void)user;
  float v = 0;
  return decent_comm_broadcast(comm, &v, 1, 7) != DECENT_OK;
}

static int bad_op(decent_comm* comm, int rank, void* user) {
  (void)rank;
  (void)user;
  float v = 0;
  return decent_comm_allreduce(comm, &v, 1, (decent_reduce_op)7) != DECENT_OK;
}

/* The non-blocking halves give the same W x as the blocking call, with work between them. */
static float split_result[N][2];
static int split_node(decent_comm* comm, int rank, void* user) {
  (void)user;
  float x[2] = {(float)rank, (float)(rank * rank)};
  if (decent_comm_neighbor_average_start(comm, ring, 3, x, 2) != DECENT_OK) return 1;
  volatile double work = 0;
  for (int i = 0; i < 100000; ++i) work += i;
  if (decent_comm_neighbor_average_finish(comm) != DECENT_OK) return 3;
  split_result[rank][0] = x[0];
  split_result[rank][1] = x[1];
  return 0;
}

/* A second start before finish, and a finish without start, are refused (and, being failed
 * calls on the node's communicator, fail the run though the node returns 0). */
static int split_misuse(decent_comm* comm, int rank, void* user) {
  int* refused = user;
  float x[2] = {(float)rank, 0};
  /* Both refusals come before this node's exchange can be cut short by another's return. */
  if (decent_comm_neighbor_average_finish(comm) == DECENT_ERR_INVALID_ARGUMENT &&
      strstr(decent_last_error(), "without a pending exchange") != NULL)
    ++refused[rank];
  if (decent_comm_neighbor_average_start(comm, ring, 0, x, 2) != DECENT_OK) return 1;
  if (decent_comm_neighbor_average_start(comm, ring, 0, x, 2) == DECENT_ERR_INVALID_ARGUMENT &&
      strstr(decent_last_error(), "an exchange is already pending") != NULL)
    ++refused[rank];
  decent_comm_neighbor_average_finish(comm);
  float sync = 0; /* nobody returns (which ends the run) before every node has counted */
  decent_comm_allreduce(comm, &sync, 1, DECENT_REDUCE_SUM);
  return 0;
}

/* Node 1 arrives only after node 0's allreduce has timed out (timeout 0.3 s). */
static int late_peer(decent_comm* comm, int rank, void* user) {
  const int ignore_failure = *(const int*)user;
  if (rank == 1) {
    usleep(1200 * 1000);
    return 0;
  }
  float v = 1;
  const decent_status s = decent_comm_allreduce(comm, &v, 1, DECENT_REDUCE_SUM);
  return ignore_failure ? 0 : (s != DECENT_OK);
}

static int returns_user_value(decent_comm* comm, int rank, void* user) {
  (void)comm;
  return rank == 1 ? *(const int*)user : 0;
}

/* decent_comm_run_local returns the failing node's own status, with a message. */
/* Doubles: the same collectives in float64, against W x computed here in double; a neighbour
 * that passes floats where this node passes doubles is refused, naming the type. */
static double averaged64[N], means64[N], broadcast64[N], blocking64[N];
static int node_f64(decent_comm* comm, int rank, void* user) {
  (void)user;
  double x = 1.0 / 3 + rank; /* 1/3 has no float: a float32 path would round it */
  if (decent_comm_neighbor_average_start_f64(comm, ring, 3, &x, 1) != DECENT_OK ||
      decent_comm_neighbor_average_finish(comm) != DECENT_OK)
    return 1;
  averaged64[rank] = x;
  double m = 1.0 / 3 + rank;
  if (decent_comm_allreduce_f64(comm, &m, 1, DECENT_REDUCE_AVERAGE) != DECENT_OK) return 1;
  means64[rank] = m;
  double b = rank == 2 ? 3.141592653589793 : 0;
  if (decent_comm_broadcast_f64(comm, &b, 1, 2) != DECENT_OK) return 1;
  broadcast64[rank] = b;
  double y = 1.0 / 3 + rank;
  if (decent_comm_neighbor_average_f64(comm, ring, 3, &y, 1) != DECENT_OK) return 1;
  blocking64[rank] = y;
  return 0;
}
static int mixed_types(decent_comm* comm, int rank, void* user) {
  (void)user;
  if (rank == 0) {
    float f = 1;
    return decent_comm_allreduce(comm, &f, 1, DECENT_REDUCE_SUM) != DECENT_OK;
  }
  double d = 1;
  return decent_comm_allreduce_f64(comm, &d, 1, DECENT_REDUCE_SUM) != DECENT_OK;
}
static void test_doubles(void) {
  CHECK(decent_comm_run_local(N, 60, node_f64, NULL) == DECENT_OK);
  double w[N * N];
  CHECK(decent_topology_weights(ring, 3, w, N * N) == DECENT_OK);
  for (int i = 0; i < N; ++i) {
    double y = 0;
    for (int j = 0; j < N; ++j) y += w[i * N + j] * (1.0 / 3 + j);
    CHECK(fabs(averaged64[i] - y) < 1e-15);
    CHECK(blocking64[i] == averaged64[i]);
    CHECK(fabs(means64[i] - (1.0 / 3 + (N - 1) / 2.0)) < 1e-15);
    CHECK(broadcast64[i] == 3.141592653589793);
  }
  CHECK_FAILS(decent_comm_run_local(2, 30, mixed_types, NULL), DECENT_ERR_COMMUNICATION,
              "disagree on the value type");
  double d = 0;
  CHECK_FAILS(decent_comm_allreduce_f64(NULL, &d, 1, DECENT_REDUCE_SUM),
              DECENT_ERR_INVALID_ARGUMENT, "decent_comm_allreduce_f64: argument 'comm' is NULL");
}

static void test_node_statuses(void) {
  int ignore = 0;
  CHECK_FAILS(decent_comm_run_local(2, 0.3, late_peer, &ignore), DECENT_ERR_TIMEOUT,
              "node 0 failed: decent_comm_allreduce:");
  ignore = 1; /* the node swallows the failure and returns 0: the run still fails */
  CHECK_FAILS(decent_comm_run_local(2, 0.3, late_peer, &ignore), DECENT_ERR_TIMEOUT,
              "node 0 returned 0 after a failed collective: decent_comm_allreduce:");
  int value = 42; /* nonzero, no decent call failed: named, INTERNAL */
  CHECK_FAILS(decent_comm_run_local(3, 30, returns_user_value, &value), DECENT_ERR_INTERNAL,
              "node 1 returned 42 without a failed decent call");
  value = DECENT_ERR_IO; /* a status returned as such */
  CHECK_FAILS(decent_comm_run_local(3, 30, returns_user_value, &value), DECENT_ERR_IO,
              "node 1 returned 5 without a failed decent call");
  /* A stale message from before the run is not reported as the node's failure. */
  int nodes = 0;
  CHECK(decent_topology_nodes(NULL, &nodes) == DECENT_ERR_INVALID_ARGUMENT);
  value = 3;
  CHECK_FAILS(decent_comm_run_local(2, 30, returns_user_value, &value), DECENT_ERR_BUFFER_TOO_SMALL,
              "returned 3 without");
}

int main(void) {
  test_node_statuses();
  CHECK(decent_topology_create("ring", N, &ring) == DECENT_OK);
  CHECK(decent_comm_run_local(N, 60, node, NULL) == DECENT_OK);
  double w[N * N];
  CHECK(decent_topology_weights(ring, 3, w, N * N) == DECENT_OK);
  for (int i = 0; i < N; ++i) {
    double y0 = 0, y1 = 0;
    for (int j = 0; j < N; ++j) {
      y0 += w[i * N + j] * j;
      y1 += w[i * N + j] * j * j;
    }
    CHECK(fabs(averaged[i][0] - y0) < 1e-5 && fabs(averaged[i][1] - y1) < 1e-5);
    CHECK(fabs(means[i] - (N - 1) / 2.0) < 1e-6);
  }
  CHECK(decent_comm_run_local(N, 60, split_node, NULL) == DECENT_OK);
  for (int i = 0; i < N; ++i)
    CHECK(split_result[i][0] == averaged[i][0] && split_result[i][1] == averaged[i][1]);
  int refused[N] = {0};
  CHECK_FAILS(decent_comm_run_local(N, 60, split_misuse, refused), DECENT_ERR_INVALID_ARGUMENT,
              "returned 0 after a failed collective");
  for (int i = 0; i < N; ++i) CHECK(refused[i] == 2);
  test_doubles();
  CHECK_FAILS(decent_comm_run_local(4, 30, failing, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "node 1 failed: decent_comm_broadcast: argument 'data' is NULL");
  CHECK_FAILS(decent_comm_run_local(2, 30, bad_root, NULL), DECENT_ERR_OUT_OF_RANGE,
              "failed: decent_comm_broadcast: broadcast: root 7");
  CHECK_FAILS(decent_comm_run_local(0, 30, node, NULL), DECENT_ERR_INVALID_ARGUMENT, "nodes 0");
  CHECK_FAILS(decent_comm_run_local(2, 30, NULL, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'fn' is NULL");
  int rank = 0;
  CHECK_FAILS(decent_comm_rank(NULL, &rank), DECENT_ERR_INVALID_ARGUMENT, "'comm' is NULL");
  float v = 0;
  CHECK_FAILS(decent_comm_allreduce(NULL, &v, 1, DECENT_REDUCE_SUM), DECENT_ERR_INVALID_ARGUMENT,
              "'comm' is NULL");
  CHECK_FAILS(decent_comm_run_local(2, 30, bad_op, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "expected DECENT_REDUCE_SUM (0) or DECENT_REDUCE_AVERAGE (1)");
  decent_comm_free(NULL);
  decent_topology_free(ring);
  return report();
}
