#include "nn/loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "kernels/nn_body.hpp"
#include "nn/backend.hpp"

namespace decent::nn {

double SoftmaxCrossEntropy::forward(const Tensor& logits, std::span<const std::int32_t> labels) {
  require_host(logits, "softmax cross-entropy");
  const Dims d = logits.dims();
  if (d.size() != 2 || d[0] < 1 || d[1] < 1)
    throw InvalidArgument("softmax cross-entropy: logits " + to_string(d) +
                          ": expected N x classes");
  const auto n = d[0], k = d[1];
  if (static_cast<std::int64_t>(labels.size()) != n)
    throw InvalidArgument("softmax cross-entropy: " + std::to_string(labels.size()) +
                          " labels for a batch of " + std::to_string(n));
  for (std::int64_t i = 0; i < n; ++i)
    if (labels[i] < 0 || labels[i] >= k)
      throw InvalidArgument("softmax cross-entropy: label " + std::to_string(labels[i]) +
                            " of sample " + std::to_string(i) + " is outside [0, " +
                            std::to_string(k) + ")");
  const Tensor& z = to_layout(logits, *plain_layout(d), plain_);
  if (grad_.empty() || grad_.dims() != d) grad_ = Tensor::plain(d);
  predictions_.assign(static_cast<std::size_t>(n), 0);
  row_loss_.resize(static_cast<std::size_t>(n));
  const kernels::SoftmaxCrossEntropyRow row{
      z.data(), labels.data(), k, n, grad_.data(), predictions_.data(), row_loss_.data()};
  double total = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    row(static_cast<std::size_t>(i));
    total += row_loss_[static_cast<std::size_t>(i)];
  }
  return total / static_cast<double>(n);
}

}  // namespace decent::nn
