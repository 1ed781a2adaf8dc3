/*
 * decent.h: the stable C ABI of libdecent.
 *
 * Conventions (see docs/design.md):
 *  - Every function returns a decent_status; DECENT_OK (0) is success. After a failure,
 *    decent_last_error() returns a message for the calling thread naming the function, the bad
 *    value and what was expected. A success does not clear the message.
 *  - Objects are opaque handles created by decent_X_create(..., decent_X** out) and released by
 *    decent_X_free(X), which accepts NULL. *out is set to NULL when creation fails. A free
 *    given a freed handle or another kind's handle frees nothing and sets decent_last_error().
 *  - Arrays cross as (pointer, count); the count is always checked against what the call needs.
 *  - No C++ exception ever crosses this boundary.
 *  - Functions are thread-safe on distinct handles; a handle may be read from several threads at
 *    once (all topology queries are reads).
 */
#ifndef DECENT_DECENT_H
#define DECENT_DECENT_H

#include <stddef.h>
#include <stdint.h>

/* The version of these headers. CMake reads the project version from these three lines. */
#define DECENT_VERSION_MAJOR 0
#define DECENT_VERSION_MINOR 1
#define DECENT_VERSION_PATCH 0
/* Incremented on any incompatible change of the ABI; equals the soname's major version. */
#define DECENT_ABI_VERSION 0

#if defined(__GNUC__)
#define DECENT_API __attribute__((visibility("default")))
#else
#define DECENT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                          */
/* ------------------------------------------------------------------------------------------ */

typedef enum decent_status {
  DECENT_OK = 0,
  DECENT_ERR_INVALID_ARGUMENT = 1, /* a NULL pointer, bad name, bad count or bad value */
  DECENT_ERR_OUT_OF_RANGE = 2,     /* an index or step outside its valid range */
  DECENT_ERR_BUFFER_TOO_SMALL = 3, /* an output array is too short; the message says how long */
  DECENT_ERR_NOT_SUPPORTED = 4,    /* valid, but not possible with this build or this input */
  DECENT_ERR_IO = 5,               /* a file could not be read or written */
  DECENT_ERR_COMMUNICATION = 6,    /* a communicator failed or the ranks disagree */
  DECENT_ERR_TIMEOUT = 7,          /* a peer did not answer in time */
  DECENT_ERR_NUMERICAL = 8,        /* a numerical check failed (e.g. not doubly stochastic) */
  DECENT_ERR_OUT_OF_MEMORY = 9,    /* an allocation failed */
  DECENT_ERR_INTERNAL = 10         /* a bug in decent: please report it with the message */
} decent_status;

/* The message of the last failed call on this thread; "" if none. Never NULL. The pointer stays
 * valid until the next failing call on this thread. */
DECENT_API const char* decent_last_error(void);

/* The name of a status, e.g. "DECENT_ERR_INVALID_ARGUMENT"; "DECENT_ERR_UNKNOWN" for values
 * outside the enum. Never NULL. */
DECENT_API const char* decent_status_name(decent_status status);

/* Levels of the library's log messages. */
typedef enum decent_log_level {
  DECENT_LOG_DEBUG = 0,   /* detail for diagnosing decent itself */
  DECENT_LOG_INFO = 1,    /* progress of long work: a run's start, evaluations, checkpoints, end */
  DECENT_LOG_WARNING = 2, /* something the caller should know, though the call succeeds */
  DECENT_LOG_ERROR = 3    /* every failed call's message (the text decent_last_error() returns) */
} decent_log_level;

/* Receives one log message (one line, no trailing newline; valid during the call only). */
typedef void (*decent_log_fn)(decent_log_level level, const char* message, void* user);

/* Where the library's messages go. The library writes nothing to stdout or stderr itself: by
 * default (fn NULL) its messages are dropped. Messages of `min_level` and above reach `fn`, one
 * at a time (calls are serialised across threads, and may come from a trainer's node threads).
 * A message that `fn` causes by calling into decent is dropped, not delivered re-entrantly.
 * Replaces any earlier callback; fn NULL turns logging off. DECENT_ERR_INVALID_ARGUMENT for a
 * level outside the enum. */
DECENT_API decent_status decent_set_log_callback(decent_log_fn fn, void* user,
                                                 decent_log_level min_level);

