// The pooling bodies of kernels/nn_body.hpp (what the GPU backend runs, over NHWC) against
// oneDNN's pooling layers (over NCHW), forward and backward, run on the host: odd sizes,
// padding, overlapping windows (3x3 stride 2, as resnet's stem) and the global pool.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kernels/nn_body.hpp"
#include "nn/layers.hpp"
#include "nn_helpers.hpp"

namespace decent::nn {
namespace {

using test::random_values;
using test::to_nhwc;

constexpr test::HostEach each{};

struct Case {
  const char* name;
  Dims in;
  std::int64_t kernel, stride, padding;
  bool max, global;
};

}  // namespace

TEST_CASE("pooling kernels over NHWC equal oneDNN's pooling layers, forward and backward") {
  const Case cases[] = {
      {"max 3x3 s2 p1 (overlapping)", {2, 5, 9, 7}, 3, 2, 1, true, false},
      {"max 2x2 s2", {3, 4, 8, 8}, 2, 2, 0, true, false},
      {"avg 3x3 s2 p1", {2, 3, 7, 9}, 3, 2, 1, false, false},
      {"avg 2x2 s1", {1, 6, 5, 5}, 2, 1, 0, false, false},
      {"global", {3, 7, 4, 6}, 0, 0, 0, false, true},
  };
  for (const auto& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    LayerPtr layer = c.global ? make_global_avg_pool()
                     : c.max  ? make_max_pool2d({c.kernel, c.stride, c.padding})
                              : make_avg_pool2d({c.kernel, c.stride, c.padding});
    const Dims out = layer->output_dims(c.in);
    const auto x = random_values(test::count(c.in), 3);
    const Tensor& y_ref = layer->forward(test::plain_tensor(c.in, x), Mode::train);
    const auto y_dnnl = to_nhwc(test::to_plain(y_ref), out);
    const auto dy = random_values(test::count(out), 4);
    const auto dx_dnnl =
        to_nhwc(test::to_plain(layer->backward(test::plain_tensor(out, dy))), c.in);

    const kernels::Pool2d p =
        c.global ? kernels::global_pool(c.in[0], c.in[1], c.in[2], c.in[3])
                 : kernels::Pool2d{c.in[0], c.in[1],  c.in[2],  c.in[3],  out[2],
                                   out[3],  c.kernel, c.kernel, c.stride, c.padding};
    REQUIRE(p.outputs() == test::count(out));
    const auto xh = to_nhwc(x, c.in), dyh = to_nhwc(dy, out);
    std::vector<float> y(static_cast<std::size_t>(p.outputs())), dx(xh.size());
    if (c.max) {
      std::vector<std::int64_t> argmax(y.size());
      each(p.outputs(), kernels::MaxPoolForward{p, xh.data(), y.data(), argmax.data()});
      each(p.inputs(), kernels::MaxPoolBackward{p, dyh.data(), argmax.data(), dx.data()});
    } else {
      each(p.outputs(), kernels::AvgPoolForward{p, xh.data(), y.data()});
      each(p.inputs(), kernels::AvgPoolBackward{p, dyh.data(), dx.data()});
    }
    // The maximum is exact; sums may add in another order than oneDNN's (a few float ulps).
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (c.max)
        REQUIRE(y[i] == y_dnnl[i]);
      else
        REQUIRE(y[i] == doctest::Approx(y_dnnl[i]).epsilon(1e-6));
    }
    for (std::size_t i = 0; i < dx.size(); ++i)
      REQUIRE(dx[i] == doctest::Approx(dx_dnnl[i]).epsilon(1e-6));
  }
}

TEST_CASE("the NCHW and NHWC conversions invert each other and equal the naive transpose") {
  const Dims d = {2, 3, 5, 7};
  const auto x = random_values(test::count(d), 5);
  std::vector<float> nhwc(x.size()), back(x.size());
  each(test::count(d), kernels::NchwToNhwc{d[0], d[1], d[2], d[3], x.data(), nhwc.data()});
  each(test::count(d), kernels::NhwcToNchw{d[0], d[1], d[2], d[3], nhwc.data(), back.data()});
  CHECK(nhwc == to_nhwc(x, d));
  CHECK(back == x);
}

TEST_CASE("the linear layer's bias bodies add per column and sum per column") {
  // 3 x 2: rows (1, 2), (3, 4), (5, 6); column sums 9 and 12.
  std::vector<float> m = {1, 2, 3, 4, 5, 6};
  float sums[2] = {0, 0};
  each(2, kernels::ColumnSums{3, 2, m.data(), sums});
  CHECK(sums[0] == 9);
  CHECK(sums[1] == 12);
  const float bias[2] = {10, 20};
  each(6, kernels::AddBias{2, bias, m.data()});
  CHECK(m == std::vector<float>{11, 22, 13, 24, 15, 26});
  std::vector<float> y(3);
  const float x[3] = {-1.5f, 0.0f, 2.5f};
  each(3, kernels::ReluForward{x, y.data()});
  CHECK(y == std::vector<float>{0, 0, 2.5f});
}

TEST_CASE("the softmax cross-entropy row body equals the closed form on a small case") {
  // z = (0, ln 2, ln 3) for label 2: softmax = (1, 2, 3) / 6, loss = ln 6 - ln 3 = ln 2.
  const float z[3] = {0.0f, static_cast<float>(std::log(2.0)), static_cast<float>(std::log(3.0))};
  const std::int32_t label = 2;
  float g[3];
  std::int32_t prediction = -1;
  double loss = 0;
  kernels::SoftmaxCrossEntropyRow{z, &label, 3, 1, g, &prediction, &loss}(0);
  CHECK(prediction == 2);
  CHECK(loss == doctest::Approx(std::log(2.0)).epsilon(1e-7));
  CHECK(g[0] == doctest::Approx(1.0 / 6).epsilon(1e-6));
  CHECK(g[1] == doctest::Approx(2.0 / 6).epsilon(1e-6));
  CHECK(g[2] == doctest::Approx(3.0 / 6 - 1).epsilon(1e-6));
}

}  // namespace decent::nn
