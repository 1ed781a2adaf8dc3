// Batch normalisation over NHWC tensors, the GPU backend's own (cuDNN's graph API has batch
// norm only in its runtime-fusion engines, whose support differs by architecture; these bodies
// run on every device and are tested on the host against oneDNN's batch norm), written as
// host/device functors like kernels/nn_body.hpp.
//
// An NHWC tensor is `rows` = N*H*W rows of `channels` values. Per-channel sums are two-level and
// in a fixed order, so results do not depend on the launch: each (part, channel) sums
// kBatchNormRowsPerPart consecutive rows in double (adjacent threads read adjacent channels:
// coalesced), then ChannelReduce sums the parts in part order.
//
// Training forward: mean = sum(x) / M, var = sum((x - mean)^2) / M (two passes, as accurate as
// the data allows), y = scale (x - mean) / sqrt(var + eps) + shift, then ReLU when fused; the
// running statistics move by `momentum` towards the batch mean and the unbiased variance
// var M / (M - 1) (PyTorch's rule, and the CPU layer's). Backward, with g = dy masked by y > 0
// when ReLU is fused and xhat = (x - mean) inv_std: dshift = sum(g), dscale = sum(g xhat),
// dx = scale inv_std (g - dshift / M - xhat dscale / M).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "vector_ops_body.hpp"  // DECENT_HD

namespace decent::kernels {

inline constexpr std::int64_t kBatchNormRowsPerPart = 64;

struct ChannelRows {
  std::int64_t rows, channels;
  DECENT_HD std::int64_t parts() const {
    return (rows + kBatchNormRowsPerPart - 1) / kBatchNormRowsPerPart;
  }
  // Functor index range of the partial sums: parts() x channels.
  DECENT_HD std::int64_t partials() const { return parts() * channels; }
  DECENT_HD std::int64_t elements() const { return rows * channels; }
};

// partial[p * C + c] = sum over the rows of part p of (x - center[c])^power, power 1 or 2;
// center null means 0.
struct ChannelPartialSums {
  ChannelRows s;
  const float* x;
  const double* center;
  int power;
  double* partial;
  DECENT_HD void operator()(std::size_t i) const {
    const auto k = static_cast<std::int64_t>(i);
    const std::int64_t p = k / s.channels, c = k % s.channels;
    const std::int64_t end = (p + 1) * kBatchNormRowsPerPart;
    const double m = center ? center[c] : 0.0;
    double sum = 0;
    for (std::int64_t r = p * kBatchNormRowsPerPart; r < (end < s.rows ? end : s.rows); ++r) {
      const double d = static_cast<double>(x[r * s.channels + c]) - m;
      sum += power == 2 ? d * d : d;
    }
    partial[i] = sum;
  }
};

// out[c] = scale * the sum over parts of partial[p * C + c], in part order.
struct ChannelReduce {
  ChannelRows s;
  const double* partial;
  double scale;
  double* out;
  DECENT_HD void operator()(std::size_t c) const {
    double sum = 0;
    for (std::int64_t p = 0; p < s.parts(); ++p)
      sum += partial[p * s.channels + static_cast<std::int64_t>(c)];
    out[c] = sum * scale;
  }
};

// Per channel after the two training reductions (mean and biased var over M = rows): inv_std,
// and the running statistics moved towards the batch's.
struct BatchNormTrainStatistics {
  std::int64_t rows;
  double epsilon, momentum;
  const double* mean;
  const double* var;
  double* inv_std;
  float* running_mean;
  float* running_var;
  DECENT_HD void operator()(std::size_t c) const {
    inv_std[c] = 1.0 / sqrt(var[c] + epsilon);
    const double unbias =
        rows > 1 ? static_cast<double>(rows) / static_cast<double>(rows - 1) : 1.0;
    running_mean[c] = static_cast<float>((1 - momentum) * running_mean[c] + momentum * mean[c]);
    running_var[c] =
        static_cast<float>((1 - momentum) * running_var[c] + momentum * var[c] * unbias);
  }
};

// Per channel for inference: mean and inv_std from the running statistics.
struct BatchNormInferStatistics {
  double epsilon;
  const float* running_mean;
  const float* running_var;
  double* mean;
  double* inv_std;
  DECENT_HD void operator()(std::size_t c) const {
    mean[c] = running_mean[c];
    inv_std[c] = 1.0 / sqrt(static_cast<double>(running_var[c]) + epsilon);
  }
};

// y = scale (x - mean) inv_std + shift, ReLU when fused; per element of the NHWC tensor.
struct BatchNormApply {
  std::int64_t channels;
  const float* x;
  const double* mean;
  const double* inv_std;
  const float* scale;
  const float* shift;
  bool relu;
  float* y;
  DECENT_HD void operator()(std::size_t i) const {
    const std::int64_t c = static_cast<std::int64_t>(i) % channels;
    const double v = scale[c] * (x[i] - mean[c]) * inv_std[c] + shift[c];
    const float f = static_cast<float>(v);
    y[i] = relu && f < 0.0f ? 0.0f : f;
  }
};

// The two backward sums per (part, channel): partial_g = sum(g), partial_gx = sum(g xhat).
struct BatchNormBackwardPartials {
  ChannelRows s;
  const float* dy;
  const float* y;  // the forward output, for the fused ReLU's mask; null without ReLU
  const float* x;
  const double* mean;
  const double* inv_std;
  double* partial_g;
  double* partial_gx;
  DECENT_HD void operator()(std::size_t i) const {
    const auto k = static_cast<std::int64_t>(i);
    const std::int64_t p = k / s.channels, c = k % s.channels;
    const std::int64_t end = (p + 1) * kBatchNormRowsPerPart;
    double sg = 0, sgx = 0;
    for (std::int64_t r = p * kBatchNormRowsPerPart; r < (end < s.rows ? end : s.rows); ++r) {
      const std::int64_t at = r * s.channels + c;
      const double g = y && !(y[at] > 0.0f) ? 0.0 : static_cast<double>(dy[at]);
      sg += g;
      sgx += g * (x[at] - mean[c]) * inv_std[c];
    }
    partial_g[i] = sg;
    partial_gx[i] = sgx;
  }
};

// Per channel: the parameter gradients (overwritten) from the reduced sums.
struct BatchNormParamGrads {
  const double* sum_g;
  const double* sum_gx;
  float* dscale;
  float* dshift;
  DECENT_HD void operator()(std::size_t c) const {
    dscale[c] = static_cast<float>(sum_gx[c]);
    dshift[c] = static_cast<float>(sum_g[c]);
  }
};

// dx per element, from the reduced sums over M = rows.
struct BatchNormBackwardData {
  ChannelRows s;
  const float* dy;
  const float* y;
  const float* x;
  const double* mean;
  const double* inv_std;
  const float* scale;
  const double* sum_g;
  const double* sum_gx;
  float* dx;
  DECENT_HD void operator()(std::size_t i) const {
    const std::int64_t c = static_cast<std::int64_t>(i) % s.channels;
    const double m = static_cast<double>(s.rows);
    const double g = y && !(y[i] > 0.0f) ? 0.0 : static_cast<double>(dy[i]);
    const double xhat = (x[i] - mean[c]) * inv_std[c];
    dx[i] = static_cast<float>(scale[c] * inv_std[c] * (g - sum_g[c] / m - xhat * sum_gx[c] / m));
  }
};

}  // namespace decent::kernels