/* ------------------------------------------------------------------------------------------ */
/* Version and build                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* The library's version as "MAJOR.MINOR.PATCH". May differ from the header's macros when an
 * application runs against a newer compatible library. */
DECENT_API const char* decent_version(void);

/* The library's ABI version; bindings compare it with DECENT_ABI_VERSION when they load. */
DECENT_API int decent_abi_version(void);

/* A JSON object describing the build: version, compiler, and which engines were compiled in
 * ("with_dnnl", "with_mpi", "with_cuda", "with_nccl"). Never NULL; owned by the library. */
DECENT_API const char* decent_build_info(void);

/* The number of CUDA devices usable by this process; 0 when CUDA is not compiled in or no
 * device or driver is present (never an error for that). */
DECENT_API decent_status decent_cuda_device_count(int* out);

/* CPU threads of the neural-network layers (oneDNN on OpenMP) for calls made from this thread
 * (models and datasets; a trainer's nodes take options.threads): 1 to 1024. */
DECENT_API decent_status decent_set_threads(int threads);

/* ------------------------------------------------------------------------------------------ */
/* Topologies                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* A communication graph with its mixing matrices W^(k) (x_i <- sum_j w_ij x_j at step k).
 * Static graphs have period 1; the one-peer exponential graph has period ceil(log2 n). */
typedef struct decent_topology decent_topology;

/* Creates a topology from a spec string and a node count.
 *  spec:  KIND[:ITEM,...], e.g. "ring", "torus:4x4", "random:p=0.3,seed=7",
 *         "exp:weights=uniform". Kinds: ring, directed-ring, grid, torus, star, hypercube, full,
 *         exp, sym-exp, one-peer-exp, random, base and simple-base (k=), equi-static and
 *         u-equi-static (m=, seed=), od-equi-dyn and ou-equi-dyn (eta=, steps=, seed=),
 *         one-peer:SPEC, hier:G:SPEC, file:PATH (docs/topology.md). Items: n=N,
 *         weights=auto|uniform|metropolis, RxC / rows= / cols= (grid, torus), p= / seed=
 *         (random).
 *  nodes: the node count; 0 takes it from the spec (n=N or RxC). A different non-zero count in
 *         both is an error.
 * Fails with DECENT_ERR_INVALID_ARGUMENT for an unknown kind or key, a bad value, or a node count
 * the kind does not allow (hypercube needs a power of 2; grid and torus a composite n),
 * DECENT_ERR_NOT_SUPPORTED for Metropolis weights on a directed graph, and DECENT_ERR_NUMERICAL
 * when the requested weights are not doubly stochastic (e.g. uniform weights on a star). */
DECENT_API decent_status decent_topology_create(const char* spec, int nodes, decent_topology** out);

/* Creates a topology from your own mixing matrices: `steps` matrices of nodes x nodes doubles,
 * row-major, one after the other (weights[(t * nodes + i) * nodes + j] = w_ij of step t: the
 * weight node i gives to node j's value), so count must be steps * nodes * nodes. Step t of a
 * run uses matrix t mod steps. Every entry must be finite and non-negative and every row and
 * column must sum to 1 within 1e-9; DECENT_ERR_INVALID_ARGUMENT otherwise, naming the step and
 * the entry, row or column. The weights are copied. Its name is "file:<arrays>"; under MPI give
 * every rank the same matrices (ranks whose topologies differ fail at their first exchange). */
DECENT_API decent_status decent_topology_create_from_weights(int nodes, int steps,
                                                             const double* weights, size_t count,
                                                             decent_topology** out);

/* Releases a topology; NULL is fine. */
DECENT_API void decent_topology_free(decent_topology* topology);

/* The number of nodes. */
DECENT_API decent_status decent_topology_nodes(const decent_topology* topology, int* out);

/* The period: how many steps before the matrices repeat (1 for static graphs). */
DECENT_API decent_status decent_topology_period(const decent_topology* topology, int* out);

/* The canonical spec with everything resolved, e.g. "torus:4x4,n=16,weights=uniform".
 * *out is owned by the topology and valid until it is freed. */
DECENT_API decent_status decent_topology_name(const decent_topology* topology, const char** out);

/* W^(step) as a dense row-major n x n array; count must be at least n*n. step >= 0.
 * Dense queries are limited to n <= 4096 (DECENT_ERR_NOT_SUPPORTED beyond). */
