// The neural-network operations decent computes itself rather than through oneDNN or cuDNN,
// written once as host/device functors (as kernels/vector_ops_body.hpp): the residual block's
// add + ReLU and its backward mask, the fused softmax cross-entropy, and max, average and global
// average pooling over NHWC tensors (the GPU backend's layout; on the CPU oneDNN pools in its
// own layout). The CPU layers (cpp/nn/sequential.cpp, cpp/nn/loss.cpp) loop over the first
// ones; kernels/cuda/nn_kernels.cu runs all of them on the device; tests/unit/nn_kernels_test.cpp
// checks the pooling bodies against oneDNN's pooling layers.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "vector_ops_body.hpp"  // DECENT_HD

namespace decent::kernels {

// out = relu(a + b): the residual block's output (as std::max(a + b, 0): a -0 or NaN sum
// passes through).
struct ResidualAddRelu {
  const float* a;
  const float* b;
  float* out;
  DECENT_HD void operator()(std::size_t i) const {
    const float s = a[i] + b[i];
    out[i] = s < 0.0f ? 0.0f : s;
  }
};

// g = dy where out > 0, else 0: the gradient through the residual block's ReLU.
struct ReluMask {
  const float* dy;
  const float* out;
  float* g;
  DECENT_HD void operator()(std::size_t i) const { g[i] = out[i] > 0.0f ? dy[i] : 0.0f; }
};

// out = a + b: the sum of the two branches' input gradients into a buffer of its own (the GPU
// block's; the CPU block sums into a's storage with AddInto).
struct ResidualSum {
  const float* a;
  const float* b;
  float* out;
  DECENT_HD void operator()(std::size_t i) const { out[i] = a[i] + b[i]; }
};

// a += b: the sum of the two branches' input gradients.
struct AddInto {
  float* a;
  const float* b;
  DECENT_HD void operator()(std::size_t i) const { a[i] += b[i]; }
};

// y = relu(x) (as std::max(x, 0): NaN passes through): the ReLU layer's forward.
struct ReluForward {
  const float* x;
  float* y;
  DECENT_HD void operator()(std::size_t i) const { y[i] = x[i] < 0.0f ? 0.0f : x[i]; }
};

// y[i] += bias[i % cols] over a plain rows x cols matrix: the linear layer's bias.
struct AddBias {
  std::int64_t cols;
  const float* bias;
  float* y;
  DECENT_HD void operator()(std::size_t i) const {
    y[i] += bias[static_cast<std::int64_t>(i) % cols];
  }
};

// out[j] = the sum over rows of m[r * cols + j], in row order, in double: the bias gradient.
struct ColumnSums {
  std::int64_t rows, cols;
  const float* m;
  float* out;
  DECENT_HD void operator()(std::size_t j) const {
    double s = 0;
    for (std::int64_t r = 0; r < rows; ++r) s += m[r * cols + static_cast<std::int64_t>(j)];
    out[j] = static_cast<float>(s);
  }
};

// Softmax cross-entropy of row i of plain N x K logits z with label labels[i]: writes the row's
// loss logsumexp(z_i) - z_i[y_i] (computed with the row maximum subtracted) to loss[i], its
// arg max (the first maximum) to prediction[i], and d(mean loss)/dz_i = (softmax(z_i) -
// onehot(y_i)) / N to grad. Labels are in [0, K) (checked by the caller).
struct SoftmaxCrossEntropyRow {
  const float* z;
  const std::int32_t* labels;
  std::int64_t classes;
  std::int64_t batch;
  float* grad;
  std::int32_t* prediction;
  double* loss;
  DECENT_HD void operator()(std::size_t i) const {
    const float* row = z + static_cast<std::int64_t>(i) * classes;
    float* g = grad + static_cast<std::int64_t>(i) * classes;
    std::int64_t top = 0;
    for (std::int64_t j = 1; j < classes; ++j)
      if (row[j] > row[top]) top = j;
    prediction[i] = static_cast<std::int32_t>(top);
    const double m = row[top];
    double sum = 0;
    for (std::int64_t j = 0; j < classes; ++j) sum += exp(row[j] - m);
    const double log_sum = log(sum);
    const std::int32_t y = labels[i];
    loss[i] = log_sum + m - row[y];
    for (std::int64_t j = 0; j < classes; ++j)
      g[j] =
          static_cast<float>((exp(row[j] - m - log_sum) - (j == y)) / static_cast<double>(batch));
  }
};

// The geometry of a pooling over NHWC tensors: N x H x W x C in, N x OH x OW x C out, a
// kernel x kernel window moved by `stride` over the input padded by `padding` on each side.
struct Pool2d {
  std::int64_t n, c, h, w, oh, ow, kernel_h, kernel_w, stride, padding;
  DECENT_HD std::int64_t outputs() const { return n * oh * ow * c; }
  DECENT_HD std::int64_t inputs() const { return n * h * w * c; }
};

// Element i of an NHWC tensor of `rows` x `cols` images with `channels` channels.
struct NhwcIndex {
  std::int64_t image, row, col, channel;
};
DECENT_HD inline NhwcIndex nhwc_index(std::int64_t i, std::int64_t rows, std::int64_t cols,
                                      std::int64_t channels) {
  return {i / (channels * cols * rows), i / (channels * cols) % rows, i / channels % cols,
          i % channels};
}

// visit(input index) for the inputs of output o's window inside the image (the padding is
// skipped), in row-major window order.
template <class Visit>
DECENT_HD void each_in_window(const Pool2d& p, std::int64_t o, Visit&& visit) {
  const NhwcIndex out = nhwc_index(o, p.oh, p.ow, p.c);
  for (std::int64_t ky = 0; ky < p.kernel_h; ++ky) {
    const std::int64_t iy = out.row * p.stride - p.padding + ky;
    if (iy < 0 || iy >= p.h) continue;
    for (std::int64_t kx = 0; kx < p.kernel_w; ++kx) {
      const std::int64_t ix = out.col * p.stride - p.padding + kx;
      if (ix >= 0 && ix < p.w) visit(((out.image * p.h + iy) * p.w + ix) * p.c + out.channel);
    }
  }
}

// Max pooling forward, per output element o: the window's maximum (padding never wins) and
// the input index it came from (the first maximum in row-major window order), for backward.
struct MaxPoolForward {
  Pool2d p;
  const float* x;
  float* y;
  std::int64_t* argmax;
  DECENT_HD void operator()(std::size_t o) const {
    std::int64_t best = -1;
    float v = 0;
    each_in_window(p, static_cast<std::int64_t>(o), [&](std::int64_t at) {
      if (best < 0 || x[at] > v) best = at, v = x[at];
    });
    y[o] = v;
    argmax[o] = best;
  }
};

// The output windows that contain input row (or column) `at`: [first, last], maybe empty.
DECENT_HD inline void covering(std::int64_t at, std::int64_t kernel, std::int64_t stride,
                               std::int64_t padding, std::int64_t outputs, std::int64_t* first,
                               std::int64_t* last) {
  const std::int64_t lo = at + padding - kernel + 1;  // the window starting here reaches `at`
  *first = lo <= 0 ? 0 : (lo + stride - 1) / stride;
  const std::int64_t hi = (at + padding) / stride;
  *last = hi < outputs - 1 ? hi : outputs - 1;
}

// visit(output index) for the outputs whose windows contain input element i, in row-major
// order (the gather of the backward passes).
template <class Visit>
DECENT_HD void each_covering_window(const Pool2d& p, std::int64_t i, Visit&& visit) {
  const NhwcIndex at = nhwc_index(i, p.h, p.w, p.c);
  std::int64_t y0, y1, x0, x1;
  covering(at.row, p.kernel_h, p.stride, p.padding, p.oh, &y0, &y1);
  covering(at.col, p.kernel_w, p.stride, p.padding, p.ow, &x0, &x1);
  for (std::int64_t oy = y0; oy <= y1; ++oy)
    for (std::int64_t ox = x0; ox <= x1; ++ox)
      visit(((at.image * p.oh + oy) * p.ow + ox) * p.c + at.channel);
}

// Max pooling backward, per input element: the sum of dy over the windows whose maximum it was
// (a gather, so no two threads write one element).
struct MaxPoolBackward {
  Pool2d p;
  const float* dy;
  const std::int64_t* argmax;
  float* dx;
  DECENT_HD void operator()(std::size_t in) const {
    const auto i = static_cast<std::int64_t>(in);
    float s = 0;
    each_covering_window(p, i, [&](std::int64_t o) {
      if (argmax[o] == i) s += dy[o];
    });
    dx[in] = s;
  }
};

// Average pooling forward, the padding counted in the divisor (PyTorch's count_include_pad).
struct AvgPoolForward {
  Pool2d p;
  const float* x;
  float* y;
  DECENT_HD void operator()(std::size_t o) const {
    float s = 0;
    each_in_window(p, static_cast<std::int64_t>(o), [&](std::int64_t at) { s += x[at]; });
    y[o] = s / static_cast<float>(p.kernel_h * p.kernel_w);
  }
};

// Average pooling backward, per input element: the sum of dy / window size over its windows.
struct AvgPoolBackward {
  Pool2d p;
  const float* dy;
  float* dx;
  DECENT_HD void operator()(std::size_t in) const {
    float s = 0;
    each_covering_window(p, static_cast<std::int64_t>(in), [&](std::int64_t o) { s += dy[o]; });
    dx[in] = s / static_cast<float>(p.kernel_h * p.kernel_w);
  }
};

// NCHW -> NHWC of an N x C x H x W tensor, per destination element (a gather): the conversion
// at the GPU backend's boundary (the model's images come in plain NCHW).
struct NchwToNhwc {
  std::int64_t n, c, h, w;
  const float* src;
  float* dst;
  DECENT_HD void operator()(std::size_t i) const {
    const NhwcIndex at = nhwc_index(static_cast<std::int64_t>(i), h, w, c);
    dst[i] = src[((at.image * c + at.channel) * h + at.row) * w + at.col];
  }
};

// NHWC -> NCHW, per destination element (the linear layer flattens in C, H, W order).
struct NhwcToNchw {
  std::int64_t n, c, h, w;
  const float* src;
  float* dst;
  DECENT_HD void operator()(std::size_t i) const {
    const auto k = static_cast<std::int64_t>(i);
    const std::int64_t image = k / (c * h * w), channel = k / (h * w) % c, row = k / w % h,
                       col = k % w;
    dst[i] = src[((image * h + row) * w + col) * c + channel];
  }
};

// Global average pooling is average pooling with the whole image as the window.
DECENT_HD inline Pool2d global_pool(std::int64_t n, std::int64_t c, std::int64_t h,
                                    std::int64_t w) {
  return {n, c, h, w, 1, 1, h, w, 1, 0};
}

}  // namespace decent::kernels
