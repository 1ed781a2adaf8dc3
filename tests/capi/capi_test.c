/* The C ABI from plain C, linked only against libdecent.so: versions, status names, the
 * thread-local error message, and every topology entry point on good and bad input. */
#include <decent/decent.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "capi_check.h"

static const double pi = 3.14159265358979323846;

static void* read_error_in_new_thread(void* result) {
  *(const char**)result = decent_last_error();
  return NULL;
}

/* An independent count: the NVIDIA kernel driver lists one folder per GPU here (none without a
 * driver). A library built without CUDA reports 0 whatever the machine has. */
static int gpus_the_driver_lists(void) {
  if (strstr(decent_build_info(), "\"with_cuda\":true") == NULL) return 0;
  DIR* d = opendir("/proc/driver/nvidia/gpus");
  if (d == NULL) return 0;
  int n = 0;
  for (struct dirent* e; (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n;
}

static void test_version_and_status(void) {
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", DECENT_VERSION_MAJOR, DECENT_VERSION_MINOR,
           DECENT_VERSION_PATCH);
  CHECK(strcmp(decent_version(), expected) == 0);
  CHECK(decent_abi_version() == DECENT_ABI_VERSION);
  CHECK(decent_build_info()[0] == '{');
  CHECK(strstr(decent_build_info(), "\"with_mpi\":") != NULL);
  CHECK(strstr(decent_build_info(), expected) != NULL);
  CHECK(strcmp(decent_status_name(DECENT_OK), "DECENT_OK") == 0);
  CHECK(strcmp(decent_status_name(DECENT_ERR_NUMERICAL), "DECENT_ERR_NUMERICAL") == 0);
  CHECK(strcmp(decent_status_name((decent_status)99), "DECENT_ERR_UNKNOWN") == 0);
  CHECK(strcmp(decent_last_error(), "") == 0); /* nothing failed yet */
  int devices = -1;
  CHECK(decent_cuda_device_count(&devices) == DECENT_OK);
  CHECK(devices == gpus_the_driver_lists());
  CHECK_FAILS(decent_cuda_device_count(NULL), DECENT_ERR_INVALID_ARGUMENT, "'out' is NULL");
}

static void test_create_errors(void) {
  decent_topology* t = (decent_topology*)&t; /* garbage that must be reset to NULL */
  CHECK_FAILS(decent_topology_create("ring", 4, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "decent_topology_create: argument 'out' is NULL");
  CHECK_FAILS(decent_topology_create(NULL, 4, &t), DECENT_ERR_INVALID_ARGUMENT, "'spec' is NULL");
  CHECK(t == NULL);
  CHECK_FAILS(decent_topology_create("rign", 4, &t), DECENT_ERR_INVALID_ARGUMENT,
              "\"rign\": unknown kind (did you mean ring?); expected one of ring");
  CHECK_FAILS(decent_topology_create("hypercube", 12, &t), DECENT_ERR_INVALID_ARGUMENT,
              "power of 2");
  CHECK_FAILS(decent_topology_create("torus", 7, &t), DECENT_ERR_INVALID_ARGUMENT, "prime");
  CHECK_FAILS(decent_topology_create("ring", -1, &t), DECENT_ERR_INVALID_ARGUMENT, "at least 1");
  CHECK_FAILS(decent_topology_create("ring", 0, &t), DECENT_ERR_INVALID_ARGUMENT,
              "number of nodes not given");
  CHECK_FAILS(decent_topology_create("random:p=2", 4, &t), DECENT_ERR_INVALID_ARGUMENT,
              "probability");
  CHECK_FAILS(decent_topology_create("star:weights=uniform", 5, &t), DECENT_ERR_NUMERICAL,
              "not doubly stochastic");
  CHECK_FAILS(decent_topology_create("exp:weights=metropolis", 5, &t), DECENT_ERR_NOT_SUPPORTED,
              "undirected");
  CHECK(t == NULL);

  /* The message is per thread: a new thread has seen no failure. */
  const char* other = NULL;
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, read_error_in_new_thread, &other) == 0);
  pthread_join(thread, NULL);
  CHECK(other != NULL && strcmp(other, "") == 0);
  CHECK(strstr(decent_last_error(), "undirected") != NULL);
}