DECENT_API decent_status decent_topology_weights(const decent_topology* topology, int64_t step,
                                                 double* out, size_t count);

/* The product W^(start+steps-1) ... W^(start) as a dense row-major n x n array (count >= n*n):
 * the map from x at step `start` to x at step start+steps. steps = 0 means one period. */
DECENT_API decent_status decent_topology_product(const decent_topology* topology, int64_t start,
                                                 int64_t steps, double* out, size_t count);

/* rho = ||P - 11^T/n||_2 of the product P over `steps` steps from `start` (steps = 0: one
 * period). For a static graph with steps = 1 this is the usual spectral quantity (1 - rho is the
 * spectral gap); for a time-varying graph over one period it is the contraction per period. */
DECENT_API decent_status decent_topology_rho(const decent_topology* topology, int64_t start,
                                             int64_t steps, double* out);

/* The in-neighbours of `node` at `step` (the nodes it receives from, self excluded), with their
 * weights w_node,j. Writes at most `capacity` entries into nodes[] and weights[] (either may be
 * NULL when capacity is 0) and the true count into *count. If capacity < *count the call fails
 * with DECENT_ERR_BUFFER_TOO_SMALL and *count tells the size to allocate. */
DECENT_API decent_status decent_topology_in_neighbors(const decent_topology* topology, int node,
                                                      int64_t step, int* nodes, double* weights,
                                                      size_t capacity, size_t* count);

/* The out-neighbours of `node` at `step` (the nodes that receive its value, self excluded), with
 * the weights w_i,node they apply. Same buffer rules as decent_topology_in_neighbors. */
DECENT_API decent_status decent_topology_out_neighbors(const decent_topology* topology, int node,
                                                       int64_t step, int* nodes, double* weights,
                                                       size_t capacity, size_t* count);

/* w_node,node at `step`. */
DECENT_API decent_status decent_topology_self_weight(const decent_topology* topology, int node,
                                                     int64_t step, double* out);

/* In- and out-degree of `node` at `step`, self excluded. Either output may be NULL. */
DECENT_API decent_status decent_topology_degree(const decent_topology* topology, int node,
                                                int64_t step, int* in_degree, int* out_degree);

/* The largest in- or out-degree over all nodes and all steps of a period. */
DECENT_API decent_status decent_topology_max_degree(const decent_topology* topology, int* out);

/* ------------------------------------------------------------------------------------------ */
/* Communicators                                                                              */
/* ------------------------------------------------------------------------------------------ */

/* One node's view of a group of nodes: collectives over float arrays and the neighbour average
 * x_i <- sum_j w_ij x_j of a topology. In-process nodes are threads of decent_comm_run_local;
 * MPI nodes are the ranks of mpirun. Every node must make the same calls in the same order. */
typedef struct decent_comm decent_comm;

typedef enum decent_reduce_op { DECENT_REDUCE_SUM = 0, DECENT_REDUCE_AVERAGE = 1 } decent_reduce_op;

/* The body of one in-process node. Return 0 on success; nonzero fails the whole run. */
typedef int (*decent_node_fn)(decent_comm* comm, int rank, void* user);

/* Runs fn(comm, rank, user) on `nodes` threads of this process, each with its own communicator,
 * and returns when all have returned. The first failure (a nonzero return, or a failed
 * collective) ends the run: the other nodes' pending collectives fail instead of waiting, and the
 * call returns the failing node's own status and message: that of the last decent call that failed
 * on its thread; without one, the value it returned when that is a decent_status, else
 * DECENT_ERR_INTERNAL ("node N returned V without a failed decent call"). A node that returns 0
 * after one of its collectives failed fails the run with that collective's status. timeout_s:
 * seconds a collective waits for a missing peer (<= 0: DECENT_COMM_TIMEOUT_S or 300). The comm
 * handles belong to the run: do not free. */
DECENT_API decent_status decent_comm_run_local(int nodes, double timeout_s, decent_node_fn fn,
                                               void* user);

/* The communicator of this MPI rank (over MPI_COMM_WORLD, duplicated). Initialises MPI when the
 * application has not; decent_comm_free then finalises it. DECENT_ERR_NOT_SUPPORTED in a build
 * without MPI. */
DECENT_API decent_status decent_comm_mpi_create(decent_comm** out);

