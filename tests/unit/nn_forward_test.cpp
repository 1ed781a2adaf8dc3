// Every layer's forward pass against a naive loop written here, on small random shapes with
// stride 2, padding, batch 1 and odd sizes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "nn/layers.hpp"
#include "nn/loss.hpp"
#include "nn_helpers.hpp"

namespace decent::nn::test {
namespace {

struct ConvCase {
  std::int64_t n, c, h, w, o, k, s, p;
};

std::vector<double> naive_conv(const ConvCase& q, const std::vector<float>& x,
                               const std::vector<float>& wt) {
  const auto oh = (q.h + 2 * q.p - q.k) / q.s + 1, ow = (q.w + 2 * q.p - q.k) / q.s + 1;
  std::vector<double> y(static_cast<std::size_t>(q.n * q.o * oh * ow), 0.0);
  for (std::int64_t n = 0; n < q.n; ++n)
    for (std::int64_t o = 0; o < q.o; ++o)
      for (std::int64_t i = 0; i < oh; ++i)
        for (std::int64_t j = 0; j < ow; ++j) {
          double acc = 0;
          for (std::int64_t c = 0; c < q.c; ++c)
            for (std::int64_t a = 0; a < q.k; ++a)
              for (std::int64_t b = 0; b < q.k; ++b) {
                const auto r = i * q.s + a - q.p, t = j * q.s + b - q.p;
                if (r < 0 || r >= q.h || t < 0 || t >= q.w) continue;
                acc += static_cast<double>(x[((n * q.c + c) * q.h + r) * q.w + t]) *
                       wt[((o * q.c + c) * q.k + a) * q.k + b];
              }
          y[((n * q.o + o) * oh + i) * ow + j] = acc;
        }
  return y;
}

}  // namespace

TEST_CASE("conv2d forward equals the direct sum, in training and inference") {
  for (const ConvCase q : {ConvCase{2, 3, 7, 5, 4, 3, 1, 1}, ConvCase{1, 5, 9, 9, 6, 3, 2, 1},
                           ConvCase{3, 4, 6, 6, 8, 1, 2, 0}, ConvCase{2, 16, 8, 8, 16, 3, 1, 1},
                           ConvCase{1, 3, 11, 11, 16, 7, 2, 3}}) {
    CAPTURE(q.c);
    CAPTURE(q.k);
    CAPTURE(q.s);
    auto layer = make_conv2d({q.c, q.o, q.k, q.s, q.p});
    Bound bound(*layer);
    const Dims in = {q.n, q.c, q.h, q.w};
    const auto x = random_values(count(in), 3);
    const auto want = naive_conv(q, x, bound.values[0]);
    for (Mode mode : {Mode::train, Mode::infer}) {
      const auto got = to_plain(layer->forward(plain_tensor(in, x), mode));
      REQUIRE(got.size() == want.size());
      CHECK(worst_ratio(got, want, 1e-4, 1e-4) <= 1.0);
    }
  }
}

TEST_CASE("batch norm: batch statistics in training, running statistics in inference") {
  for (bool relu : {false, true}) {
    const Dims in = {3, 5, 4, 3};
    auto layer = make_batch_norm2d({5, 0.1f, 1e-5f, relu});
    Bound bound(*layer);
    const auto& scale = bound.values[0];
    const auto& shift = bound.values[1];
    const auto old_mean = bound.buffers[0], old_var = bound.buffers[1];
    const auto x = random_values(count(in), 11, -2, 3);
    const auto y = to_plain(layer->forward(plain_tensor(in, x), Mode::train));
    const std::int64_t hw = 12, m = 3 * hw;
    for (std::int64_t c = 0; c < 5; ++c) {
      double mean = 0, var = 0;
      for (std::int64_t n = 0; n < 3; ++n)
        for (std::int64_t i = 0; i < hw; ++i) mean += x[(n * 5 + c) * hw + i];
      mean /= m;
      for (std::int64_t n = 0; n < 3; ++n)
        for (std::int64_t i = 0; i < hw; ++i) var += std::pow(x[(n * 5 + c) * hw + i] - mean, 2);
      var /= m;  // biased, for normalisation
      for (std::int64_t n = 0; n < 3; ++n)
        for (std::int64_t i = 0; i < hw; ++i) {
          const auto k = (n * 5 + c) * hw + i;
          double want = scale[c] * (x[k] - mean) / std::sqrt(var + 1e-5) + shift[c];
          if (relu) want = std::max(want, 0.0);
          CHECK(y[k] == doctest::Approx(want).epsilon(1e-4).scale(1));
        }
      // Running statistics: exponential average with momentum 0.1, the variance unbiased.
      CHECK(bound.buffers[0][c] == doctest::Approx(0.9 * old_mean[c] + 0.1 * mean).epsilon(1e-5));
      CHECK(bound.buffers[1][c] ==
            doctest::Approx(0.9 * old_var[c] + 0.1 * var * m / (m - 1)).epsilon(1e-5));
    }
    const auto z = to_plain(layer->forward(plain_tensor(in, x), Mode::infer));
    for (std::int64_t k = 0; k < count(in); ++k) {
      const auto c = (k / hw) % 5;
      double want =
          scale[c] * (x[k] - bound.buffers[0][c]) / std::sqrt(bound.buffers[1][c] + 1e-5) +
          shift[c];
      if (relu) want = std::max(want, 0.0);
      CHECK(z[k] == doctest::Approx(want).epsilon(1e-4).scale(1));
    }
  }
}

TEST_CASE("relu forward is max(x, 0)") {
  auto layer = make_relu();
  const Dims in = {2, 3, 5, 1};
  const auto x = random_values(count(in), 5);
  const auto y = to_plain(layer->forward(plain_tensor(in, x), Mode::train));
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == std::max(x[i], 0.0f));
}