namespace decent::kernels {

// Double scratch of one batch-norm layer call, `doubles(s)` in all: two partial arrays and five
// per-channel arrays.
struct BatchNormScratch {
  double *partial_a, *partial_b, *mean, *var, *inv_std, *sum_g, *sum_gx;
  static std::int64_t doubles(const ChannelRows& s) { return 2 * s.partials() + 5 * s.channels; }
  static BatchNormScratch over(double* base, const ChannelRows& s) {
    double* p = base;
    auto take = [&p](std::int64_t n) {
      double* at = p;
      p += n;
      return at;
    };
    BatchNormScratch b{};
    b.partial_a = take(s.partials());
    b.partial_b = take(s.partials());
    b.mean = take(s.channels);
    b.var = take(s.channels);
    b.inv_std = take(s.channels);
    b.sum_g = take(s.channels);
    b.sum_gx = take(s.channels);
    return b;
  }
};

// The sequences of functors of one forward and one backward pass, over `each(n, functor)`: a
// host loop in the tests, cuda::each on a stream in the GPU layer (the same order either way).
template <class Each>
void batch_norm_forward_train(Each&& each, const ChannelRows& s, const float* x, const float* scale,
                              const float* shift, float* running_mean, float* running_var,
                              double epsilon, double momentum, bool relu, BatchNormScratch b,
                              float* y) {
  const double inv_m = 1.0 / static_cast<double>(s.rows);
  each(s.partials(), ChannelPartialSums{s, x, nullptr, 1, b.partial_a});
  each(s.channels, ChannelReduce{s, b.partial_a, inv_m, b.mean});
  each(s.partials(), ChannelPartialSums{s, x, b.mean, 2, b.partial_a});
  each(s.channels, ChannelReduce{s, b.partial_a, inv_m, b.var});
  each(s.channels, BatchNormTrainStatistics{s.rows, epsilon, momentum, b.mean, b.var, b.inv_std,
                                            running_mean, running_var});
  each(s.elements(), BatchNormApply{s.channels, x, b.mean, b.inv_std, scale, shift, relu, y});
}

template <class Each>
void batch_norm_forward_infer(Each&& each, const ChannelRows& s, const float* x, const float* scale,
                              const float* shift, const float* running_mean,
                              const float* running_var, double epsilon, bool relu,
                              BatchNormScratch b, float* y) {
  each(s.channels, BatchNormInferStatistics{epsilon, running_mean, running_var, b.mean, b.inv_std});
  each(s.elements(), BatchNormApply{s.channels, x, b.mean, b.inv_std, scale, shift, relu, y});
}

// After batch_norm_forward_train with the same scratch (its mean and inv_std); `y` is the
// forward's output when ReLU was fused, else null; dx null skips the input gradient.
template <class Each>
void batch_norm_backward(Each&& each, const ChannelRows& s, const float* dy, const float* y,
                         const float* x, const float* scale, BatchNormScratch b, float* dscale,
                         float* dshift, float* dx) {
  each(s.partials(),
       BatchNormBackwardPartials{s, dy, y, x, b.mean, b.inv_std, b.partial_a, b.partial_b});
  each(s.channels, ChannelReduce{s, b.partial_a, 1.0, b.sum_g});
  each(s.channels, ChannelReduce{s, b.partial_b, 1.0, b.sum_gx});
  each(s.channels, BatchNormParamGrads{b.sum_g, b.sum_gx, dscale, dshift});
  if (dx)
    each(s.elements(),
         BatchNormBackwardData{s, dy, y, x, b.mean, b.inv_std, scale, b.sum_g, b.sum_gx, dx});
}

}  // namespace decent::kernels
