/* The datasets, models and trainer of the C ABI from plain C, linked only against libdecent.so:
 * every entry point with bad arguments (status and message), and the good paths checked against
 * independent facts (sizes, a round trip, a falling loss, a stopped-and-continued run equal to an
 * uninterrupted one, a saved-and-loaded trainer equal to the original). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "capi_check.h"

static void test_dataset(void) {
  decent_dataset* d = (decent_dataset*)&d;
  CHECK_FAILS(decent_dataset_open("imagenet", NULL, 1, &d), DECENT_ERR_INVALID_ARGUMENT,
              "kind \"imagenet\": unknown");
  CHECK(d == NULL);
  CHECK_FAILS(decent_dataset_open(NULL, NULL, 1, &d), DECENT_ERR_INVALID_ARGUMENT,
              "'kind' is NULL");
  CHECK_FAILS(decent_dataset_open("synthetic", NULL, 1, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'out' is NULL");
  CHECK_FAILS(decent_dataset_open("fashion-mnist", "/nonexistent", 1, &d), DECENT_ERR_IO,
              "/nonexistent");
  CHECK_FAILS(decent_dataset_open("cifar10", NULL, 1, &d), DECENT_ERR_INVALID_ARGUMENT,
              "needs a path");

  CHECK(decent_dataset_open("synthetic", NULL, 1, &d) == DECENT_OK);
  int64_t n = 0, c = 0, h = 0, w = 0, k = 0;
  CHECK(decent_dataset_size(d, &n) == DECENT_OK && n == 10000);
  CHECK(decent_dataset_shape(d, &c, &h, &w, &k) == DECENT_OK);
  CHECK(c == 1 && h == 28 && w == 28 && k == 10);
  CHECK_FAILS(decent_dataset_size(NULL, &n), DECENT_ERR_INVALID_ARGUMENT, "'dataset' is NULL");

  int64_t idx[3] = {0, 5, 9999};
  float* images = malloc(sizeof(float) * 3 * 784);
  int32_t labels[3];
  CHECK(decent_dataset_batch(d, idx, 3, images, 3 * 784, labels, 3) == DECENT_OK);
  CHECK(labels[0] >= 0 && labels[0] < 10);
  CHECK_FAILS(decent_dataset_batch(d, idx, 3, images, 3 * 784 - 1, labels, 3),
              DECENT_ERR_BUFFER_TOO_SMALL, "'images' holds 2351 elements; 2352 are needed");
  int64_t bad[1] = {10000};
  CHECK_FAILS(decent_dataset_batch(d, bad, 1, images, 784, labels, 1), DECENT_ERR_OUT_OF_RANGE,
              "sample 10000");
  free(images);

  /* iid over 3 nodes: 10000 = 3334 + 3333 + 3333; a capacity-0 call gives the size. */
  size_t count = 0, total = 0;
  for (int node = 0; node < 3; ++node) {
    CHECK_FAILS(decent_dataset_partition(d, "iid", 3, 1, node, NULL, 0, &count),
                DECENT_ERR_BUFFER_TOO_SMALL, "capacity");
    CHECK(count == 3333 || count == 3334);
    total += count;
  }
  CHECK(total == 10000);
  /* A Dirichlet part: sized by a capacity-0 call, then filled; distinct samples in range. */
  CHECK_FAILS(decent_dataset_partition(d, "dirichlet:0.5", 3, 1, 2, NULL, 0, &count),
              DECENT_ERR_BUFFER_TOO_SMALL, "capacity");
  CHECK(count > 0 && count < 10000);
  int64_t* part = malloc(sizeof(int64_t) * count);
  size_t filled = 0;
  CHECK(decent_dataset_partition(d, "dirichlet:0.5", 3, 1, 2, part, count, &filled) == DECENT_OK);
  CHECK(filled == count);
  char* seen = calloc(10000, 1);
  int distinct_in_range = 1;
  for (size_t i = 0; i < filled; ++i) {
    if (part[i] < 0 || part[i] >= 10000 || seen[part[i]])
      distinct_in_range = 0;
    else
      seen[part[i]] = 1;
  }
  CHECK(distinct_in_range);
  free(seen);
  free(part);
  CHECK_FAILS(decent_dataset_partition(d, "random", 3, 1, 0, NULL, 0, &count),
              DECENT_ERR_INVALID_ARGUMENT, "expected iid");
  CHECK_FAILS(decent_dataset_partition(d, "iid", 3, 1, 3, NULL, 0, &count), DECENT_ERR_OUT_OF_RANGE,
              "node 3");
  decent_dataset_free(d);
  decent_dataset_free(NULL);
}