/* Releases a communicator from decent_comm_mpi_create; NULL, and the handles that
 * decent_comm_run_local lends, are ignored. */
DECENT_API void decent_comm_free(decent_comm* comm);

DECENT_API decent_status decent_comm_rank(const decent_comm* comm, int* out);
DECENT_API decent_status decent_comm_size(const decent_comm* comm, int* out);

/* "local" or "mpi"; owned by the library. */
DECENT_API decent_status decent_comm_backend(const decent_comm* comm, const char** out);

/* In place over all nodes: the sum or the average of data[0..count). */
DECENT_API decent_status decent_comm_allreduce(decent_comm* comm, float* data, size_t count,
                                               decent_reduce_op op);

/* data[0..count) of node `root` copied to every node. */
DECENT_API decent_status decent_comm_broadcast(decent_comm* comm, float* data, size_t count,
                                               int root);

/* In place: data <- sum_j w_ij data_j with the weights of W^(step) of `topology`, whose node
 * count must equal the communicator's size. */
DECENT_API decent_status decent_comm_neighbor_average(decent_comm* comm,
                                                      const decent_topology* topology, int64_t step,
                                                      float* data, size_t count);

/* The same in two halves, so that a caller can overlap the exchange with its own work (a backward
 * pass): _start sends data to the out-neighbours and posts the receives; until _finish returns,
 * `data` must stay alive and unwritten (it may be read) and the topology alive; _finish waits for
 * the neighbours and writes the average into `data`. One exchange at a time per communicator:
 * a second _start before _finish, or _finish without _start, is DECENT_ERR_INVALID_ARGUMENT. */
DECENT_API decent_status decent_comm_neighbor_average_start(decent_comm* comm,
                                                            const decent_topology* topology,
                                                            int64_t step, float* data,
                                                            size_t count);
DECENT_API decent_status decent_comm_neighbor_average_finish(decent_comm* comm);

/* The same collectives over doubles (float64), e.g. for parameters kept in double precision.
 * A neighbour average's values and its neighbours' must have the same type (a rank that passes
 * floats where another passes doubles fails with DECENT_ERR_COMMUNICATION naming both); one
 * exchange at a time per communicator, whatever its type: decent_comm_neighbor_average_finish
 * completes a _start_f64 too. */
DECENT_API decent_status decent_comm_allreduce_f64(decent_comm* comm, double* data, size_t count,
                                                   decent_reduce_op op);
DECENT_API decent_status decent_comm_broadcast_f64(decent_comm* comm, double* data, size_t count,
                                                   int root);
DECENT_API decent_status decent_comm_neighbor_average_f64(decent_comm* comm,
                                                          const decent_topology* topology,
                                                          int64_t step, double* data, size_t count);
DECENT_API decent_status decent_comm_neighbor_average_start_f64(decent_comm* comm,
                                                                const decent_topology* topology,
                                                                int64_t step, double* data,
                                                                size_t count);

/* ------------------------------------------------------------------------------------------ */
/* Algorithm rules                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Gossip-AGA's period after a global average (docs/algorithms.md), for code that runs the
 * algorithm itself (Python's decent.torch): max(1, ceil(sqrt(initial_loss / loss) *
 * initial_period)), where initial_loss is the mean loss of the warm-up steps and loss the mean
 * loss since the previous global average; *out = current when either loss is not positive.
 * DECENT_ERR_INVALID_ARGUMENT for a period below 1 or a NaN loss. */
DECENT_API decent_status decent_aga_next_period(int64_t initial_period, double initial_loss,
                                                double loss, int64_t current, int64_t* out);

/* ------------------------------------------------------------------------------------------ */
/* Datasets                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* A labelled image set held in memory (channel-major per image): 8-bit pixels for the sets
 * decent_dataset_open reads, floats for decent_dataset_from_memory's. */
typedef struct decent_dataset decent_dataset;

/* Opens a dataset.
 *  kind:  "fashion-mnist" or "mnist" (IDX files {train,t10k}-{images-idx3,labels-idx1}-ubyte,
 *         plain or .gz, in `path`; NULL or "" means Debian's /usr/share/datasets/fashion-mnist
 *         for fashion-mnist), "cifar10" (`path` = the cifar-10-batches-bin folder), or
 *         "synthetic" (learnable 1x28x28 images; path ignored).
 *  train: nonzero for the training split, 0 for the test split.
 * Fails with DECENT_ERR_INVALID_ARGUMENT for an unknown kind and DECENT_ERR_IO (naming the file
 * and byte offset) for a missing, truncated or corrupt file. */
