// A training run on in-process nodes whose state survives between calls: the engine behind the
// C ABI's decent_trainer (run, step, evaluate, save, load). Between calls every node's state is
// kept as a NodeCheckpoint, and each call starts the nodes from those states, which continue
// exactly (the checkpoint tests prove it), so `run` in pieces equals `run` at once.
#pragma once

#include <memory>
#include <vector>

#include "comm/communicator.hpp"
#include "nn/model.hpp"
#include "train/checkpoint.hpp"
#include "train/datasets.hpp"
#include "train/trainer.hpp"

namespace decent::train {

class LocalTrainer {
 public:
  // Validates the options (options.nodes in-process nodes) and loads the data.
  explicit LocalTrainer(TrainOptions options);
  // This process's node of a run over `comm` (an MPI rank, one node each; options.nodes is
  // comm.size()). Every node of the run makes one; run, step, evaluate, averaged_model, save and
  // load are then collective: every node calls them in the same order. `comm` must outlive it.
  LocalTrainer(TrainOptions options, comm::Communicator& comm);
  // Either of the above (comm null: in-process nodes) on the caller's data instead of
  // options.data's files: options.data becomes "memory"; the limits still apply.
  LocalTrainer(TrainOptions options, Datasets data, comm::Communicator* comm);

  const TrainOptions& options() const { return options_; }
  std::int64_t steps_done() const { return done_; }
  std::int64_t total_steps() const { return total_; }

  // Trains to `until` completed steps (0: the end of the run), reporting through `reporter`
  // (called on node 0's thread). Stops early when reporter.should_stop says so.
  void run(const Reporter& reporter, std::int64_t until = 0);

  // The node-averaged model (a fresh model from the seed before any step).
  std::unique_ptr<nn::Model> averaged_model() const;

  // Accuracy and mean loss of the averaged model on the test set.
  std::pair<double, double> evaluate() const;

  // One checkpoint file per node in `dir`; load checks every node's file against the options.
  void save(const std::string& dir) const;
  void load(const std::string& dir);

 private:
  TrainOptions options_;
  Datasets data_;
  comm::Communicator* comm_ = nullptr;  // this node's communicator; null: in-process nodes
  std::vector<NodeCheckpoint> states_;  // empty before the first step; with comm_, this node's
  void prepare(bool load_data);
  std::int64_t done_ = 0, total_ = 0;
};

}  // namespace decent::train