namespace {
// Max pooling ignores padding; average pooling divides by the whole window (padding counted).
std::vector<double> naive_pool(bool max, const Dims& in, std::int64_t k, std::int64_t s,
                               std::int64_t p, const std::vector<float>& x) {
  const auto oh = (in[2] + 2 * p - k) / s + 1, ow = (in[3] + 2 * p - k) / s + 1;
  std::vector<double> y;
  for (std::int64_t nc = 0; nc < in[0] * in[1]; ++nc)
    for (std::int64_t i = 0; i < oh; ++i)
      for (std::int64_t j = 0; j < ow; ++j) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (std::int64_t a = 0; a < k; ++a)
          for (std::int64_t b = 0; b < k; ++b) {
            const auto r = i * s + a - p, t = j * s + b - p;
            if (r < 0 || r >= in[2] || t < 0 || t >= in[3]) continue;
            const double v = x[(nc * in[2] + r) * in[3] + t];
            acc = max ? std::max(acc, v) : acc + v;
          }
        y.push_back(max ? acc : acc / static_cast<double>(k * k));
      }
  return y;
}
}  // namespace

TEST_CASE("max and average pooling equal their window loops") {
  struct Case {
    Dims in;
    std::int64_t k, s, p;
  };
  for (const Case& q :
       {Case{{2, 3, 7, 7}, 3, 2, 1}, Case{{1, 16, 8, 6}, 2, 2, 0}, Case{{3, 2, 5, 9}, 3, 1, 1}}) {
    const auto x = random_values(count(q.in), 9);
    for (bool max : {true, false}) {
      auto layer = max ? make_max_pool2d({q.k, q.s, q.p}) : make_avg_pool2d({q.k, q.s, q.p});
      const auto got = to_plain(layer->forward(plain_tensor(q.in, x), Mode::train));
      CHECK(worst_ratio(got, naive_pool(max, q.in, q.k, q.s, q.p, x), 1e-6, 1e-5) <= 1.0);
    }
  }
}

TEST_CASE("global average pooling is the mean over the image") {
  const Dims in = {2, 3, 5, 7};
  const auto x = random_values(count(in), 13);
  auto layer = make_global_avg_pool();
  const auto y = to_plain(layer->forward(plain_tensor(in, x), Mode::infer));
  REQUIRE(y.size() == 6);
  for (std::int64_t nc = 0; nc < 6; ++nc) {
    double mean = 0;
    for (std::int64_t i = 0; i < 35; ++i) mean += x[nc * 35 + i];
    CHECK(y[nc] == doctest::Approx(mean / 35).epsilon(1e-5));
  }
}