static void test_model(void) {
  decent_model* m = (decent_model*)&m;
  CHECK_FAILS(decent_model_create("vgg", 1, 28, 28, 10, 1, &m), DECENT_ERR_INVALID_ARGUMENT,
              "expected one of resnet20");
  CHECK(m == NULL);
  CHECK_FAILS(decent_model_create("lenet", 1, 0, 28, 10, 1, &m), DECENT_ERR_INVALID_ARGUMENT,
              "1x0x28");
  CHECK(decent_model_create("lenet", 1, 28, 28, 10, 7, &m) == DECENT_OK);
  int64_t params = 0, buffers = -1;
  CHECK(decent_model_parameter_count(m, &params, &buffers) == DECENT_OK);
  /* LeNet-5 with bias-free convolutions: 6*25 + 16*6*25 + (400*120+120) + (120*84+84) + (84*10+10)
   */
  CHECK(params == 150 + 2400 + 48120 + 10164 + 850);
  CHECK(buffers == 0);
  float* x = malloc(sizeof(float) * (size_t)params);
  CHECK(decent_model_get_parameters(m, x, (size_t)params) == DECENT_OK);
  CHECK_FAILS(decent_model_get_parameters(m, x, (size_t)params - 1), DECENT_ERR_INVALID_ARGUMENT,
              "the model needs 61684");
  x[0] = 42.0f;
  CHECK(decent_model_set_parameters(m, x, (size_t)params) == DECENT_OK);
  x[0] = 0;
  CHECK(decent_model_get_parameters(m, x, (size_t)params) == DECENT_OK && x[0] == 42.0f);
  free(x);

  float image[2 * 784], logits[20];
  for (int i = 0; i < 2 * 784; ++i) image[i] = (float)(i % 17) / 17.0f;
  CHECK(decent_model_predict(m, image, 2 * 784, 2, logits, 20) == DECENT_OK);
  int finite = 1;
  for (int i = 0; i < 20; ++i) finite &= isfinite(logits[i]) != 0;
  CHECK(finite);
  CHECK_FAILS(decent_model_predict(m, image, 784, 2, logits, 20), DECENT_ERR_INVALID_ARGUMENT,
              "images_count");
  CHECK_FAILS(decent_model_predict(m, image, 2 * 784, 2, logits, 19), DECENT_ERR_BUFFER_TOO_SMALL,
              "logits");
  CHECK_FAILS(decent_model_predict(m, image, 0, 0, logits, 20), DECENT_ERR_INVALID_ARGUMENT,
              "batch 0");
  CHECK_FAILS(decent_model_predict(NULL, image, 784, 1, logits, 10), DECENT_ERR_INVALID_ARGUMENT,
              "'model' is NULL");
  decent_model_free(m);
  decent_model_free(NULL);
  CHECK_FAILS(decent_model_parameter_count(m, &params, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "not a live decent_model");
  decent_model_free(m); /* ignored */
  decent_dataset* d = NULL;
  CHECK(decent_dataset_open("synthetic", NULL, 0, &d) == DECENT_OK);
  CHECK_FAILS(decent_model_parameter_count((decent_model*)d, &params, NULL),
              DECENT_ERR_INVALID_ARGUMENT, "is a decent_dataset, not a decent_model");
  decent_dataset_free(d);
}

struct progress_log {
  int train_reports, eval_reports, stop_after;
  double first_loss, last_loss, accuracy;
};

static int on_progress(const decent_progress* p, void* user) {
  struct progress_log* log = user;
  if (p->kind == DECENT_PROGRESS_TRAIN) {
    if (log->train_reports++ == 0) log->first_loss = p->loss;
    log->last_loss = p->loss;
  } else {
    ++log->eval_reports;
    log->accuracy = p->test_accuracy;
  }
  return log->stop_after > 0 && log->train_reports >= log->stop_after;
}

struct lr_log {
  int count;
  double lr[16];
};

static int record_lr(const decent_progress* p, void* user) {
  struct lr_log* log = user;
  if (p->kind == DECENT_PROGRESS_TRAIN && log->count < 16) log->lr[log->count++] = p->lr;
  return 0;
}

static decent_train_options small_options(void) {
  decent_train_options o;
  decent_train_default_options(&o);
  o.model = "mlp"; /* reaches 100% on the synthetic set in 40 steps (lenet: 14%) */
  o.data = "synthetic";
  o.nodes = 2;
  o.topology = "ring";
  o.batch = 16;
  o.lr = 0.05;
  o.max_steps = 40;
  o.log_every = 5;
  o.threads = 1;
  return o;
}

static void averaged_parameters(const decent_trainer* t, float* out, size_t count) {
  decent_model* m = NULL;
  CHECK(decent_trainer_model(t, &m) == DECENT_OK);
  CHECK(decent_model_get_parameters(m, out, count) == DECENT_OK);
  decent_model_free(m);
}

static void test_trainer(void) {
  decent_train_options o;
  CHECK_FAILS(decent_train_default_options(NULL), DECENT_ERR_INVALID_ARGUMENT, "'options' is NULL");
  CHECK(decent_train_default_options(&o) == DECENT_OK);
  CHECK(o.struct_size == sizeof o && strcmp(o.model, "resnet20") == 0 && o.nodes == 8);
  CHECK(o.device != NULL && strcmp(o.device, "cpu") == 0);

  decent_trainer* t = (decent_trainer*)&t;
  o = small_options();
  o.struct_size = 8;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "struct_size 8");
  CHECK(t == NULL);
  o.struct_size = sizeof o + 8;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_NOT_SUPPORTED, "newer decent.h");
  o = small_options();
  o.algorithm = "sgd2";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "algorithm \"sgd2\"");
  o = small_options();
  o.topology = "rign";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "rign");
  o = small_options();
  o.momentum = 1.5;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "momentum");
  CHECK_FAILS(decent_trainer_create(NULL, &t), DECENT_ERR_INVALID_ARGUMENT, "'options' is NULL");
  /* Bad values name the struct field (0.1.0 named the CLI flag: "--lr nan"). */
  o = small_options();
  o.lr = NAN;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "options.lr nan: expected > 0");
  o = small_options();
  o.nodes = 0;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "options.nodes 0: expected [1, 4096]");
  o = small_options();
  o.crop_padding = -5;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "options.crop_padding -5: expected [0, 64]");
  o = small_options();
  o.device = "tpu";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "options.device: device \"tpu\": expected cpu, cuda or cuda:N");
  o.device = "cuda:1024";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "options.device");
  {
    int gpus = -1;
    CHECK(decent_cuda_device_count(&gpus) == DECENT_OK);
    if (gpus == 0) { /* no GPU: refused at create, with the reason */
      o.device = "cuda";
      CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_NOT_SUPPORTED,
                  "options.device cuda: device cuda:0: this program cannot train on CUDA devices");
      CHECK(t == NULL);
    } else { /* a device past the count */
      o.device = "cuda:1023";
      CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_OUT_OF_RANGE, "CUDA device");
    }
  }
  o = small_options();
  o.milestones = "1,x";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "options.milestones");
  /* A caller built against 0.1.0's header passes a struct that ends at `seed`: what follows is
   * not read (here: garbage that the full struct would refuse), the defaults apply. */
  o = small_options();
  o.crop_padding = -5;
  o.milestones = (const char*)&o; /* not a string: must not be read */
  o.struct_size = offsetof(decent_train_options, seed) + sizeof o.seed;
  CHECK(decent_trainer_create(&o, &t) == DECENT_OK);
  decent_trainer_free(t);
  t = NULL;
  o.struct_size = offsetof(decent_train_options, seed); /* shorter than 0.1.0's: refused */
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "options.struct_size");
  /* Everything that 0.1.0 accepted at create and failed only at run time (or, for the output
   * folder, after the whole training, as INTERNAL). */
  o = small_options();
  o.model = "vgg";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "model \"vgg\": unknown");
  o = small_options();
  o.optimizer = "adam";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "optimizer \"adam\": unknown");
  o = small_options();
  o.schedule = "linear";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "schedule \"linear\": unknown");
  o = small_options();
  o.algorithm = "decentlam";
  o.topology = "one-peer-exp";
  o.nodes = 8;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "diverges on");
  o = small_options();
  o.nodes = 1000;
  o.train_limit = 512;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "512 samples for 1000 nodes");
  o = small_options();
  o.nodes = 64;
  o.train_limit = 512; /* 8 samples a node, fewer than a batch of 16 */
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "gives node 0 8 training samples, fewer than one batch of 16");
  o = small_options();
  o.out = "/proc/decent-cannot-write-here";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_IO,
              "output folder /proc/decent-cannot-write-here");
  CHECK(t == NULL);
  CHECK_FAILS(decent_trainer_run(NULL, NULL, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'trainer' is NULL");

  /* An uninterrupted run: the loss falls, and an evaluation ends it. */
  o = small_options();
  decent_trainer* whole = NULL;
  CHECK(decent_trainer_create(&o, &whole) == DECENT_OK);
  struct progress_log log = {0, 0, 0, 0, 0, 0};
  CHECK(decent_trainer_run(whole, on_progress, &log) == DECENT_OK);
  CHECK(log.train_reports == 8);
  CHECK(log.eval_reports == 1);
  CHECK(log.last_loss < log.first_loss);
  int64_t done = 0, total = 0;
  CHECK(decent_trainer_steps(whole, &done, &total) == DECENT_OK && done == 40 && total == 40);
  double acc = -1, loss = -1;
  CHECK(decent_trainer_evaluate(whole, &acc, &loss) == DECENT_OK);
  CHECK(fabs(acc - log.accuracy) < 1e-12); /* the same averaged model as the last report */
  CHECK(acc > 0.6); /* reaches 1.0; a trainer that does not learn stays near chance (0.1) */
  CHECK_FAILS(decent_trainer_step(whole, 1), DECENT_ERR_OUT_OF_RANGE, "complete");

  /* The step schedule with milestones from C (0.1.0's struct had none: step was constant):
   * 312 steps an epoch, so the milestone at epoch 0.05 is step 15; lr 0.05, then 0.005. */
  decent_train_options stepped = small_options();
  stepped.schedule = "step";
  stepped.milestones = "0.05";
  stepped.max_steps = 25;
  decent_trainer* st = NULL;
  CHECK(decent_trainer_create(&stepped, &st) == DECENT_OK);
  struct lr_log lrs = {0, {0}};
  CHECK(decent_trainer_run(st, record_lr, &lrs) == DECENT_OK);
  CHECK(lrs.count == 5);
  CHECK(fabs(lrs.lr[2] - 0.05) < 1e-12);  /* steps 10-14 */
  CHECK(fabs(lrs.lr[3] - 0.005) < 1e-12); /* step 19 */
  decent_trainer_free(st);

  /* Stopped by the callback after its second report (10 steps), then stepped and run on: the
   * same parameters as the uninterrupted run, bit for bit. */
  decent_trainer* pieces = NULL;
  CHECK(decent_trainer_create(&o, &pieces) == DECENT_OK);
  struct progress_log stop = {0, 0, 2, 0, 0, 0};
  CHECK(decent_trainer_run(pieces, on_progress, &stop) == DECENT_OK);
  CHECK(decent_trainer_steps(pieces, &done, NULL) == DECENT_OK && done == 10);
  CHECK(decent_trainer_step(pieces, 3) == DECENT_OK);
  CHECK(decent_trainer_steps(pieces, &done, NULL) == DECENT_OK && done == 13);
  CHECK_FAILS(decent_trainer_step(pieces, 0), DECENT_ERR_INVALID_ARGUMENT, "steps 0");

  char dir[] = "/tmp/decent_capi_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  CHECK(decent_trainer_save(pieces, dir) == DECENT_OK);
  decent_trainer* loaded = NULL;
  CHECK(decent_trainer_create(&o, &loaded) == DECENT_OK);
  CHECK(decent_trainer_load(loaded, dir) == DECENT_OK);
  CHECK(decent_trainer_steps(loaded, &done, NULL) == DECENT_OK && done == 13);
  CHECK(decent_trainer_run(pieces, NULL, NULL) == DECENT_OK);
  CHECK(decent_trainer_run(loaded, NULL, NULL) == DECENT_OK);

  int64_t params = 0;
  decent_model* probe = NULL;
  CHECK(decent_trainer_model(whole, &probe) == DECENT_OK);
  CHECK(decent_model_parameter_count(probe, &params, NULL) == DECENT_OK);
  decent_model_free(probe);
  float* a = malloc(sizeof(float) * (size_t)params);
  float* b = malloc(sizeof(float) * (size_t)params);
  float* c = malloc(sizeof(float) * (size_t)params);
  averaged_parameters(whole, a, (size_t)params);
  averaged_parameters(pieces, b, (size_t)params);
  averaged_parameters(loaded, c, (size_t)params);
  CHECK(memcmp(a, b, sizeof(float) * (size_t)params) == 0);
  CHECK(memcmp(a, c, sizeof(float) * (size_t)params) == 0);
  free(a);
  free(b);
  free(c);

  o.model = "lenet";
  decent_trainer* other = NULL;
  CHECK(decent_trainer_create(&o, &other) == DECENT_OK);
  CHECK_FAILS(decent_trainer_load(other, dir), DECENT_ERR_INVALID_ARGUMENT,
              "another configuration");
  CHECK_FAILS(decent_trainer_load(other, "/nonexistent"), DECENT_ERR_IO, "/nonexistent");
  CHECK_FAILS(decent_trainer_save(other, dir), DECENT_ERR_INVALID_ARGUMENT,
              "before the first step");
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);

  decent_trainer_free(whole);
  decent_trainer_free(pieces);
  decent_trainer_free(loaded);
  decent_trainer_free(other);
  decent_trainer_free(NULL);
}

