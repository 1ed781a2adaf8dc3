// The options of a run's parts, from its TrainOptions: shared by check_run (trainer.cpp), which
// checks them before any node starts, and train_node (node_run.cpp), which builds them.
#pragma once

#include <cstdint>

#include "algo/algorithm.hpp"
#include "optim/optimizer.hpp"
#include "optim/schedule.hpp"
#include "train/options.hpp"

namespace decent::train {

// The learning-rate schedule in steps (epochs and milestones times `per_epoch`; the linear
// scaling rule over n nodes when scale_lr).
optim::ScheduleOptions schedule_for(const TrainOptions& o, std::int64_t per_epoch, int n);

// The momentum goes to the algorithm when it has its own (dmsgd, decentlam), else to the
// optimizer: never twice.
algo::AlgorithmOptions algorithm_options_for(const TrainOptions& o, double base_lr);
optim::OptimizerOptions optimizer_options_for(const TrainOptions& o);

}  // namespace decent::train
