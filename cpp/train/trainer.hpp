// The decentralized training loop of one node. Every node (a thread of `decent train`, or an MPI
// rank) calls train_node with the same options; node `comm.rank()` trains on its part of the
// data, and the chosen algorithm mixes the flat parameter buffers over the topology.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "nn/model.hpp"
#include "topology/topology.hpp"
#include "train/checkpoint.hpp"
#include "train/datasets.hpp"
#include "train/option_table.hpp"
#include "train/options.hpp"

namespace decent::train {

// A training metric line: the loss averaged over nodes and over the steps since the last line.
struct TrainPoint {
  std::int64_t step = 0;
  double epoch = 0;
  double loss = 0;
  double lr = 0;
  double images_per_second = 0;  // all nodes together, since the previous line
  double time_s = 0;
  // Exact global averages of the parameters so far (pga, aga, local_sgd; counted from the start
  // of this run, a resumed run from the resume).
  std::int64_t global_averages = 0;
  // Bytes all nodes together have sent for the algorithm's exchanges so far (Algorithm::
  // bytes_sent: values or compressed messages to the neighbours, all-reduces; headers and the
  // evaluations' averages excluded), counted from the start of this run.
  double bytes_sent = 0;
};

// An evaluation: the node-averaged model (parameters and batch-norm statistics) on the test set.
struct EvalPoint {
  std::int64_t step = 0;
  double epoch = 0;
  double test_accuracy = 0;
  double test_loss = 0;
  // (1/n) sum_i ||x_i - x_bar||^2 over the parameter vectors.
  double consensus_distance = 0;
  double images_per_second = 0;  // training throughput since the previous evaluation
  double time_s = 0;
  std::vector<double> node_accuracy;  // each node's own model, with eval_nodes
};

// Called on node 0 only.
struct Reporter {
  // Asked at every training metric line (every log_every steps); true ends training after that
  // step, on all nodes together (then evaluated and checkpointed like a last step).
  std::function<bool()> should_stop;
  std::function<void(const TrainPoint&)> on_train;
  std::function<void(const EvalPoint&)> on_eval;
  std::function<void(std::int64_t step, std::int64_t total_steps, double loss)> on_step;
  std::function<void(const std::string& path)> on_checkpoint;
};

struct TrainResult {
  EvalPoint final_eval;
  std::int64_t steps = 0;
  std::int64_t steps_per_epoch = 0;
  std::vector<float> average_parameters, average_buffers;  // the node-averaged model
  NodeCheckpoint final_state;  // this node's state after the last step (to continue later)
};

// Runs the training of this node up to epochs * steps_per_epoch steps (or options.max_steps, or
// a stop request) and returns the final evaluation (on every node). It starts from
// `start_state` when given, else from options.resume's checkpoint folder when set, else from
// scratch. Errors name the node and step (e.g. a NaN loss). `reporter` is used on node 0 only.
TrainResult train_node(comm::Communicator& comm, const topology::Topology& topology,
                       const TrainOptions& options, const Datasets& data, const Reporter& reporter,
                       const NodeCheckpoint* start_state = nullptr);

// Everything that can be checked before the first step, so that a run fails at once instead
// of at run time (or, for the output folder, after the whole training): validate(), the model,
// schedule and optimizer names, the algorithm on this topology (decentlam on graphs where it
// diverges), every node's part of the data holding at least one batch, the device being usable
// (a GPU present, the plugin loaded), and the output folder being writable (check_output_folder).
// Messages name options as `naming` says (flags for the CLI, fields for the C ABI).
void check_run(const TrainOptions& options, const Datasets& data,
               const topology::Topology& topology, Naming naming = Naming::flag);

// Creates `dir` if needed and writes and removes a probe file in it; IoError naming the folder
// otherwise. "" (no output) passes.
void check_output_folder(const std::string& dir);

// The model `options` name, shaped by the data, initialised from options.seed (the same initial
// parameters on every node), with `layers` (nullptr: the default CPU backend), on its device.
std::unique_ptr<nn::Model> build_model_for(const TrainOptions& options, const Datasets& data,
                                           const nn::LayerBackend* layers = nullptr);

// Steps in one epoch (one pass over the training set by all nodes, at least 1), and the steps of
// the whole run: epochs of them, or options.max_steps when that is smaller.
std::int64_t steps_per_epoch(const TrainOptions& options, const Datasets& data, int nodes);
std::int64_t total_steps(const TrainOptions& options, const Datasets& data, int nodes);

// oneDNN threads per in-process node when options.threads is 0: the cores shared out, >= 1.
int default_threads_per_node(int nodes);

// Loss sum, correct predictions and count of `model` as it is, on test samples
// rank, rank + n, ... (every node a shard; rank 0 of 1 is the whole set).
struct Tally {
  double loss_sum = 0, correct = 0, count = 0;
};
Tally evaluate_shard(nn::Model& model, const Datasets& data, int rank, int n);

// Throws InvalidArgument naming the first difference (context first, e.g. the file) unless
// checkpoint `c` was written by node `rank` of `nodes` with these options, and, given a model,
// holds its parameter and buffer counts.
void check_checkpoint(const NodeCheckpoint& c, const TrainOptions& options, int rank, int nodes,
                      const std::string& context, const nn::Model* model = nullptr);

}  // namespace decent::train