/* Every entry point of this part of the ABI refuses NULL handles and NULL outputs by name. */
static void test_null_arguments(void) {
  int64_t i64 = 0;
  double d = 0;
  float f[4] = {0};
  int32_t labels[1];
  int64_t idx[1] = {0};
  size_t count = 0;
  int n = 0;
  const char* text = NULL;
  decent_model* m = NULL;
  decent_comm* c = NULL;
  CHECK_FAILS(decent_dataset_shape(NULL, &i64, &i64, &i64, &i64), DECENT_ERR_INVALID_ARGUMENT,
              "'dataset' is NULL");
  CHECK_FAILS(decent_dataset_batch(NULL, idx, 1, f, 4, labels, 1), DECENT_ERR_INVALID_ARGUMENT,
              "'dataset' is NULL");
  CHECK_FAILS(decent_dataset_partition(NULL, "iid", 2, 1, 0, NULL, 0, &count),
              DECENT_ERR_INVALID_ARGUMENT, "'dataset' is NULL");
  CHECK_FAILS(decent_model_shape(NULL, &i64, NULL, NULL, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'model' is NULL");
  CHECK_FAILS(decent_model_get_parameters(NULL, f, 4), DECENT_ERR_INVALID_ARGUMENT,
              "'model' is NULL");
  CHECK_FAILS(decent_model_set_parameters(NULL, f, 4), DECENT_ERR_INVALID_ARGUMENT,
              "'model' is NULL");
  CHECK_FAILS(decent_model_get_buffers(NULL, f, 4), DECENT_ERR_INVALID_ARGUMENT, "'model' is NULL");
  CHECK_FAILS(decent_model_set_buffers(NULL, f, 4), DECENT_ERR_INVALID_ARGUMENT, "'model' is NULL");
  CHECK_FAILS(decent_model_create("lenet", 1, 28, 28, 10, 1, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'out' is NULL");
  CHECK_FAILS(decent_model_create(NULL, 1, 28, 28, 10, 1, &m), DECENT_ERR_INVALID_ARGUMENT,
              "'name' is NULL");
  CHECK_FAILS(decent_trainer_step(NULL, 1), DECENT_ERR_INVALID_ARGUMENT, "'trainer' is NULL");
  CHECK_FAILS(decent_trainer_steps(NULL, &i64, &i64), DECENT_ERR_INVALID_ARGUMENT,
              "'trainer' is NULL");
  CHECK_FAILS(decent_trainer_evaluate(NULL, &d, &d), DECENT_ERR_INVALID_ARGUMENT,
              "'trainer' is NULL");
  CHECK_FAILS(decent_trainer_model(NULL, &m), DECENT_ERR_INVALID_ARGUMENT, "'trainer' is NULL");
  CHECK_FAILS(decent_trainer_save(NULL, "/tmp"), DECENT_ERR_INVALID_ARGUMENT, "'trainer' is NULL");
  CHECK_FAILS(decent_trainer_load(NULL, "/tmp"), DECENT_ERR_INVALID_ARGUMENT, "'trainer' is NULL");
  CHECK_FAILS(decent_comm_mpi_create(NULL), DECENT_ERR_INVALID_ARGUMENT, "'out' is NULL");
  CHECK_FAILS(decent_comm_size(NULL, &n), DECENT_ERR_INVALID_ARGUMENT, "'comm' is NULL");
  CHECK_FAILS(decent_comm_backend(NULL, &text), DECENT_ERR_INVALID_ARGUMENT, "'comm' is NULL");
  CHECK_FAILS(decent_comm_broadcast(NULL, f, 4, 0), DECENT_ERR_INVALID_ARGUMENT, "'comm' is NULL");
  CHECK_FAILS(decent_comm_neighbor_average(NULL, NULL, 0, f, 4), DECENT_ERR_INVALID_ARGUMENT,
              "'comm' is NULL");
  /* The entry points added since 0.1.0. */
  size_t bytes = 0;
  int flag = 0;
  CHECK_FAILS(decent_model_save(NULL, "/tmp/x"), DECENT_ERR_INVALID_ARGUMENT, "'model' is NULL");
  CHECK_FAILS(decent_model_load(NULL, &m), DECENT_ERR_INVALID_ARGUMENT, "'path' is NULL");
  CHECK_FAILS(decent_model_load("/tmp/x", NULL), DECENT_ERR_INVALID_ARGUMENT, "'out' is NULL");
  CHECK_FAILS(decent_model_save_to_memory(NULL, NULL, 0, &bytes), DECENT_ERR_INVALID_ARGUMENT,
              "'model' is NULL");
  CHECK_FAILS(decent_model_load_from_memory(NULL, 8, &m), DECENT_ERR_INVALID_ARGUMENT,
              "'buffer' is NULL");
  CHECK_FAILS(decent_model_load_from_memory(f, 8, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'out' is NULL");
  CHECK_FAILS(decent_dataset_normalization(NULL, f, f, 1), DECENT_ERR_INVALID_ARGUMENT,
              "'dataset' is NULL");
  CHECK_FAILS(decent_trainer_finished(NULL, &flag), DECENT_ERR_INVALID_ARGUMENT,
              "'trainer' is NULL");
  CHECK_FAILS(decent_trainer_config_json(NULL, &text), DECENT_ERR_INVALID_ARGUMENT,
              "'trainer' is NULL");
  CHECK_FAILS(decent_trainer_create_with_comm(NULL, NULL, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'out' is NULL");
  CHECK_FAILS(decent_comm_neighbor_average_start(NULL, NULL, 0, f, 4), DECENT_ERR_INVALID_ARGUMENT,
              "'comm' is NULL");
  CHECK_FAILS(decent_comm_neighbor_average_finish(NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'comm' is NULL");
  (void)c;

  /* Outputs and values. */
  CHECK(decent_model_create("mlp", 1, 2, 2, 3, 1, &m) == DECENT_OK);
  int64_t params = 0;
  CHECK(decent_model_parameter_count(m, &params, NULL) == DECENT_OK);
  CHECK(params == 4 * 128 + 128 + 128 * 3 + 3); /* mlp: 4 -> 128 -> 3 */
  CHECK_FAILS(decent_model_set_parameters(m, NULL, (size_t)params), DECENT_ERR_INVALID_ARGUMENT,
              "'values' is NULL");
  CHECK_FAILS(decent_model_set_parameters(m, f, 4), DECENT_ERR_INVALID_ARGUMENT, "holds 4 values");
  CHECK_FAILS(decent_model_get_buffers(m, f, 4), DECENT_ERR_INVALID_ARGUMENT, "the model needs 0");
  CHECK(decent_model_shape(m, &i64, NULL, NULL, NULL) == DECENT_OK && i64 == 1);
  CHECK_FAILS(decent_model_save(m, NULL), DECENT_ERR_INVALID_ARGUMENT, "'path' is NULL");
  CHECK_FAILS(decent_model_save_to_memory(m, NULL, 0, NULL), DECENT_ERR_INVALID_ARGUMENT,
              "'size' is NULL");
  CHECK_FAILS(decent_model_save_to_memory(m, NULL, 16, &bytes), DECENT_ERR_INVALID_ARGUMENT,
              "'buffer' is NULL");
  decent_model_free(m);
}

/* Freeing a handle with another kind's free function frees nothing (each of these crashed in
 * 0.1.0: a segfault or glibc's double-free abort), says why, and leaves the handle usable. */
static void test_wrong_kind_frees(void) {
  decent_topology* t = NULL;
  decent_model* m = NULL;
  decent_dataset* d = NULL;
  decent_trainer* tr = NULL;
  CHECK(decent_topology_create("ring", 4, &t) == DECENT_OK);
  CHECK(decent_model_create("mlp", 1, 2, 2, 3, 1, &m) == DECENT_OK);
  CHECK(decent_dataset_open("synthetic", NULL, 1, &d) == DECENT_OK);
  decent_train_options o = small_options();
  CHECK(decent_trainer_create(&o, &tr) == DECENT_OK);

  decent_model_free((decent_model*)t);
  CHECK(strstr(decent_last_error(),
               "decent_model_free: argument 'handle' is a decent_topology, "
               "not a decent_model") != NULL);
  decent_trainer_free((decent_trainer*)t);
  CHECK(strstr(decent_last_error(), "decent_trainer_free") != NULL);
  CHECK(strstr(decent_last_error(), "is a decent_topology, not a decent_trainer") != NULL);
  decent_dataset_free((decent_dataset*)t);
  CHECK(strstr(decent_last_error(), "is a decent_topology, not a decent_dataset") != NULL);
  decent_topology_free((decent_topology*)m);
  CHECK(strstr(decent_last_error(), "is a decent_model, not a decent_topology") != NULL);
  decent_dataset_free((decent_dataset*)m);
  CHECK(strstr(decent_last_error(), "is a decent_model, not a decent_dataset") != NULL);
  decent_model_free((decent_model*)d);
  CHECK(strstr(decent_last_error(), "is a decent_dataset, not a decent_model") != NULL);
  decent_topology_free((decent_topology*)tr);
  CHECK(strstr(decent_last_error(), "is a decent_trainer, not a decent_topology") != NULL);
  decent_comm_free((decent_comm*)m);
  CHECK(strstr(decent_last_error(), "is a decent_model, not a decent_comm") != NULL);

  /* Every handle survived and still answers. */
  int nodes = 0;
  int64_t params = 0, size = 0, total = 0;
  CHECK(decent_topology_nodes(t, &nodes) == DECENT_OK && nodes == 4);
  CHECK(decent_model_parameter_count(m, &params, NULL) == DECENT_OK && params == 1027);
  CHECK(decent_dataset_size(d, &size) == DECENT_OK && size == 10000);
  CHECK(decent_trainer_steps(tr, NULL, &total) == DECENT_OK && total == 40);

  decent_topology_free(t);
  decent_model_free(m);
  decent_dataset_free(d);
  decent_trainer_free(tr);
  decent_model_free(m); /* a second free: ignored, and said */
  CHECK(strstr(decent_last_error(), "not a live decent_model") != NULL);
}

/* What a progress callback tries on its own trainer; every call must be refused while training. */
struct reentry {
  decent_trainer* trainer;
  int calls;
  decent_status free_status, run, step, steps, evaluate, model, save, load;
  char free_message[256];
};

static int reenter(const decent_progress* p, void* user) {
  (void)p;
  struct reentry* r = user;
  if (r->calls++ > 0) return 0;
  decent_trainer_free(r->trainer);
  snprintf(r->free_message, sizeof r->free_message, "%s", decent_last_error());
  r->run = decent_trainer_run(r->trainer, NULL, NULL);
  r->step = decent_trainer_step(r->trainer, 1);
  int64_t done = 0;
  r->steps = decent_trainer_steps(r->trainer, &done, NULL);
  double acc = 0;
  r->evaluate = decent_trainer_evaluate(r->trainer, &acc, NULL);
  decent_model* m = NULL;
  r->model = decent_trainer_model(r->trainer, &m);
  r->save = decent_trainer_save(r->trainer, "/tmp");
  r->load = decent_trainer_load(r->trainer, "/tmp");
  return 0;
}

static void test_callback_reentrance(void) {
  decent_train_options o = small_options();
  o.max_steps = 10;
  struct reentry r;
  memset(&r, 0, sizeof r);
  CHECK(decent_trainer_create(&o, &r.trainer) == DECENT_OK);
  CHECK(decent_trainer_run(r.trainer, reenter, &r) == DECENT_OK);
  CHECK(r.calls >= 2);
  CHECK(strstr(r.free_message, "decent_trainer_free: the trainer is training") != NULL);
  CHECK(r.run == DECENT_ERR_INVALID_ARGUMENT);
  CHECK(r.step == DECENT_ERR_INVALID_ARGUMENT);
  CHECK(r.steps == DECENT_ERR_INVALID_ARGUMENT);
  CHECK(r.evaluate == DECENT_ERR_INVALID_ARGUMENT);
  CHECK(r.model == DECENT_ERR_INVALID_ARGUMENT);
  CHECK(r.save == DECENT_ERR_INVALID_ARGUMENT);
  CHECK(r.load == DECENT_ERR_INVALID_ARGUMENT);
  /* The trainer was not freed and ran to its end; afterwards every call works again. */
  int64_t done = 0;
  CHECK(decent_trainer_steps(r.trainer, &done, NULL) == DECENT_OK && done == 10);
  decent_trainer_free(r.trainer);
}

/* A caller's own accuracy on the test split (decent_dataset_batch + decent_model_predict) equals
 * the trainer's evaluation, prediction for prediction: both normalise the test split with the
 * training split's statistics (0.1.0's decent_dataset_batch used the test split's own). lenet
 * after 40 steps is near its decision boundaries, so another normalisation changes predictions. */
static void test_own_accuracy_matches_the_trainer(void) {
  decent_train_options o = small_options();
  o.model = "lenet";
  decent_trainer* t = NULL;
  CHECK(decent_trainer_create(&o, &t) == DECENT_OK);
  CHECK(decent_trainer_run(t, NULL, NULL) == DECENT_OK);
  double trainer_accuracy = -1;
  CHECK(decent_trainer_evaluate(t, &trainer_accuracy, NULL) == DECENT_OK);
  decent_model* m = NULL;
  CHECK(decent_trainer_model(t, &m) == DECENT_OK);
  decent_dataset* test = NULL;
  CHECK(decent_dataset_open("synthetic", NULL, 0, &test) == DECENT_OK);
  int64_t n = 0;
  CHECK(decent_dataset_size(test, &n) == DECENT_OK && n == 2000);
  enum { kBatch = 200 };
  int64_t idx[kBatch];
  int32_t labels[kBatch];
  float* images = malloc(sizeof(float) * kBatch * 784);
  float logits[kBatch * 10];
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += kBatch) {
    for (int i = 0; i < kBatch; ++i) idx[i] = start + i;
    CHECK(decent_dataset_batch(test, idx, kBatch, images, kBatch * 784, labels, kBatch) ==
          DECENT_OK);
    CHECK(decent_model_predict(m, images, kBatch * 784, kBatch, logits, kBatch * 10) == DECENT_OK);
    for (int i = 0; i < kBatch; ++i) {
      int best = 0;
      for (int k = 1; k < 10; ++k)
        if (logits[i * 10 + k] > logits[i * 10 + best]) best = k;
      correct += best == labels[i];
    }
  }
  free(images);
  CHECK(fabs((double)correct / (double)n - trainer_accuracy) < 1e-12);
  decent_dataset_free(test);
  decent_model_free(m);
  decent_trainer_free(t);
}

static void write_be32(FILE* f, uint32_t v) {
  const unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                              (unsigned char)(v >> 8), (unsigned char)v};
  fwrite(b, 1, 4, f);
}

/* Two 2x2 images per split: training pixels 0 and 255 (mean 0.5, deviation 0.5 on [0, 1]),
 * test pixels all 255. With the training statistics a test pixel is (1 - 0.5) / 0.5 = 1; with
 * the test split's own (0.1.0) it was 0. */
static void test_test_split_uses_training_statistics(void) {
  char dir[] = "/tmp/decent_norm_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  const char* names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  for (int k = 0; k < 4; ++k) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    FILE* f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) return;
    const int images = k % 2 == 0, test = k >= 2;
    write_be32(f, images ? 0x803 : 0x801);
    write_be32(f, 2);
    if (images) {
      write_be32(f, 2);
      write_be32(f, 2);
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 4; ++j) fputc(test || i == 1 ? 255 : 0, f);
    } else {
      fputc(3, f);
      fputc(7, f);
    }
    fclose(f);
  }
  decent_dataset* d = NULL;
  CHECK(decent_dataset_open("mnist", dir, 0, &d) == DECENT_OK);
  int64_t idx[2] = {0, 1};
  float images[8];
  int32_t labels[2];
  CHECK(decent_dataset_batch(d, idx, 2, images, 8, labels, 2) == DECENT_OK);
  for (int j = 0; j < 8; ++j) CHECK(fabs(images[j] - 1.0) < 1e-5);
  CHECK(labels[0] == 3 && labels[1] == 7);
  float mean[1] = {-1}, stddev[1] = {-1};
  CHECK(decent_dataset_normalization(d, mean, stddev, 1) == DECENT_OK);
  CHECK(fabs(mean[0] - 0.5) < 1e-7 && fabs(stddev[0] - 0.5) < 1e-7); /* the training split's */
  CHECK_FAILS(decent_dataset_normalization(d, mean, stddev, 0), DECENT_ERR_BUFFER_TOO_SMALL,
              "count");
  CHECK_FAILS(decent_dataset_normalization(d, NULL, stddev, 1), DECENT_ERR_INVALID_ARGUMENT,
              "'mean' is NULL");
  decent_dataset_free(d);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
}

/* A model saved to a file and to memory comes back with the same architecture, parameters and
 * buffers: its predictions are bit for bit the original's. Corruption is an IO error. */
static void test_model_files(void) {
  decent_model* m = NULL;
  CHECK(decent_model_create("resnet20", 1, 28, 28, 10, 5, &m) == DECENT_OK); /* has buffers */
  int64_t params = 0, buffers = 0;
  CHECK(decent_model_parameter_count(m, &params, &buffers) == DECENT_OK && buffers > 0);
  float* b = malloc(sizeof(float) * (size_t)buffers);
  CHECK(decent_model_get_buffers(m, b, (size_t)buffers) == DECENT_OK);
  for (int64_t i = 0; i < buffers; ++i) b[i] += 0.25f * (float)(i % 7); /* not the defaults */
  CHECK(decent_model_set_buffers(m, b, (size_t)buffers) == DECENT_OK);
  free(b);
  float images[2 * 784], before[20], after[20];
  for (int i = 0; i < 2 * 784; ++i) images[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
  CHECK(decent_model_predict(m, images, 2 * 784, 2, before, 20) == DECENT_OK);

  char dir[] = "/tmp/decent_model_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/model.bin", dir);
  CHECK(decent_model_save(m, path) == DECENT_OK);
  decent_model* from_file = NULL;
  CHECK(decent_model_load(path, &from_file) == DECENT_OK);
  CHECK(decent_model_predict(from_file, images, 2 * 784, 2, after, 20) == DECENT_OK);
  CHECK(memcmp(before, after, sizeof before) == 0);
  int64_t c = 0, h = 0, w = 0, k = 0;
  CHECK(decent_model_shape(from_file, &c, &h, &w, &k) == DECENT_OK);
  CHECK(c == 1 && h == 28 && w == 28 && k == 10);

  size_t size = 0;
  CHECK_FAILS(decent_model_save_to_memory(m, NULL, 0, &size), DECENT_ERR_BUFFER_TOO_SMALL,
              "capacity");
  CHECK(size == 8 + 8 + 8 + 8 * 6 + 16 + 4 * (size_t)(params + buffers) + 4);
  char* bytes = malloc(size);
  CHECK_FAILS(decent_model_save_to_memory(m, bytes, size - 1, &size), DECENT_ERR_BUFFER_TOO_SMALL,
              "capacity");
  CHECK(decent_model_save_to_memory(m, bytes, size, &size) == DECENT_OK);
  decent_model* from_memory = NULL;
  CHECK(decent_model_load_from_memory(bytes, size, &from_memory) == DECENT_OK);
  memset(after, 0, sizeof after);
  CHECK(decent_model_predict(from_memory, images, 2 * 784, 2, after, 20) == DECENT_OK);
  CHECK(memcmp(before, after, sizeof before) == 0);
  bytes[100] ^= 1;
  decent_model* bad = (decent_model*)&bad;
  CHECK_FAILS(decent_model_load_from_memory(bytes, size, &bad), DECENT_ERR_IO, "checksum mismatch");
  CHECK(bad == NULL);
  CHECK_FAILS(decent_model_load_from_memory(bytes, 5, &bad), DECENT_ERR_IO, "not a decent model");
  CHECK_FAILS(decent_model_load("/nonexistent/model.bin", &bad), DECENT_ERR_IO, "/nonexistent");
  free(bytes);
  decent_model_free(from_memory);
  decent_model_free(from_file);
  decent_model_free(m);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  CHECK_FAILS(decent_set_threads(0), DECENT_ERR_INVALID_ARGUMENT, "threads 0");
  CHECK(decent_set_threads(1) == DECENT_OK);
}

/* Whether a run finished or was stopped, and its resolved configuration. */
static void test_trainer_state_queries(void) {
  decent_train_options o = small_options();
  decent_trainer* t = NULL;
  CHECK(decent_trainer_create(&o, &t) == DECENT_OK);
  int finished = -1;
  CHECK(decent_trainer_finished(t, &finished) == DECENT_OK && finished == 0);
  struct progress_log stop = {0, 0, 2, 0, 0, 0};
  CHECK(decent_trainer_run(t, on_progress, &stop) == DECENT_OK); /* stopped after 10 steps */
  CHECK(decent_trainer_finished(t, &finished) == DECENT_OK && finished == 0);
  CHECK(decent_trainer_run(t, NULL, NULL) == DECENT_OK);
  CHECK(decent_trainer_finished(t, &finished) == DECENT_OK && finished == 1);
  const char* json = NULL;
  CHECK(decent_trainer_config_json(t, &json) == DECENT_OK && json != NULL);
  CHECK(json != NULL && json[0] == '{');
  CHECK(json != NULL && strstr(json, "\"lr\":0.05") != NULL);
  CHECK(json != NULL && strstr(json, "\"model\":\"mlp\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"threads\":1") != NULL);
  CHECK(json != NULL && strstr(json, "\"weight_decay\":0.0005") != NULL); /* a default */
  CHECK(json != NULL && strstr(json, "\"total_steps\":40") != NULL);
  CHECK_FAILS(decent_trainer_finished(t, NULL), DECENT_ERR_INVALID_ARGUMENT, "'out' is NULL");
  decent_trainer_free(t);
}

/* Compressed gossip through the C ABI: the new options' defaults and checks, and a short choco
 * run whose progress reports the bytes of top-k messages (mlp on the synthetic set: 2 nodes on
 * a ring of 2, so one out-neighbour each). */
typedef struct {
  double bytes[16];
  int count;
} bytes_log;
static int record_bytes(const decent_progress* p, void* user) {
  bytes_log* log = (bytes_log*)user;
  if (p->kind == DECENT_PROGRESS_TRAIN && log->count < 16) log->bytes[log->count++] = p->bytes_sent;
  if (p->kind == DECENT_PROGRESS_EVAL) CHECK(isnan(p->bytes_sent));
  return 0;
}
static void test_compressed_gossip(void) {
  decent_train_options o;
  CHECK(decent_train_default_options(&o) == DECENT_OK);
  CHECK(strcmp(o.compressor, "top-k:0.01") == 0 && o.consensus_step == 0);
  CHECK(o.outer_lr == 0.7 && o.outer_momentum == 0.9 && !o.inner_gossip && !o.outer_gossip);
  decent_trainer* t = NULL;
  o = small_options();
  o.algorithm = "choco";
  o.compressor = "top-k:2";
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "options.compressor: compressor \"top-k:2\": fraction 2");
  o.compressor = "top-k:0.1";
  o.consensus_step = 2.5;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT,
              "options.consensus_step 2.5");
  o.consensus_step = 0.5;
  o.algorithm = "diloco";
  o.outer_momentum = 1;
  CHECK_FAILS(decent_trainer_create(&o, &t), DECENT_ERR_INVALID_ARGUMENT, "options.outer_momentum");
  o = small_options();
  o.algorithm = "choco";
  o.compressor = "top-k:0.1";
  o.consensus_step = 0.5;
  CHECK(decent_trainer_create(&o, &t) == DECENT_OK);
  const char* config = NULL;
  CHECK(decent_trainer_config_json(t, &config) == DECENT_OK);
  CHECK(config && strstr(config, "\"compressor\":\"top-k:0.1\"") != NULL);
  bytes_log log = {{0}, 0};
  CHECK(decent_trainer_run(t, record_bytes, &log) == DECENT_OK);
  int64_t parameters = 0;
  decent_model* m = NULL;
  CHECK(decent_trainer_model(t, &m) == DECENT_OK);
  CHECK(decent_model_parameter_count(m, &parameters, NULL) == DECENT_OK);
  decent_model_free(m);
  /* Per node: x^0 once (4 bytes a value), then per step a 24-byte header and k = 10% of the
   * values as (index, value) pairs; 2 nodes. */
  const double k = floor(0.1 * (double)parameters + 0.5);
  const double per_step = 2 * (24 + k * 8), first = 2 * 4.0 * (double)parameters;
  CHECK(log.count == 8);
  CHECK(log.bytes[0] == first + 5 * per_step);
  CHECK(log.bytes[7] == first + 40 * per_step);
  double accuracy = 0;
  CHECK(decent_trainer_evaluate(t, &accuracy, NULL) == DECENT_OK);
  CHECK(accuracy > 0.9); /* mlp learns the synthetic set (chance: 0.1) */
  decent_trainer_free(t);
}

int main(void) {
  test_model_files();
  test_trainer_state_queries();
  test_test_split_uses_training_statistics();
  test_own_accuracy_matches_the_trainer();
  test_wrong_kind_frees();
  test_callback_reentrance();
  test_null_arguments();
  test_dataset();
  test_model();
  test_trainer();
  test_compressed_gossip();
  return report();
}
