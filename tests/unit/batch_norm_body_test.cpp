// The batch-norm bodies of kernels/batch_norm_body.hpp (the GPU backend's batch norm, over
// NHWC) run on the host against oneDNN's batch-norm layer (over NCHW): the training forward,
// the running statistics, the backward (input, scale and shift gradients) and the inference
// forward, with and without the fused ReLU, on sizes whose rows are not a multiple of a part.
#include "kernels/batch_norm_body.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "nn/layers.hpp"
#include "nn_helpers.hpp"

namespace decent::nn {
namespace {

using test::random_values;
using test::to_nhwc;
using test::worst_ratio;

using test::HostEach;

}  // namespace

TEST_CASE("batch norm bodies over NHWC equal oneDNN's batch norm, training and inference") {
  struct Case {
    Dims in;
    bool relu;
  };
  // 105 rows: one full part of 64 and a partial one; 2 x 8 x 8 = 128 rows: exactly two parts.
  const Case cases[] = {
      {{3, 6, 7, 5}, false}, {{3, 6, 7, 5}, true}, {{2, 16, 8, 8}, true}, {{1, 3, 1, 1}, false}};
  for (const auto& c : cases) {
    const std::string dims = to_string(c.in) + (c.relu ? " relu" : "");
    CAPTURE(dims);
    const std::int64_t channels = c.in[1];
    BatchNormOptions o;
    o.channels = channels;
    o.momentum = 0.25f;
    o.fuse_relu = c.relu;
    LayerPtr layer = make_batch_norm2d(o);
    test::Bound bound(*layer);  // random scale, shift and running statistics in [0.5, 1.5)
    const std::vector<float> scale = bound.values[0], shift = bound.values[1];
    std::vector<float> running_mean = bound.buffers[0], running_var = bound.buffers[1];

    // Values with a mean far from 0, where a one-pass variance would lose digits.
    const auto x = random_values(test::count(c.in), 11, 2.0f, 4.0f);
    const auto dy = random_values(test::count(c.in), 12);
    const auto y_dnnl =
        to_nhwc(test::to_plain(layer->forward(test::plain_tensor(c.in, x), Mode::train)), c.in);
    const auto dx_dnnl =
        to_nhwc(test::to_plain(layer->backward(test::plain_tensor(c.in, dy))), c.in);

    const kernels::ChannelRows s{c.in[0] * c.in[2] * c.in[3], channels};
    std::vector<double> scratch(static_cast<std::size_t>(kernels::BatchNormScratch::doubles(s)));
    const auto b = kernels::BatchNormScratch::over(scratch.data(), s);
    const auto xh = to_nhwc(x, c.in), dyh = to_nhwc(dy, c.in);
    std::vector<float> y(xh.size()), dx(xh.size()), dscale(scale.size()), dshift(scale.size());
    kernels::batch_norm_forward_train(HostEach{}, s, xh.data(), scale.data(), shift.data(),
                                      running_mean.data(), running_var.data(), o.epsilon,
                                      o.momentum, c.relu, b, y.data());
    kernels::batch_norm_backward(HostEach{}, s, dyh.data(), c.relu ? y.data() : nullptr, xh.data(),
                                 scale.data(), b, dscale.data(), dshift.data(), dx.data());
    // oneDNN sums in float, the bodies in double: float rounding apart, no more.
    CHECK(worst_ratio(y, y_dnnl, 1e-5, 1e-5) <= 1);
    CHECK(worst_ratio(running_mean, bound.buffers[0], 1e-6, 1e-6) <= 1);
    CHECK(worst_ratio(running_var, bound.buffers[1], 1e-6, 1e-6) <= 1);
    CHECK(worst_ratio(dx, dx_dnnl, 1e-5, 1e-4) <= 1);
    CHECK(worst_ratio(dscale, bound.grads[0], 1e-4, 1e-5) <= 1);
    CHECK(worst_ratio(dshift, bound.grads[1], 1e-4, 1e-5) <= 1);

    // Inference with the running statistics both sides now hold.
    const auto yi_dnnl =
        to_nhwc(test::to_plain(layer->forward(test::plain_tensor(c.in, x), Mode::infer)), c.in);
    kernels::batch_norm_forward_infer(HostEach{}, s, xh.data(), scale.data(), shift.data(),
                                      running_mean.data(), running_var.data(), o.epsilon, c.relu, b,
                                      y.data());
    CHECK(worst_ratio(y, yi_dnnl, 1e-5, 1e-5) <= 1);
  }
}

}  // namespace decent::nn