static void test_ring(void) {
  decent_topology* t = NULL;
  CHECK(decent_topology_create("ring", 8, &t) == DECENT_OK && t != NULL);
  int n = 0, period = 0, degree_in = 0, degree_out = 0, max_degree = 0;
  CHECK(decent_topology_nodes(t, &n) == DECENT_OK && n == 8);
  CHECK(decent_topology_period(t, &period) == DECENT_OK && period == 1);
  const char* name = NULL;
  CHECK(decent_topology_name(t, &name) == DECENT_OK &&
        strcmp(name, "ring:n=8,weights=uniform") == 0);

  double rho = 0;
  CHECK(decent_topology_rho(t, 0, 1, &rho) == DECENT_OK);
  CHECK(fabs(rho - (1.0 / 3 + 2.0 / 3 * cos(2 * pi / 8))) < 1e-12);
  /* steps 0 (one period) is valid, so the message must not say "1 <= steps" */
  CHECK_FAILS(decent_topology_rho(t, 0, -1, &rho), DECENT_ERR_OUT_OF_RANGE,
              "steps -1: expected 0 (one period) to");

  double w[64];
  CHECK(decent_topology_weights(t, 0, w, 64) == DECENT_OK);
  CHECK(fabs(w[0 * 8 + 1] - 1.0 / 3) < 1e-15 && fabs(w[0 * 8 + 7] - 1.0 / 3) < 1e-15);
  CHECK(w[0 * 8 + 4] == 0.0);
  CHECK_FAILS(decent_topology_weights(t, 0, w, 63), DECENT_ERR_BUFFER_TOO_SMALL, "64 are needed");
  CHECK_FAILS(decent_topology_weights(t, 0, NULL, 64), DECENT_ERR_INVALID_ARGUMENT,
              "'out' is NULL");
  CHECK_FAILS(decent_topology_weights(t, -1, w, 64), DECENT_ERR_OUT_OF_RANGE, "step -1");
  CHECK_FAILS(decent_topology_weights(NULL, 0, w, 64), DECENT_ERR_INVALID_ARGUMENT,
              "'topology' is NULL");
  CHECK_FAILS(decent_topology_product(t, 0, -2, w, 64), DECENT_ERR_OUT_OF_RANGE, "steps -2");

  int peers[2];
  double weights[2];
  size_t count = 0;
  CHECK_FAILS(decent_topology_in_neighbors(t, 0, 0, NULL, NULL, 0, &count),
              DECENT_ERR_BUFFER_TOO_SMALL, "2 are needed");
  CHECK(count == 2);
  CHECK(decent_topology_in_neighbors(t, 0, 0, peers, weights, 2, &count) == DECENT_OK);
  CHECK(count == 2 && peers[0] == 1 && peers[1] == 7);
  CHECK(fabs(weights[0] - 1.0 / 3) < 1e-15);
  CHECK(decent_topology_out_neighbors(t, 3, 0, peers, weights, 2, &count) == DECENT_OK);
  CHECK(count == 2 && peers[0] == 2 && peers[1] == 4);
  CHECK_FAILS(decent_topology_in_neighbors(t, 8, 0, peers, weights, 2, &count),
              DECENT_ERR_OUT_OF_RANGE, "node 8: expected 0 <= node < 8");
  CHECK_FAILS(decent_topology_in_neighbors(t, 0, 0, NULL, weights, 2, &count),
              DECENT_ERR_INVALID_ARGUMENT, "'nodes' is NULL");
  CHECK_FAILS(decent_topology_in_neighbors(t, 0, 0, peers, weights, 2, NULL),
              DECENT_ERR_INVALID_ARGUMENT, "'count' is NULL");

  double self = 0;
  CHECK(decent_topology_self_weight(t, 5, 0, &self) == DECENT_OK && fabs(self - 1.0 / 3) < 1e-15);
  CHECK_FAILS(decent_topology_self_weight(t, -1, 0, &self), DECENT_ERR_OUT_OF_RANGE, "node -1");
  CHECK(decent_topology_degree(t, 2, 0, &degree_in, &degree_out) == DECENT_OK);
  CHECK(degree_in == 2 && degree_out == 2);
  CHECK(decent_topology_degree(t, 2, 0, NULL, NULL) == DECENT_OK);
  CHECK(decent_topology_max_degree(t, &max_degree) == DECENT_OK && max_degree == 2);
  CHECK_FAILS(decent_topology_max_degree(t, NULL), DECENT_ERR_INVALID_ARGUMENT, "'out' is NULL");
  decent_topology_free(t);
  decent_topology_free(NULL);
}

