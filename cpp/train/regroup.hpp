// Resuming a checkpoint folder on the number of nodes it was written by, or on another one.
//
// The rule (docs/training.md, "Resuming on more or fewer nodes"): a folder written by N nodes
// resumes exactly (bit for bit) on N nodes, each from its own file, and every file must be
// there. On M != N nodes, every new node starts from the same state: the element-wise average
// of the saved nodes' parameters, batch-norm buffers, optimizer and algorithm state, over every
// file that loads and holds the newest step among them (a lost host's missing or older file is
// left out and named). The step counter continues, the schedule is the M-node run's at that
// step, and each node's data position is where an M-node run would be at that step.
#pragma once

#include <cstdint>
#include <string>

#include "train/checkpoint.hpp"

namespace decent::train {

struct ResumeState {
  NodeCheckpoint checkpoint;  // this node's starting state, with rank and nodes of this run
  bool regrouped = false;     // false: the node's own file, as saved
  std::string summary;        // for the log when regrouped: the files used and those left out
};

// This node's state to resume from `dir` as node `rank` of `nodes`, whose epochs have
// `steps_per_epoch` steps. Throws IoError naming the file when the node's own file is needed
// (same node count) and cannot be read, or when no file of the folder can be read;
// InvalidArgument when the files used disagree on the run (model, sizes or settings).
ResumeState load_resume_state(const std::string& dir, int rank, int nodes,
                              std::int64_t steps_per_epoch);

}  // namespace decent::train
