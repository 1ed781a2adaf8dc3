// Primitives are created once per (input layout, mode) and reused: creating a oneDNN primitive
// costs far more than running a small one. A layer keeps a few plans (training batch, evaluation
// batch); the cache is bounded so that a caller cycling through batch sizes cannot grow it.
#pragma once

#include <cstddef>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "nn/layer.hpp"

namespace decent::nn {

template <class Plan>
class PlanCache {
 public:
  // The plan for input layout `in` and `mode`, built by make() (returning shared_ptr<Plan>)
  // when absent. Shared, so that a layer's reference to its last training plan survives
  // eviction.
  template <class Make>
  std::shared_ptr<Plan> get(const dnnl::memory::desc& in, Mode mode, Make&& make) {
    for (auto& p : plans_)
      if (p->mode == mode && p->in == in) return p;
    if (plans_.size() >= kMaxPlans) plans_.erase(plans_.begin());
    plans_.push_back(make());
    return plans_.back();
  }

 private:
  static constexpr std::size_t kMaxPlans = 4;
  std::vector<std::shared_ptr<Plan>> plans_;
};

}  // namespace decent::nn
