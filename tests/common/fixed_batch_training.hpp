// One fixed batch, memorised by plain SGD: the training check shared by the CPU model test
// (tests/unit/nn_model_test.cpp) and the GPU one (tests/gpu/cudnn_layers_test.cpp). The batch
// comes from decent's platform-independent Rng, the model from its seed, so both devices start
// from the same numbers: the first loss is one constant, and a backward pass that is wrong
// anywhere keeps the loss from falling.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "core/vector_ops.hpp"
#include "nn/builders.hpp"

namespace decent::test {

struct FixedBatch {
  std::vector<float> images;
  std::vector<std::int32_t> labels;
};

inline constexpr std::int64_t kFixedBatchSize = 32;
// The model: resnet20 at width 4 on 3 x 16 x 16 images, 10 classes, seed 5.
inline nn::ModelSpec fixed_batch_model() {
  nn::ModelSpec s;
  s.name = "resnet20";
  s.input = {3, 16, 16};
  s.classes = 10;
  s.width = 4;
  s.seed = 5;
  return s;
}

inline FixedBatch fixed_batch() {
  Rng rng(2024);
  FixedBatch b;
  b.images.resize(static_cast<std::size_t>(kFixedBatchSize * 3 * 16 * 16));
  for (auto& x : b.images) x = static_cast<float>(2 * rng.uniform() - 1);
  for (std::int64_t i = 0; i < kFixedBatchSize; ++i)
    b.labels.push_back(static_cast<std::int32_t>(rng.uniform() * 10) % 10);
  return b;
}

// The first loss of fixed_batch_model() on fixed_batch(), from the CPU run (asserted there).
inline constexpr double kFixedBatchFirstLoss = 2.803428299;

struct Losses {
  double first = 0, last = 0;
};

// `steps` SGD steps (lr 0.1, no momentum) on the batch, the update through `ops` (on the
// model's device).
inline Losses memorise(nn::Model& model, const VectorOps<float>& ops, int steps) {
  const FixedBatch b = fixed_batch();
  Losses l;
  for (int s = 0; s < steps; ++s) {
    const double loss = model.train_step(b.images, b.labels);
    if (s == 0) l.first = loss;
    l.last = loss;
    ops.axpy(static_cast<std::size_t>(model.parameter_count()), -0.1f, model.gradients().data(),
             model.parameters().data());
  }
  return l;
}

}  // namespace decent::test