static void test_one_peer_exponential(void) {
  decent_topology* t = NULL;
  CHECK(decent_topology_create("one-peer-exp:n=8", 0, &t) == DECENT_OK);
  int period = 0;
  CHECK(decent_topology_period(t, &period) == DECENT_OK && period == 3);
  double p[64], rho = 1;
  CHECK(decent_topology_product(t, 0, 0, p, 64) == DECENT_OK);
  double worst = 0;
  for (int e = 0; e < 64; ++e) worst = fmax(worst, fabs(p[e] - 1.0 / 8));
  CHECK(worst < 1e-15);
  CHECK(decent_topology_rho(t, 2, 0, &rho) == DECENT_OK && rho < 1e-12);
  int peer = -1;
  double weight = 0;
  size_t count = 0;
  CHECK(decent_topology_in_neighbors(t, 0, 2, &peer, &weight, 1, &count) == DECENT_OK);
  CHECK(count == 1 && peer == 4 && weight == 0.5); /* step 2: from 0 + 2^2 */
  decent_topology_free(t);
}

static void test_from_weights(void) {
  /* Two steps on 3 nodes: pairs (0,1) then (1,2), weights 1/2; then a bad matrix of each kind. */
  double w[2 * 9] = {0.5, 0.5, 0, 0.5, 0.5, 0,   0, 0,   1, /* step 0 */
                     1,   0,   0, 0,   0.5, 0.5, 0, 0.5, 0.5};
  decent_topology* t = NULL;
  CHECK(decent_topology_create_from_weights(3, 2, w, 18, &t) == DECENT_OK && t != NULL);
  int n = 0, period = 0;
  CHECK(decent_topology_nodes(t, &n) == DECENT_OK && n == 3);
  CHECK(decent_topology_period(t, &period) == DECENT_OK && period == 2);
  const char* name = NULL;
  CHECK(decent_topology_name(t, &name) == DECENT_OK && strcmp(name, "file:<arrays>") == 0);
  double back[9], product[9];
  CHECK(decent_topology_weights(t, 3, back, 9) == DECENT_OK); /* step 3 = matrix 1 */
  for (int k = 0; k < 9; ++k) CHECK(back[k] == w[9 + k]);
  /* W1 W0: row 0 (1/2, 1/2, 0), rows 1 and 2 (1/4, 1/4, 1/2), by hand. */
  CHECK(decent_topology_product(t, 0, 2, product, 9) == DECENT_OK);
  const double expected[9] = {0.5, 0.5, 0, 0.25, 0.25, 0.5, 0.25, 0.25, 0.5};
  for (int k = 0; k < 9; ++k) CHECK(fabs(product[k] - expected[k]) < 1e-15);
  decent_topology_free(t);

  decent_topology* bad = (decent_topology*)&bad;
  CHECK_FAILS(decent_topology_create_from_weights(3, 2, w, 17, &bad), DECENT_ERR_INVALID_ARGUMENT,
              "expected steps x nodes x nodes = 2 x 3 x 3 = 18");
  CHECK(bad == NULL);
  CHECK_FAILS(decent_topology_create_from_weights(3, 1, NULL, 9, &bad), DECENT_ERR_INVALID_ARGUMENT,
              "'weights' is NULL");
  CHECK_FAILS(decent_topology_create_from_weights(0, 1, w, 0, &bad), DECENT_ERR_INVALID_ARGUMENT,
              "nodes = 0");
  w[9 + 4] = 0.6; /* step 1, row 1 sums to 1.1 */
  CHECK_FAILS(decent_topology_create_from_weights(3, 2, w, 18, &bad), DECENT_ERR_INVALID_ARGUMENT,
              "step 1: not doubly stochastic: row 1");
  w[9 + 4] = 0.5;
  w[0] = 0.4; /* step 0: row 0 (0.4, 0.4, 0.2); columns sum to 0.9, 0.9 and 1.2 */
  w[1] = 0.4;
  w[2] = 0.2;
  CHECK_FAILS(decent_topology_create_from_weights(3, 2, w, 18, &bad), DECENT_ERR_INVALID_ARGUMENT,
              "step 0: not doubly stochastic: column 2");
  w[0] = 1.5; /* row 0 (1.5, -0.5, 0) sums to 1, but a weight is negative */
  w[1] = -0.5;
  w[2] = 0;
  CHECK_FAILS(decent_topology_create_from_weights(3, 2, w, 18, &bad), DECENT_ERR_INVALID_ARGUMENT,
              "w[0][1] = -0.5 is not a finite non-negative number");
}

