/* Datasets from the caller's memory, trainers on them, and the log callback, from plain C.
 * Expected values come from outside the code under test: a mean and deviation worked out by
 * hand, a trainer on file data that the memory trainer must equal bit for bit, an in-process
 * run that the communicator run must equal, and a problem that chance cannot solve. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "capi_check.h"

static decent_train_options small_options(void) {
  decent_train_options o;
  decent_train_default_options(&o);
  o.model = "mlp";
  o.data = "synthetic";
  o.nodes = 2;
  o.topology = "ring";
  o.batch = 16;
  o.lr = 0.05;
  o.max_steps = 30;
  o.log_every = 5;
  o.threads = 1;
  return o;
}

static void test_bad_inputs(void) {
  float images[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  int32_t labels[2] = {0, 1};
  decent_dataset* d = (decent_dataset*)&d;
  CHECK_FAILS(decent_dataset_from_memory(NULL, 8, labels, 2, 1, 2, 2, 2, &d),
              DECENT_ERR_INVALID_ARGUMENT, "'images' is NULL");
  CHECK(d == NULL);
  CHECK_FAILS(decent_dataset_from_memory(images, 8, NULL, 2, 1, 2, 2, 2, &d),
              DECENT_ERR_INVALID_ARGUMENT, "'labels' is NULL");
  CHECK_FAILS(decent_dataset_from_memory(images, 8, labels, 2, 1, 2, 2, 2, NULL),
              DECENT_ERR_INVALID_ARGUMENT, "'out' is NULL");
  CHECK_FAILS(decent_dataset_from_memory(images, 7, labels, 2, 1, 2, 2, 2, &d),
              DECENT_ERR_INVALID_ARGUMENT, "7 image values for 2 labels");
  CHECK_FAILS(decent_dataset_from_memory(images, 8, labels, 0, 1, 2, 2, 2, &d),
              DECENT_ERR_INVALID_ARGUMENT, "count 0");
  CHECK_FAILS(decent_dataset_from_memory(images, 8, labels, 2, 0, 2, 4, 2, &d),
              DECENT_ERR_INVALID_ARGUMENT, "each must be >= 1");
  CHECK_FAILS(decent_dataset_from_memory(images, 8, labels, 2, 1, 2, 2, 1, &d),
              DECENT_ERR_INVALID_ARGUMENT, "classes 1");
  int32_t bad_labels[2] = {0, 2};
  CHECK_FAILS(decent_dataset_from_memory(images, 8, bad_labels, 2, 1, 2, 2, 2, &d),
              DECENT_ERR_OUT_OF_RANGE, "label 2 of image 1: expected 0 to 1");
  images[6] = NAN;
  CHECK_FAILS(decent_dataset_from_memory(images, 8, labels, 2, 1, 2, 2, 2, &d),
              DECENT_ERR_INVALID_ARGUMENT, "image 1 holds nan at value 6");
  CHECK(d == NULL);
}

/* Two 1x1x2 images {0, 2} and {4, 6}: mean 3, variance (9 + 1 + 1 + 9) / 4 = 5. */
static void test_normalization(void) {
  const float images[4] = {0, 2, 4, 6};
  const int32_t labels[2] = {1, 0};
  decent_dataset* d = NULL;
  CHECK(decent_dataset_from_memory(images, 4, labels, 2, 1, 1, 2, 2, &d) == DECENT_OK);
  int64_t n = 0, c = 0, h = 0, w = 0, k = 0;
  CHECK(decent_dataset_size(d, &n) == DECENT_OK && n == 2);
  CHECK(decent_dataset_shape(d, &c, &h, &w, &k) == DECENT_OK);
  CHECK(c == 1 && h == 1 && w == 2 && k == 2);
  float mean = 0, stddev = 0;
  CHECK(decent_dataset_normalization(d, &mean, &stddev, 1) == DECENT_OK);
  CHECK(fabsf(mean - 3.0f) < 1e-6f);
  CHECK(fabsf(stddev - sqrtf(5.0f)) < 1e-6f);
  const int64_t idx[2] = {1, 0};
  float out[4];
  int32_t out_labels[2];
  CHECK(decent_dataset_batch(d, idx, 2, out, 4, out_labels, 2) == DECENT_OK);
  CHECK(out_labels[0] == 0 && out_labels[1] == 1);
  const float expected[4] = {4, 6, 0, 2};
  for (int i = 0; i < 4; ++i) CHECK(fabsf(out[i] - (expected[i] - 3.0f) / sqrtf(5.0f)) < 1e-6f);

  /* Mean 1, deviation 2: (v - 1) / 2 is v * 0.5 - 0.5 in float, exact for these values. */
  const float m1 = 1, s2 = 2;
  CHECK(decent_dataset_set_normalization(d, &m1, &s2, 1) == DECENT_OK);
  CHECK(decent_dataset_batch(d, idx, 2, out, 4, out_labels, 2) == DECENT_OK);
  for (int i = 0; i < 4; ++i) CHECK(out[i] == (expected[i] - 1.0f) / 2.0f);
  CHECK(decent_dataset_normalization(d, &mean, &stddev, 1) == DECENT_OK);
  CHECK(mean == 1.0f && stddev == 2.0f);

  const float zero = 0, nan = NAN, two[2] = {1, 1};
  CHECK_FAILS(decent_dataset_set_normalization(d, &m1, &zero, 1), DECENT_ERR_INVALID_ARGUMENT,
              "stddev > 0");
  CHECK_FAILS(decent_dataset_set_normalization(d, &nan, &s2, 1), DECENT_ERR_INVALID_ARGUMENT,
              "expected finite");
  CHECK_FAILS(decent_dataset_set_normalization(d, two, two, 2), DECENT_ERR_INVALID_ARGUMENT,
              "count 2: the dataset has 1 channels");
  CHECK_FAILS(decent_dataset_set_normalization(NULL, &m1, &s2, 1), DECENT_ERR_INVALID_ARGUMENT,
              "'dataset' is NULL");
  decent_dataset_free(d);
}