TEST_CASE("linear forward is x W^T + b, flattening a 4-D input in C, H, W order") {
  for (const Dims& in : {Dims{3, 7}, Dims{2, 3, 2, 2}, Dims{1, 5}}) {
    const auto features = count(in) / in[0];
    auto layer = make_linear(features, 4);
    Bound bound(*layer);
    const auto x = random_values(count(in), 17);
    const auto y = to_plain(layer->forward(plain_tensor(in, x), Mode::train));
    REQUIRE(y.size() == static_cast<std::size_t>(in[0] * 4));
    for (std::int64_t n = 0; n < in[0]; ++n)
      for (std::int64_t o = 0; o < 4; ++o) {
        double want = bound.values[1][o];
        for (std::int64_t f = 0; f < features; ++f)
          want += static_cast<double>(x[n * features + f]) * bound.values[0][o * features + f];
        CHECK(y[n * 4 + o] == doctest::Approx(want).epsilon(1e-5));
      }
  }
}

TEST_CASE("softmax cross-entropy: the closed form, stable for huge logits") {
  SoftmaxCrossEntropy loss;
  const Dims d = {2, 3};
  const std::vector<float> z = {1, 2, 3, -1, 0.5f, 0};
  const std::vector<std::int32_t> y = {2, 0};
  const double l0 = std::log(std::exp(1) + std::exp(2) + std::exp(3)) - 3;
  const double l1 = std::log(std::exp(-1) + std::exp(0.5) + 1) + 1;
  CHECK(loss.forward(plain_tensor(d, z), y) == doctest::Approx((l0 + l1) / 2).epsilon(1e-6));
  CHECK(loss.predictions()[0] == 2);
  CHECK(loss.predictions()[1] == 1);
  // Gradient: (softmax - onehot) / N.
  const auto g = to_plain(loss.backward());
  const double s0 = std::exp(1) + std::exp(2) + std::exp(3);
  CHECK(g[0] == doctest::Approx(std::exp(1) / s0 / 2).epsilon(1e-5));
  CHECK(g[2] == doctest::Approx((std::exp(3) / s0 - 1) / 2).epsilon(1e-5));

  // exp(1000) overflows; the stable form gives log(1 + 2 e^-1000) ~ 0 and 1000 + that.
  const std::vector<float> big = {1000, 0, -1000, 1000, 0, -1000};
  const double l = loss.forward(plain_tensor(d, big), std::vector<std::int32_t>{0, 1});
  CHECK(std::isfinite(l));
  CHECK(l == doctest::Approx(500.0).epsilon(1e-9));
  for (float v : to_plain(loss.backward())) CHECK(std::isfinite(v));

  CHECK_THROWS_AS(loss.forward(plain_tensor(d, z), std::vector<std::int32_t>{0, 3}),
                  InvalidArgument);
  CHECK_THROWS_AS(loss.forward(plain_tensor(d, z), std::vector<std::int32_t>{0}), InvalidArgument);
}

TEST_CASE("residual block: relu(main(x) + shortcut(x)) with identity and projection") {
  const Dims in = {2, 16, 6, 6};
  const auto x = random_values(count(in), 21);
  for (bool projection : {false, true}) {
    auto main = make_conv2d({16, 16, 3, 1, 1});
    auto* main_raw = main.get();
    LayerPtr shortcut = projection ? make_conv2d({16, 16, 1, 1, 0}) : nullptr;
    auto* shortcut_raw = shortcut.get();
    auto block = make_residual(std::move(main), std::move(shortcut));
    Bound main_params(*main_raw, 3);
    std::vector<float> b = x;
    if (projection) {
      Bound sc_params(*shortcut_raw, 5);
      const auto y = to_plain(block->forward(plain_tensor(in, x), Mode::train));
      const auto b2 = naive_conv({2, 16, 6, 6, 16, 1, 1, 0}, x, sc_params.values[0]);
      const auto a = naive_conv({2, 16, 6, 6, 16, 3, 1, 1}, x, main_params.values[0]);
      for (std::size_t i = 0; i < y.size(); ++i)
        CHECK(y[i] == doctest::Approx(std::max(a[i] + b2[i], 0.0)).epsilon(1e-4).scale(1));
    } else {
      const auto y = to_plain(block->forward(plain_tensor(in, x), Mode::train));
      const auto a = naive_conv({2, 16, 6, 6, 16, 3, 1, 1}, x, main_params.values[0]);
      for (std::size_t i = 0; i < y.size(); ++i)
        CHECK(y[i] == doctest::Approx(std::max(a[i] + x[i], 0.0)).epsilon(1e-4).scale(1));
    }
  }
}

}  // namespace decent::nn::test