DECENT_API decent_status decent_dataset_open(const char* kind, const char* path, int train,
                                             decent_dataset** out);

/* A dataset made from the caller's memory (copied; the arrays may be freed after the call):
 * `count` images of channels x height x width floats each, channel-major
 * (images_count = count x C x H x W values, all finite, taken as they are: no / 255), and their
 * labels in [0, classes) (classes >= 2). Its normalisation is its own per-channel mean and
 * standard deviation: give a test split its training split's with
 * decent_dataset_set_normalization. DECENT_ERR_INVALID_ARGUMENT / OUT_OF_RANGE name the first
 * bad count, value or label. */
DECENT_API decent_status decent_dataset_from_memory(const float* images, size_t images_count,
                                                    const int32_t* labels, size_t count,
                                                    int64_t channels, int64_t height, int64_t width,
                                                    int64_t classes, decent_dataset** out);

/* Sets the per-channel mean and standard deviation that decent_dataset_batch (and a trainer
 * made with decent_trainer_create_with_data, from the training set's) normalise with: `count`
 * = the channel count; every stddev > 0 and every value finite. */
DECENT_API decent_status decent_dataset_set_normalization(decent_dataset* dataset,
                                                          const float* mean, const float* stddev,
                                                          size_t count);

/* Releases a dataset; NULL is fine. */
DECENT_API void decent_dataset_free(decent_dataset* dataset);

/* The number of images. */
DECENT_API decent_status decent_dataset_size(const decent_dataset* dataset, int64_t* out);

/* channels x height x width of one image, and the number of classes. Any output may be NULL. */
DECENT_API decent_status decent_dataset_shape(const decent_dataset* dataset, int64_t* channels,
                                              int64_t* height, int64_t* width, int64_t* classes);

/* Images `indices[0..count)` as floats normalised per channel with the mean and standard
 * deviation of the kind's training split (for both splits, as the trainer does; 0.1.0 used the
 * test split's own) (count x C x H x W, images_count >= that) and their labels
 * (labels_count >= count).
 * DECENT_ERR_OUT_OF_RANGE names an index outside [0, size). */
DECENT_API decent_status decent_dataset_batch(const decent_dataset* dataset, const int64_t* indices,
                                              size_t count, float* images, size_t images_count,
                                              int32_t* labels, size_t labels_count);

/* The per-channel mean and standard deviation with which decent_dataset_batch and the trainer
 * normalise: for decent_dataset_open's sets, those of the kind's training split (of pixels
 * scaled to [0, 1]: a normalised value is (pixel / 255 - mean[c]) / stddev[c]); for
 * decent_dataset_from_memory's, the set's own unless set by decent_dataset_set_normalization
 * (a normalised value is (value - mean[c]) / stddev[c]). Each array holds `count` >= the
 * channel count floats. */
DECENT_API decent_status decent_dataset_normalization(const decent_dataset* dataset, float* mean,
                                                      float* stddev, size_t count);

/* The sample indices of node `node` of `nodes` under a partition: spec "iid",
 * "dirichlet[:alpha]" or "sorted", deterministic in `seed`. Same buffer rules as
 * decent_topology_in_neighbors: *count always receives the true size; capacity 0 queries it. */
DECENT_API decent_status decent_dataset_partition(const decent_dataset* dataset, const char* spec,
                                                  int nodes, uint64_t seed, int node,
                                                  int64_t* indices, size_t capacity, size_t* count);

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* A network with its parameters in one flat array (and batch-norm running statistics in a
 * second one, the "buffers"). */
typedef struct decent_model decent_model;

/* Builds a model by name ("resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
 * "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "mlp", "lenet") for images of
 * channels x height x width and `classes` classes, initialised from `seed` (the same seed gives
 * the same parameters everywhere). */
DECENT_API decent_status decent_model_create(const char* name, int64_t channels, int64_t height,
                                             int64_t width, int64_t classes, uint64_t seed,
                                             decent_model** out);

/* Releases a model; NULL is fine. */
DECENT_API void decent_model_free(decent_model* model);