/* A split of decent_dataset_open's synthetic data as memory data: its normalised batches (the
 * training statistics applied, as the file trainer applies them), with mean 0 and deviation 1,
 * so that the memory trainer sees the same floats. */
static decent_dataset* as_memory(int train) {
  decent_dataset* file = NULL;
  CHECK(decent_dataset_open("synthetic", NULL, train, &file) == DECENT_OK);
  int64_t n = 0;
  CHECK(decent_dataset_size(file, &n) == DECENT_OK);
  int64_t* idx = malloc(sizeof(int64_t) * (size_t)n);
  float* images = malloc(sizeof(float) * (size_t)n * 784);
  int32_t* labels = malloc(sizeof(int32_t) * (size_t)n);
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  CHECK(decent_dataset_batch(file, idx, (size_t)n, images, (size_t)n * 784, labels, (size_t)n) ==
        DECENT_OK);
  decent_dataset* d = NULL;
  CHECK(decent_dataset_from_memory(images, (size_t)n * 784, labels, (size_t)n, 1, 28, 28, 10, &d) ==
        DECENT_OK);
  const float zero = 0, one = 1;
  CHECK(decent_dataset_set_normalization(d, &zero, &one, 1) == DECENT_OK);
  free(idx);
  free(images);
  free(labels);
  decent_dataset_free(file);
  return d;
}

static float* trained_parameters(decent_trainer* t, int64_t* count) {
  decent_model* m = NULL;
  CHECK(decent_trainer_model(t, &m) == DECENT_OK);
  CHECK(decent_model_parameter_count(m, count, NULL) == DECENT_OK);
  float* p = malloc(sizeof(float) * (size_t)*count);
  CHECK(decent_model_get_parameters(m, p, (size_t)*count) == DECENT_OK);
  decent_model_free(m);
  return p;
}

typedef struct {
  decent_dataset *train, *test;
  float* parameters[2];
  int64_t count;
} comm_run;

static int node_with_data(decent_comm* comm, int rank, void* user) {
  comm_run* run = user;
  decent_train_options o = small_options();
  decent_trainer* t = NULL;
  if (decent_trainer_create_with_data(&o, run->train, run->test, comm, &t) != DECENT_OK) return 1;
  const int ok = decent_trainer_run(t, NULL, NULL) == DECENT_OK;
  if (ok) run->parameters[rank] = trained_parameters(t, &run->count);
  decent_trainer_free(t);
  return ok ? 0 : 1;
}

