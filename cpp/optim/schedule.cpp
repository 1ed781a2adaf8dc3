#include "optim/schedule.hpp"

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace decent::optim {

double learning_rate(const ScheduleOptions& o, std::int64_t k) {
  if (!(o.base_lr > 0) || o.total_steps < 1 || o.warmup_steps < 0 || k < 0)
    throw InvalidArgument("schedule: base lr > 0, total steps >= 1, warm-up >= 0, step >= 0");
  if (k < o.warmup_steps)
    return o.base_lr * static_cast<double>(k + 1) / static_cast<double>(o.warmup_steps);
  if (o.kind == "constant") return o.base_lr;
  if (o.kind == "step") {
    double lr = o.base_lr;
    for (auto m : o.milestones)
      if (k >= m) lr *= o.gamma;
    return lr;
  }
  if (o.kind == "cosine") {
    const auto span = std::max<std::int64_t>(o.total_steps - o.warmup_steps, 1);
    const double t =
        std::min(1.0, static_cast<double>(k - o.warmup_steps) / static_cast<double>(span));
    return 0.5 * o.base_lr * (1 + std::cos(std::numbers::pi * t));
  }
  throw InvalidArgument("schedule \"" + o.kind + "\": unknown; expected constant, step or cosine");
}

double scaled_lr(double lr, std::int64_t global_batch) {
  return lr * static_cast<double>(global_batch) / 256.0;
}

}  // namespace decent::optim