/* The number of parameters (floats) and of buffer values. Either output may be NULL. */
DECENT_API decent_status decent_model_parameter_count(const decent_model* model,
                                                      int64_t* parameters, int64_t* buffers);

/* One image's channels x height x width, and the number of classes. Any output may be NULL. */
DECENT_API decent_status decent_model_shape(const decent_model* model, int64_t* channels,
                                            int64_t* height, int64_t* width, int64_t* classes);

/* Copies the flat parameters out (count must equal the parameter count) or in. */
DECENT_API decent_status decent_model_get_parameters(const decent_model* model, float* out,
                                                     size_t count);
DECENT_API decent_status decent_model_set_parameters(decent_model* model, const float* values,
                                                     size_t count);

/* The same for the buffers (batch-norm running means and variances). */
DECENT_API decent_status decent_model_get_buffers(const decent_model* model, float* out,
                                                  size_t count);
DECENT_API decent_status decent_model_set_buffers(decent_model* model, const float* values,
                                                  size_t count);

/* Inference: logits (batch x classes, row-major; logits_count >= that) of `batch` images
 * (images_count == batch * channels * height * width floats, normalised as the training data
 * was). Not thread-safe on one model. */
DECENT_API decent_status decent_model_predict(decent_model* model, const float* images,
                                              size_t images_count, int64_t batch, float* logits,
                                              size_t logits_count);

/* Model files (the format of `decent train`'s model.bin, docs/nn.md): the architecture (name,
 * input shape, classes, width), the parameters and the batch-norm buffers, with a CRC-32, so that
 * a program can ship a trained model without its training run. The file is written atomically
 * (a temporary file, then a rename). Loading fails with DECENT_ERR_IO naming the file and byte
 * offset for a truncated or corrupt file. */
DECENT_API decent_status decent_model_save(const decent_model* model, const char* path);
DECENT_API decent_status decent_model_load(const char* path, decent_model** out);
/* The same bytes in the caller's memory. *size always receives the size the model needs;
 * capacity 0 (buffer may be NULL) asks for it: like any capacity below the size, it returns
 * DECENT_ERR_BUFFER_TOO_SMALL with *size set. */
DECENT_API decent_status decent_model_save_to_memory(const decent_model* model, void* buffer,
                                                     size_t capacity, size_t* size);
DECENT_API decent_status decent_model_load_from_memory(const void* buffer, size_t size,
                                                       decent_model** out);

/* ------------------------------------------------------------------------------------------ */
/* Training                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Options of a training run; the fields mirror `decent train`'s flags (docs/training.md lists
 * each with its default and range). Always fill with decent_train_default_options first:
 * struct_size lets later versions add fields at the end without breaking callers built against
 * this header, and a caller's older, shorter struct is read as far as it goes (the fields it
 * lacks take their defaults). Strings are copied at decent_trainer_create; NULL means the
 * default. Bad values are refused there, naming the field (options.lr, ...). */