static void test_trainer_equals_file_trainer(void) {
  decent_dataset* train = as_memory(1);
  decent_dataset* test = as_memory(0);
  decent_train_options o = small_options();
  o.crop_padding = 2; /* augmentation sees the same floats too */
  o.flip = 1;
  decent_trainer *from_files = NULL, *from_memory = NULL;
  CHECK(decent_trainer_create(&o, &from_files) == DECENT_OK);
  o.data = "fashion-mnist"; /* ignored: the data are the handles' */
  o.data_dir = "/nonexistent";
  CHECK(decent_trainer_create_with_data(&o, train, test, NULL, &from_memory) == DECENT_OK);
  CHECK(decent_trainer_run(from_files, NULL, NULL) == DECENT_OK);
  CHECK(decent_trainer_run(from_memory, NULL, NULL) == DECENT_OK);
  int64_t n1 = 0, n2 = 0;
  float* p1 = trained_parameters(from_files, &n1);
  float* p2 = trained_parameters(from_memory, &n2);
  CHECK(n1 == n2 && n1 > 0);
  CHECK(memcmp(p1, p2, sizeof(float) * (size_t)n1) == 0);
  double a1 = -1, a2 = -2;
  CHECK(decent_trainer_evaluate(from_files, &a1, NULL) == DECENT_OK);
  CHECK(decent_trainer_evaluate(from_memory, &a2, NULL) == DECENT_OK);
  CHECK(a1 == a2);
  const char* json = NULL;
  CHECK(decent_trainer_config_json(from_memory, &json) == DECENT_OK);
  CHECK(json != NULL && strstr(json, "\"data\":\"memory\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"data_dir\":\"\"") != NULL);
  free(p1);
  free(p2);
  decent_trainer_free(from_files);
  decent_trainer_free(from_memory);

  /* The same run over a communicator (two in-process nodes, one trainer each) equals the
   * in-process trainer with two nodes. */
  comm_run run = {train, test, {NULL, NULL}, 0};
  o = small_options();
  CHECK(decent_trainer_create_with_data(&o, train, test, NULL, &from_memory) == DECENT_OK);
  CHECK(decent_trainer_run(from_memory, NULL, NULL) == DECENT_OK);
  p2 = trained_parameters(from_memory, &n2);
  decent_trainer_free(from_memory);
  CHECK(decent_comm_run_local(2, 60.0, node_with_data, &run) == DECENT_OK);
  for (int r = 0; r < 2; ++r) {
    CHECK(run.parameters[r] != NULL && run.count == n2);
    if (run.parameters[r]) CHECK(memcmp(run.parameters[r], p2, sizeof(float) * (size_t)n2) == 0);
    free(run.parameters[r]);
  }
  free(p2);

  /* A test split of another shape or class count is refused at create. */
  const float images[4] = {0, 1, 2, 3};
  const int32_t labels[1] = {0};
  decent_dataset* other = NULL;
  CHECK(decent_dataset_from_memory(images, 4, labels, 1, 1, 2, 2, 10, &other) == DECENT_OK);
  decent_trainer* t = (decent_trainer*)&t;
  CHECK_FAILS(decent_trainer_create_with_data(&o, train, other, NULL, &t), DECENT_ERR_IO,
              "test images are 1x2x2 in 10 classes");
  CHECK(t == NULL);
  CHECK_FAILS(decent_trainer_create_with_data(&o, train, NULL, NULL, &t),
              DECENT_ERR_INVALID_ARGUMENT, "'test' is NULL");
  CHECK_FAILS(decent_trainer_create_with_data(NULL, train, test, NULL, &t),
              DECENT_ERR_INVALID_ARGUMENT, "'options' is NULL");
  decent_dataset_free(other);
  /* A file trainer asked for "memory" data says where memory data come from. */
  o.data = "memory";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "decent_trainer_create_with_data");
  decent_dataset_free(train);
  decent_dataset_free(test);
}

/* Four classes of 1x8x8 images: class k lights quadrant k (value 3) over uniform noise in
 * [-1, 1]. A trainer at chance scores 0.25; the mlp learns it almost perfectly. */
static decent_dataset* quadrants(int count, unsigned seed) {
  float* images = malloc(sizeof(float) * (size_t)count * 64);
  int32_t* labels = malloc(sizeof(int32_t) * (size_t)count);
  srand(seed);
  for (int i = 0; i < count; ++i) {
    labels[i] = rand() % 4;
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        const int q = (y >= 4) * 2 + (x >= 4);
        images[i * 64 + y * 8 + x] =
            (q == labels[i] ? 3.0f : 0.0f) + 2.0f * ((float)rand() / (float)RAND_MAX) - 1.0f;
      }
  }
  decent_dataset* d = NULL;
  CHECK(decent_dataset_from_memory(images, (size_t)count * 64, labels, (size_t)count, 1, 8, 8, 4,
                                   &d) == DECENT_OK);
  free(images);
  free(labels);
  return d;
}

static void test_trainer_learns_own_data(void) {
  decent_dataset* train = quadrants(1600, 1);
  decent_dataset* test = quadrants(400, 2);
  decent_train_options o = small_options();
  o.nodes = 4;
  o.max_steps = 0;
  o.epochs = 2;
  decent_trainer* t = NULL;
  CHECK(decent_trainer_create_with_data(&o, train, test, NULL, &t) == DECENT_OK);
  CHECK(decent_trainer_run(t, NULL, NULL) == DECENT_OK);
  double accuracy = 0;
  CHECK(decent_trainer_evaluate(t, &accuracy, NULL) == DECENT_OK);
  CHECK(accuracy > 0.9);
  decent_trainer_free(t);
  decent_dataset_free(train);
  decent_dataset_free(test);
}

