// The naive double-precision layer references of tests/common/naive_nn.hpp (the expected values
// of the GPU layer tests, which run where oneDNN is absent) against oneDNN's layers here:
// convolution forward, backward-data and backward-filter, batch norm with and without ReLU, and
// the linear layer. A reference that is wrong here would let a wrong GPU layer pass there.
#include "tests/common/naive_nn.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "nn/layers.hpp"
#include "nn_helpers.hpp"

namespace decent::nn {
namespace {

using test::random_values;
namespace naive = decent::test::naive;

}  // namespace

TEST_CASE("naive convolution references equal oneDNN's convolution, forward and backward") {
  const naive::Conv cases[] = {{2, 3, 9, 9, 8, 3, 1, 1},
                               {2, 8, 9, 7, 16, 3, 2, 1},
                               {1, 3, 15, 15, 4, 7, 2, 3},
                               {3, 8, 6, 6, 4, 1, 2, 0}};
  for (const auto& g : cases) {
    const std::string shape = to_string(Dims{g.n, g.c, g.h, g.w}) + " k" + std::to_string(g.r) +
                              " s" + std::to_string(g.stride);
    CAPTURE(shape);
    LayerPtr conv = make_conv2d({g.c, g.k, g.r, g.stride, g.padding});
    test::Bound bound(*conv);
    const Dims in = {g.n, g.c, g.h, g.w}, out = {g.n, g.k, g.oh(), g.ow()};
    const auto x = random_values(test::count(in), 21);
    const auto dy = random_values(test::count(out), 22);
    const auto y = test::to_plain(conv->forward(test::plain_tensor(in, x), Mode::train));
    const auto dx = test::to_plain(conv->backward(test::plain_tensor(out, dy)));
    naive::Values rdx, rdw;
    const auto ry = naive::conv_forward(g, x, bound.values[0]);
    naive::conv_backward(g, x, bound.values[0], dy, rdx, rdw);
    CHECK(naive::relative_error(y, ry) < 1e-6);
    CHECK(naive::relative_error(dx, rdx) < 1e-6);
    CHECK(naive::relative_error(bound.grads[0], rdw) < 1e-6);
  }
}

TEST_CASE("naive batch norm references equal oneDNN's batch norm, forward and backward") {
  for (const bool relu : {false, true}) {
    CAPTURE(relu);
    const naive::BatchNorm bn{3, 5, 6, 7, 1e-5, relu};
    BatchNormOptions o;
    o.channels = bn.c;
    o.fuse_relu = relu;
    LayerPtr layer = make_batch_norm2d(o);
    test::Bound bound(*layer);
    const Dims in = {bn.n, bn.c, bn.h, bn.w};
    const auto x = random_values(test::count(in), 31, -1, 3);
    const auto dy = random_values(test::count(in), 32);
    const auto y = test::to_plain(layer->forward(test::plain_tensor(in, x), Mode::train));
    const auto dx = test::to_plain(layer->backward(test::plain_tensor(in, dy)));
    naive::Values ry, mean, var, rdx, rds, rdb;
    bn.forward(x, bound.values[0], bound.values[1], ry, mean, var);
    bn.backward(x, bound.values[0], ry, dy, mean, var, rdx, rds, rdb);
    CHECK(naive::relative_error(y, ry) < 1e-6);
    CHECK(naive::relative_error(dx, rdx) < 1e-5);
    CHECK(naive::relative_error(bound.grads[0], rds) < 1e-5);
    CHECK(naive::relative_error(bound.grads[1], rdb) < 1e-5);
  }
}

TEST_CASE("naive linear references equal oneDNN's linear layer, forward and backward") {
  const std::int64_t rows = 5, in = 37, out = 10;
  LayerPtr layer = make_linear(in, out);
  test::Bound bound(*layer);
  const auto x = random_values(rows * in, 41);
  const auto dy = random_values(rows * out, 42);
  const auto y = test::to_plain(layer->forward(test::plain_tensor({rows, in}, x), Mode::train));
  const auto dx = test::to_plain(layer->backward(test::plain_tensor({rows, out}, dy)));
  naive::Values rdx, rdw, rdb;
  const auto ry = naive::linear_forward(rows, in, out, x, bound.values[0], bound.values[1]);
  naive::linear_backward(rows, in, out, x, bound.values[0], dy, rdx, rdw, rdb);
  CHECK(naive::relative_error(y, ry) < 1e-6);
  CHECK(naive::relative_error(dx, rdx) < 1e-6);
  CHECK(naive::relative_error(bound.grads[0], rdw) < 1e-6);
  CHECK(naive::relative_error(bound.grads[1], rdb) < 1e-6);
}

}  // namespace decent::nn