typedef struct decent_train_options {
  size_t struct_size;    /* sizeof(decent_train_options), set by the default function */
  const char* model;     /* "resnet20" */
  const char* data;      /* "fashion-mnist" (also mnist, cifar10, synthetic) */
  const char* data_dir;  /* NULL: the kind's default folder */
  const char* partition; /* "iid" (also dirichlet[:alpha], sorted) */
  const char* topology;  /* "one-peer-exp" (any decent_topology_create spec) */
  const char* algorithm; /* "dsgd" (psgd, dmsgd, decentlam, gradient_tracking,
                            exact_diffusion, d2, pga, aga, local_sgd, choco, sgp, diloco) */
  const char* optimizer; /* "sgd" (also lars, lamb) */
  const char* schedule;  /* "cosine" (also step, constant) */
  const char* out;       /* NULL or "": write no files; else checkpoints go to OUT/checkpoint */
  int32_t nodes;         /* 8 in-process nodes (threads) */
  int32_t awc;           /* 0; nonzero: adapt-with-combine D-SGD (overlapped exchange) */
  int32_t nesterov;      /* 0 */
  int32_t threads;       /* 0: cores / nodes oneDNN threads per node */
  int64_t width;         /* 0: the model's own first-stage width */
  int64_t period;        /* 8: global averaging period of pga and local_sgd; aga's initial one */
  int64_t epochs;        /* 2 */
  int64_t batch;         /* 32 per node */
  int64_t train_limit;   /* 0: all training images */
  int64_t test_limit;    /* 0: all test images */
  int64_t log_every;     /* 20: steps between training progress reports */
  int64_t max_steps;     /* 0: epochs * steps per epoch */
  double lr;             /* 0.1 */
  double momentum;       /* 0.9 */
  double weight_decay;   /* 5e-4 */
  double warmup_epochs;  /* 0 */
  uint64_t seed;         /* 1 */
  /* Since 0.2.0 (a 0.1.0 caller's struct ends above; these then take their defaults). */
  int64_t crop_padding;     /* 0: no random crop; P: crop after zero padding by P */
  int64_t aga_warmup;       /* 0: aga's reference loss is the first period's */
  int64_t checkpoint_every; /* 0: checkpoints (with out) only at the end; N: every N steps */
  const char* milestones;   /* NULL or "": none; "30,60": epochs where the step schedule x 0.1 */
  const char* resume;       /* NULL or "": from scratch; else a checkpoint folder */
  int32_t flip;             /* 0; nonzero: random horizontal flips */
  int32_t scale_lr;         /* 0; nonzero: lr * nodes * batch / 256 (linear scaling rule) */
  int32_t eval_nodes;       /* 0; nonzero: also evaluate every node's own model */
  const char* device;       /* "cpu" (NULL too); "cuda" (node r on GPU r mod count) or "cuda:N";
                               a GPU needs libdecent_gpu.so and a CUDA device, else create
                               fails with NOT_SUPPORTED */
  /* Since 0.2.0, communication-efficient algorithms (docs/compression.md). */
  const char* compressor; /* "top-k:0.01": choco's compressor: identity, top-k:F, random-k:F,
                             qsgd:B, int8, fp16, sign, minmax8 (optionally ",chunk=C") */
  double consensus_step;  /* 0: choco's consensus step tuned by the CHOCO authors' search; else
                             gamma_c in (0, 2] */
  double outer_lr;        /* 0.7: diloco's outer learning rate */
  double outer_momentum;  /* 0.9: diloco's outer Nesterov momentum, in [0, 1) */
  int32_t inner_gossip;   /* 0; nonzero: diloco gossips (D-SGD) between outer steps */
  int32_t outer_gossip;   /* 0; nonzero: diloco averages the outer change with its neighbours */
} decent_train_options;

/* Fills *options with the defaults above and sets struct_size. */
DECENT_API decent_status decent_train_default_options(decent_train_options* options);

/* What a progress callback receives. kind is DECENT_PROGRESS_TRAIN every log_every steps (loss
 * averaged over nodes and steps since the last report; test_* are NaN) and
 * DECENT_PROGRESS_EVAL at the end of every epoch and of the run (the node-averaged model on the
 * test set). */
typedef enum decent_progress_kind {
  DECENT_PROGRESS_TRAIN = 0,
  DECENT_PROGRESS_EVAL = 1
} decent_progress_kind;
typedef struct decent_progress {
  size_t struct_size;
  decent_progress_kind kind;
  int64_t step;        /* completed steps */
  int64_t total_steps; /* steps of the whole run */
  double epoch;
  double loss;               /* TRAIN */
  double lr;                 /* TRAIN */
  double test_accuracy;      /* EVAL, in [0, 1] */
  double test_loss;          /* EVAL */
  double consensus_distance; /* EVAL: (1/n) sum_i ||x_i - x_bar||^2 */
  double images_per_second;  /* all nodes together */
  double time_s;             /* since the run started */
  /* Since 0.2.0: TRAIN: bytes all nodes have sent for the algorithm's exchanges since the run
   * (or decent_trainer_run) started (values or compressed messages to neighbours, all-reduces;
   * headers excluded); NaN for EVAL. */
  double bytes_sent;
} decent_progress;

/* Called on one thread during decent_trainer_run. Return 0 to continue, nonzero to stop after
 * the current step (all nodes stop together at the next report; the run is then evaluated and
 * can be continued by another decent_trainer_run). While the trainer trains, every decent_trainer_*
 * call on it (free, run, step, steps, evaluate, model, save, load), from the callback or from
 * another thread, is refused with DECENT_ERR_INVALID_ARGUMENT and changes nothing: the callback
 * reads the state from *progress. Calls on other handles are allowed. */
