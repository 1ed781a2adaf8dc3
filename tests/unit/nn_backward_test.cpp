// Every layer's backward pass (input and parameter gradients) against central finite
// differences of f = sum(r * layer(x)) for a random r, which makes r the output gradient.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "nn/layers.hpp"
#include "nn_helpers.hpp"

namespace decent::nn::test {
namespace {

struct Tolerance {
  double h, atol, rtol;
};

void check_gradients(Layer& layer, Bound& bound, const Dims& in, std::vector<float> x,
                     Tolerance t) {
  const Dims out = layer.output_dims(in);
  const auto r = random_values(count(out), 99);
  auto f = [&] { return dot(to_plain(layer.forward(plain_tensor(in, x), Mode::train)), r); };
  layer.forward(plain_tensor(in, x), Mode::train);
  const auto dx = to_plain(layer.backward(plain_tensor(out, r)));
  const auto grads = bound.grads;
  {
    INFO("input gradient of " << layer.describe() << " on " << to_string(in));
    CHECK(worst_ratio(dx, finite_differences(x, t.h, f), t.atol, t.rtol) <= 1.0);
  }
  for (std::size_t p = 0; p < grads.size(); ++p) {
    INFO("gradient of parameter " << p << " of " << layer.describe());
    CHECK(worst_ratio(grads[p], finite_differences(bound.values[p], t.h, f), t.atol, t.rtol) <=
          1.0);
  }
}

// Layers that are linear in x and in their parameters: any step h is exact up to rounding.
constexpr Tolerance kLinear{1e-2, 2e-3, 1e-2};

}  // namespace

TEST_CASE("conv2d backward matches finite differences (stride 2, padding, batch 1, odd sizes)") {
  struct Case {
    Dims in;
    Conv2dOptions o;
  };
  for (const Case& q :
       {Case{{2, 3, 5, 7}, {3, 4, 3, 1, 1}}, Case{{1, 2, 7, 7}, {2, 3, 3, 2, 1}},
        Case{{2, 4, 4, 4}, {4, 5, 1, 2, 0}}, Case{{1, 16, 4, 4}, {16, 16, 3, 1, 1}}}) {
    auto layer = make_conv2d(q.o);
    Bound bound(*layer);
    check_gradients(*layer, bound, q.in, random_values(count(q.in), 5), kLinear);
  }
}

TEST_CASE("linear backward matches finite differences, for 2-D and 4-D inputs") {
  for (const Dims& in : {Dims{3, 5}, Dims{2, 2, 3, 3}}) {
    auto layer = make_linear(count(in) / in[0], 4);
    Bound bound(*layer);
    check_gradients(*layer, bound, in, random_values(count(in), 6), kLinear);
  }
}

TEST_CASE("batch norm backward (batch statistics) matches finite differences") {
  for (const Dims& in : {Dims{3, 4, 3, 2}, Dims{1, 16, 3, 3}}) {
    auto layer = make_batch_norm2d({in[1], 0.1f, 1e-5f, false});
    Bound bound(*layer);
    check_gradients(*layer, bound, in, random_values(count(in), 8, -2, 2), {1e-2, 5e-3, 3e-2});
  }
}

TEST_CASE("fused batch norm + relu backward equals batch norm backward of the masked gradient") {
  // Chain rule: d/dx relu(bn(x)) . r = bn'(x)^T (r * [relu(bn(x)) > 0]).
  const Dims in = {2, 16, 3, 3};
  const auto x = random_values(count(in), 12, -2, 2);
  const auto r = random_values(count(in), 13);
  auto fused = make_batch_norm2d({16, 0.1f, 1e-5f, true});
  auto plain = make_batch_norm2d({16, 0.1f, 1e-5f, false});
  Bound bf(*fused), bp(*plain);
  const auto y = to_plain(fused->forward(plain_tensor(in, x), Mode::train));
  plain->forward(plain_tensor(in, x), Mode::train);
  std::vector<float> masked(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) masked[i] = y[i] > 0 ? r[i] : 0.0f;
  const auto dx_fused = to_plain(fused->backward(plain_tensor(in, r)));
  const auto dx_plain = to_plain(plain->backward(plain_tensor(in, masked)));
  CHECK(worst_ratio(dx_fused, dx_plain, 1e-5, 1e-4) <= 1.0);
  CHECK(worst_ratio(bf.grads[0], bp.grads[0], 1e-5, 1e-4) <= 1.0);
  CHECK(worst_ratio(bf.grads[1], bp.grads[1], 1e-5, 1e-4) <= 1.0);
}

TEST_CASE("relu, pooling and global pooling backward match finite differences") {
  // Inputs kept away from the kinks: |x| >= 0.1 for relu, maxima apart by >= 0.05 for max pool.
  const Dims in = {2, 3, 5, 5};
  auto x = random_values(count(in), 14);
  for (auto& v : x) v = v < 0 ? v - 0.1f : v + 0.1f;
  std::vector<float> distinct(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    distinct[i] = 0.05f * static_cast<float>((i * 37) % x.size()) - 3.0f;
  struct Case {
    LayerPtr layer;
    const std::vector<float>* x;
  };
  std::vector<Case> cases;
  cases.push_back({make_relu(), &x});
  cases.push_back({make_max_pool2d({3, 2, 1}), &distinct});
  cases.push_back({make_max_pool2d({2, 2, 0}), &distinct});
  cases.push_back({make_avg_pool2d({3, 2, 1}), &x});
  cases.push_back({make_global_avg_pool(), &x});
  for (auto& c : cases) {
    Bound bound(*c.layer);
    check_gradients(*c.layer, bound, in, *c.x, {1e-3, 2e-3, 1e-2});
  }
}

TEST_CASE("residual block backward matches finite differences") {
  const Dims in = {2, 4, 4, 4};
  for (bool projection : {false, true}) {
    std::vector<LayerPtr> main;
    main.push_back(make_conv2d({4, 4, 3, 1, 1}));
    auto* conv = main.back().get();
    LayerPtr shortcut = projection ? make_conv2d({4, 4, 1, 1, 0}) : nullptr;
    auto* sc = shortcut.get();
    auto block = make_residual(make_sequential(std::move(main)), std::move(shortcut));
    Bound bc(*conv, 30);
    std::unique_ptr<Bound> bs = sc ? std::make_unique<Bound>(*sc, 40) : nullptr;
    const Dims out = block->output_dims(in);
    auto x = random_values(count(in), 15);
    const auto r = random_values(count(out), 16);
    auto f = [&] { return dot(to_plain(block->forward(plain_tensor(in, x), Mode::train)), r); };
    block->forward(plain_tensor(in, x), Mode::train);
    const auto dx = to_plain(block->backward(plain_tensor(out, r)));
    const auto dw = bc.grads[0];
    const auto dws = bs ? bs->grads[0] : std::vector<float>{};
    // h small against the pre-activations' distance from the relu kink at this seed.
    const Tolerance t{1e-3, 3e-3, 1e-2};
    CHECK(worst_ratio(dx, finite_differences(x, t.h, f), t.atol, t.rtol) <= 1.0);
    CHECK(worst_ratio(dw, finite_differences(bc.values[0], t.h, f), t.atol, t.rtol) <= 1.0);
    if (bs)
      CHECK(worst_ratio(dws, finite_differences(bs->values[0], t.h, f), t.atol, t.rtol) <= 1.0);
  }
}

}  // namespace decent::nn::test