static void test_freed_handles(void) {
  decent_topology* t = NULL;
  CHECK(decent_topology_create("ring", 4, &t) == DECENT_OK);
  decent_topology_free(t);
  int n = 0;
  CHECK_FAILS(decent_topology_nodes(t, &n), DECENT_ERR_INVALID_ARGUMENT,
              "argument 'topology' is not a live decent_topology");
  decent_topology_free(t); /* a second free is ignored */
  int not_a_handle = 0;
  CHECK_FAILS(decent_topology_nodes((decent_topology*)&not_a_handle, &n),
              DECENT_ERR_INVALID_ARGUMENT, "not a live decent_topology");
}

/* Gossip-AGA's period rule, against ceil(sqrt(F_init / F) * H0) worked out by hand. */
static void test_aga_period(void) {
  int64_t h = 0;
  CHECK(decent_aga_next_period(8, 2.0, 0.5, 8, &h) == DECENT_OK && h == 16); /* sqrt 4 = 2 */
  CHECK(decent_aga_next_period(8, 0.7, 0.7, 3, &h) == DECENT_OK && h == 8);  /* ratio 1 */
  CHECK(decent_aga_next_period(8, 1.0, 3.0, 8, &h) == DECENT_OK && h == 5);  /* 4.62 up */
  CHECK(decent_aga_next_period(8, 1.0, 100, 8, &h) == DECENT_OK && h == 1);  /* 0.8 -> 1 */
  CHECK(decent_aga_next_period(8, 0.0, 1.0, 6, &h) == DECENT_OK && h == 6);  /* unchanged */
  CHECK_FAILS(decent_aga_next_period(0, 1, 1, 1, &h), DECENT_ERR_INVALID_ARGUMENT,
              "initial_period 0");
  CHECK_FAILS(decent_aga_next_period(4, 1, 0.0 / 0.0, 4, &h), DECENT_ERR_INVALID_ARGUMENT, "NaN");
  CHECK_FAILS(decent_aga_next_period(4, 1, 1, 4, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'out' is NULL");
}

int main(void) {
  test_version_and_status(); /* first: it checks that no error has been recorded yet */
  test_freed_handles();
  test_create_errors();
  test_ring();
  test_one_peer_exponential();
  test_from_weights();
  test_aga_period();
  return report();
}