typedef int (*decent_progress_fn)(const decent_progress* progress, void* user);

/* A decentralized training run on in-process nodes: options, the loaded data and every node's
 * state between calls. */
typedef struct decent_trainer decent_trainer;

/* Validates the options and loads the data. */
DECENT_API decent_status decent_trainer_create(const decent_train_options* options,
                                               decent_trainer** out);

/* This process's node of a training run over `comm`: under mpirun, every rank calls it with its
 * decent_comm_mpi_create communicator (options->nodes is ignored: the run has comm's size) and
 * trains its part of the data. decent_trainer_run, _step, _evaluate, _model, _save and _load are
 * then collective: every rank calls them in the same order; the progress callback is called on
 * rank 0 only; _save writes this rank's file of the checkpoint folder. The results equal an
 * in-process trainer's with as many nodes, bit for bit. Free the trainer before the
 * communicator. */
DECENT_API decent_status decent_trainer_create_with_comm(const decent_train_options* options,
                                                         decent_comm* comm, decent_trainer** out);

/* A trainer on the caller's data instead of options->data (which is ignored; the resolved
 * configuration says "memory"): `train` and `test` (from decent_dataset_from_memory or
 * decent_dataset_open; copied, so they may be freed afterwards) must have the same image shape
 * and classes; both are normalised with train's normalisation (decent_dataset_normalization).
 * options->train_limit and test_limit still cut them. `comm` NULL trains options->nodes
 * in-process nodes; else it is this rank's node of a run over `comm`, as in
 * decent_trainer_create_with_comm (every rank gives the same data). */
DECENT_API decent_status decent_trainer_create_with_data(const decent_train_options* options,
                                                         const decent_dataset* train,
                                                         const decent_dataset* test,
                                                         decent_comm* comm, decent_trainer** out);

/* Releases a trainer; NULL is fine. A trainer that is training (called from its progress
 * callback), or a handle of another kind, is not freed: decent_last_error() says why. */
DECENT_API void decent_trainer_free(decent_trainer* trainer);

/* Trains from where the trainer stands to the end of the last epoch (or max_steps), calling
 * `progress` (may be NULL) with `user`. A NaN loss fails with DECENT_ERR_NUMERICAL naming the node
 * and step. */
DECENT_API decent_status decent_trainer_run(decent_trainer* trainer, decent_progress_fn progress,
                                            void* user);

/* Runs exactly `steps` more steps (at most to the end of the run). Each call starts the nodes
 * afresh from the saved states (about a model construction per node), so prefer
 * decent_trainer_run for long runs. */
DECENT_API decent_status decent_trainer_step(decent_trainer* trainer, int64_t steps);

/* Completed and total steps. Either output may be NULL. */
DECENT_API decent_status decent_trainer_steps(const decent_trainer* trainer, int64_t* done,
                                              int64_t* total);

/* *out = 1 when every step of the run is done, 0 when it was stopped (by the progress
 * callback, or by decent_trainer_step) or has not started: decent_trainer_run returns DECENT_OK
 * in both cases. */
DECENT_API decent_status decent_trainer_finished(const decent_trainer* trainer, int* out);

/* The trainer's resolved configuration as one JSON object: every option with the value the run
 * uses (defaults filled in, threads resolved), keyed by the field names of decent_train_options.
 * *out is owned by the trainer and valid until it is freed. */
DECENT_API decent_status decent_trainer_config_json(const decent_trainer* trainer,
                                                    const char** out);

/* The node-averaged model (parameters and batch-norm statistics) on the test set: accuracy in
 * [0, 1] and mean loss. Either output may be NULL. */
DECENT_API decent_status decent_trainer_evaluate(decent_trainer* trainer, double* accuracy,
                                                 double* loss);

/* A new model holding the node-averaged parameters and buffers; free it with decent_model_free. */
DECENT_API decent_status decent_trainer_model(const decent_trainer* trainer, decent_model** out);

/* Writes every node's state into `dir` (created if needed; one file per node, written
 * atomically with a CRC-32), or loads it back into a trainer created with the same options. */
DECENT_API decent_status decent_trainer_save(const decent_trainer* trainer, const char* dir);
DECENT_API decent_status decent_trainer_load(decent_trainer* trainer, const char* dir);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DECENT_DECENT_H */
