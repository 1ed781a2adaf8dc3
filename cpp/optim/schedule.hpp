// Learning-rate schedules over steps: a linear warm-up from base/warmup_steps to base, then
// constant, step decay (x gamma at each milestone) or cosine annealing to 0 at total_steps.
// The linear scaling rule (Goyal et al. 2017): base = lr * global_batch / 256.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace decent::optim {

struct ScheduleOptions {
  std::string kind = "cosine";  // constant, step, cosine
  double base_lr = 0.1;
  std::int64_t warmup_steps = 0;
  std::int64_t total_steps = 1;
  std::vector<std::int64_t> milestones;  // step
  double gamma = 0.1;                    // step
};

// The learning rate of step k (0-based). Throws InvalidArgument for a bad kind or values.
double learning_rate(const ScheduleOptions& o, std::int64_t k);

double scaled_lr(double lr, std::int64_t global_batch);

}  // namespace decent::optim