typedef struct {
  int messages[4];
  char last[4][512];
  int nested_ok;
} log_record;

static void record(decent_log_level level, const char* message, void* user) {
  log_record* r = user;
  if (level < 0 || level > 3) return;
  ++r->messages[level];
  snprintf(r->last[level], sizeof r->last[level], "%s", message);
  /* A call into decent from the callback works; its own error message is not delivered. */
  decent_topology* t = NULL;
  if (decent_topology_create("no-such-kind", 4, &t) != DECENT_OK) r->nested_ok = 1;
  if (decent_set_log_callback(NULL, NULL, DECENT_LOG_ERROR) != DECENT_OK) r->nested_ok += 1;
}

static void test_log_callback(void) {
  /* The library itself writes nothing to stderr: a failing call and a run, stderr in a file. */
  char path[] = "/tmp/decent_stderr_XXXXXX";
  const int fd = mkstemp(path);
  CHECK(fd >= 0);
  fflush(stderr);
  const int saved = dup(2);
  dup2(fd, 2);
  decent_topology* t = NULL;
  CHECK(decent_topology_create("ring", 0, &t) != DECENT_OK);
  decent_train_options o = small_options();
  o.max_steps = 5;
  decent_trainer* tr = NULL;
  CHECK(decent_trainer_create(&o, &tr) == DECENT_OK);
  CHECK(decent_trainer_run(tr, NULL, NULL) == DECENT_OK);
  decent_trainer_free(tr);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  CHECK(lseek(fd, 0, SEEK_END) == 0);
  close(fd);
  unlink(path);

  log_record r;
  memset(&r, 0, sizeof r);
  CHECK(decent_set_log_callback(record, &r, DECENT_LOG_ERROR) == DECENT_OK);
  CHECK(decent_topology_create("ring", 0, &t) != DECENT_OK);
  CHECK(r.messages[DECENT_LOG_ERROR] == 1);
  CHECK(strcmp(r.last[DECENT_LOG_ERROR], decent_last_error()) != 0); /* nested call's error */
  CHECK(strstr(r.last[DECENT_LOG_ERROR], "decent_topology_create") != NULL);
  CHECK(r.nested_ok == 2); /* the nested calls failed as they should, and were not logged */
  /* Below min_level nothing arrives: a run logs info only. */
  CHECK(decent_trainer_create(&o, &tr) == DECENT_OK);
  CHECK(decent_trainer_run(tr, NULL, NULL) == DECENT_OK);
  decent_trainer_free(tr);
  CHECK(r.messages[DECENT_LOG_INFO] == 0 && r.messages[DECENT_LOG_ERROR] == 1);

  memset(&r, 0, sizeof r);
  CHECK(decent_set_log_callback(record, &r, DECENT_LOG_INFO) == DECENT_OK);
  o.out = "/tmp/decent_log_test_run";
  CHECK(decent_trainer_create(&o, &tr) == DECENT_OK);
  CHECK(decent_trainer_run(tr, NULL, NULL) == DECENT_OK);
  decent_trainer_free(tr);
  /* start, one evaluation (the last step), the checkpoint, the end */
  CHECK(r.messages[DECENT_LOG_INFO] == 4);
  CHECK(strstr(r.last[DECENT_LOG_INFO], "training finished at step 5 of 5") != NULL);
  CHECK(r.messages[DECENT_LOG_ERROR] == 0);

  /* Off again: nothing more arrives. A level outside the enum is refused. */
  CHECK(decent_set_log_callback(NULL, NULL, DECENT_LOG_DEBUG) == DECENT_OK);
  CHECK(decent_topology_create("ring", 0, &t) != DECENT_OK);
  CHECK(r.messages[DECENT_LOG_ERROR] == 0);
  CHECK_FAILS(decent_set_log_callback(record, &r, (decent_log_level)7), DECENT_ERR_INVALID_ARGUMENT,
              "min_level 7");
  CHECK(decent_topology_create("ring", 0, &t) != DECENT_OK);
  CHECK(r.messages[DECENT_LOG_ERROR] == 0);
}

int main(void) {
  test_bad_inputs();
  test_normalization();
  test_trainer_equals_file_trainer();
  test_trainer_learns_own_data();
  test_log_callback();
  return report();
}
