// Softmax cross-entropy, fused and numerically stable: loss_i = logsumexp(z_i) - z_i[y_i],
// computed with the row maximum subtracted, so that large logits neither overflow nor lose the
// small ones. The gradient is (softmax(z_i) - onehot(y_i)) / N for the mean over the batch.
// Each row is kernels::SoftmaxCrossEntropyRow (kernels/nn_body.hpp), the device's code too.
#pragma once

#include <cstdint>
#include <span>

#include "nn/tensor.hpp"

namespace decent::nn {

class SoftmaxCrossEntropy {
 public:
  // Mean loss over the batch of logits (N x K, any layout) with labels in [0, K). Keeps what
  // backward() needs. Throws InvalidArgument for a label out of range or a count mismatch.
  double forward(const Tensor& logits, std::span<const std::int32_t> labels);

  // d(mean loss)/d(logits), plain N x K, for the last forward.
  const Tensor& backward() const { return grad_; }

  // Row-wise predicted class (arg max) of the last forward's logits.
  std::span<const std::int32_t> predictions() const { return predictions_; }

 private:
  Tensor plain_, grad_;
  std::vector<std::int32_t> predictions_;
  std::vector<double> row_loss_;
};

}  // namespace decent::nn
