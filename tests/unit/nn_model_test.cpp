// Whole models: parameter counts against published figures, a gradient check of a tiny ResNet,
// memorising a fixed batch, determinism of the initialisation, and errors for bad shapes.
#include <doctest/doctest.h>

#include <cmath>
#include <iomanip>
#include <numeric>

#include "core/error.hpp"
#include "nn/builders.hpp"
#include "nn/layers.hpp"
#include "nn_helpers.hpp"
#include "tests/common/fixed_batch_training.hpp"

namespace decent::nn::test {

namespace {
std::int64_t params_of(const std::string& name, Dims input, std::int64_t classes) {
  ModelSpec s;
  s.name = name;
  s.input = std::move(input);
  s.classes = classes;
  return build_model(s)->parameter_count();
}

// CIFAR ResNet with projection shortcuts, counted by hand: 3x3 convs, batch norms (2 per
// channel), 1x1 projections (+ batch norm) where the width doubles, and the classifier.
std::int64_t cifar_resnet_params(int n, std::int64_t c, std::int64_t classes) {
  std::int64_t total = c * 16 * 9 + 32;
  std::int64_t in = 16;
  for (std::int64_t w : {16, 32, 64})
    for (int b = 0; b < n; ++b) {
      total += in * w * 9 + w * w * 9 + 4 * w;
      if (in != w) total += in * w + 2 * w;
      in = w;
    }
  return total + 64 * classes + classes;
}
}  // namespace

TEST_CASE("parameter counts: the closed form for CIFAR ResNets, torchvision's for ImageNet ones") {
  CHECK(params_of("resnet20", {3, 32, 32}, 10) == cifar_resnet_params(3, 3, 10));
  CHECK(cifar_resnet_params(3, 3, 10) == 272474);  // "0.27M" in He et al. 2016, table 6
  CHECK(params_of("resnet56", {1, 28, 28}, 10) == cifar_resnet_params(9, 1, 10));
  // torchvision.models: resnet18 11,689,512; resnet34 21,797,672; resnet50 25,557,032.
  CHECK(params_of("resnet18", {3, 224, 224}, 1000) == 11689512);
  CHECK(params_of("resnet34", {3, 224, 224}, 1000) == 21797672);
  CHECK(params_of("resnet50", {3, 224, 224}, 1000) == 25557032);
  // The small-image stem swaps the 7x7 convolution for a 3x3 one: 11,173,962 with 10 classes.
  CHECK(params_of("resnet18", {3, 32, 32}, 10) == 11689512 - 3 * 64 * (49 - 9) - 990 * 513);
}

TEST_CASE("initialisation is deterministic in the seed, and the segments tile the buffer") {
  ModelSpec s;
  s.name = "resnet8";
  s.width = 4;
  auto a = build_model(s), b = build_model(s);
  s.seed = 2;
  auto c = build_model(s);
  CHECK(std::equal(a->parameters().begin(), a->parameters().end(), b->parameters().begin()));
  CHECK(!std::equal(a->parameters().begin(), a->parameters().end(), c->parameters().begin()));
  std::int64_t next = 0;
  for (const auto& seg : a->parameter_segments()) {
    CHECK(seg.offset == next);
    next += seg.size;
  }
  CHECK(next == a->parameter_count());
  CHECK(reinterpret_cast<std::uintptr_t>(a->parameters().data()) % 64 == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(a->gradients().data()) % 64 == 0);
}

namespace {
struct Batch {
  std::vector<float> images;
  std::vector<std::int32_t> labels;
};
Batch random_batch(const Model& m, std::int64_t n, std::uint64_t seed) {
  Batch b{random_values(n * m.sample_size(), seed), {}};
  for (std::int64_t i = 0; i < n; ++i)
    b.labels.push_back(
        static_cast<std::int32_t>((i * 7 + static_cast<std::int64_t>(seed)) % m.classes()));
  return b;
}
}  // namespace

TEST_CASE("tiny ResNet: the gradient matches finite differences of the loss along directions") {
  ModelSpec s;
  s.name = "resnet8";
  s.input = {3, 8, 8};
  s.classes = 3;
  s.width = 4;
  auto m = build_model(s);
  const auto batch = random_batch(*m, 4, 1);
  m->train_step(batch.images, batch.labels);
  const std::vector<float> g(m->gradients().begin(), m->gradients().end());
  auto params = m->parameters();
  const std::vector<float> theta(params.begin(), params.end());
  auto loss_at = [&](const std::vector<float>& v, double t) {
    for (std::size_t i = 0; i < v.size(); ++i) params[i] = static_cast<float>(theta[i] + t * v[i]);
    const double l = m->train_step(batch.images, batch.labels);
    std::copy(theta.begin(), theta.end(), params.begin());
    return l;
  };
  const double gnorm = std::sqrt(std::inner_product(g.begin(), g.end(), g.begin(), 0.0));
  REQUIRE(gnorm > 1e-3);
  std::vector<std::vector<float>> directions{g};
  for (std::uint64_t k = 0; k < 3; ++k)
    directions.push_back(random_values(m->parameter_count(), 50 + k));
  for (auto& v : directions) {
    const double norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
    for (auto& x : v) x = static_cast<float>(x / norm);
    const double analytic = std::inner_product(g.begin(), g.end(), v.begin(), 0.0);
    // Central differences at h and h/2 combined by Richardson extrapolation, which cancels the
    // h^2 error term: batch norm over a batch of 4 makes this loss strongly curved.
    auto central = [&](double h) { return (loss_at(v, h) - loss_at(v, -h)) / (2 * h); };
    const double h = 1e-3;
    const double numeric = (4 * central(h / 2) - central(h)) / 3;
    CAPTURE(analytic);
    CHECK(numeric == doctest::Approx(analytic).epsilon(0.03).scale(gnorm * 0.01));
  }
}

TEST_CASE("tiny ResNet memorises a fixed batch: the loss falls below 1% of its start") {
  ModelSpec s;
  s.name = "resnet8";
  s.input = {3, 12, 12};
  s.width = 8;
  auto m = build_model(s);
  const auto batch = random_batch(*m, 16, 3);
  std::vector<float> velocity(m->parameters().size(), 0.0f);
  const double start = m->train_step(batch.images, batch.labels);
  double loss = start;
  for (int step = 0; step < 300 && loss > 0.01 * start; ++step) {
    auto x = m->parameters();
    auto g = m->gradients();
    for (std::size_t i = 0; i < x.size(); ++i) {
      velocity[i] = 0.9f * velocity[i] + g[i];
      x[i] -= 0.05f * velocity[i];
    }
    loss = m->train_step(batch.images, batch.labels);
  }
  CAPTURE(start);
  CHECK(loss < 0.01 * start);
  // Inference with the running statistics still classifies the memorised batch.
  CHECK(m->evaluate(batch.images, batch.labels).correct >= 12);
}

TEST_CASE("bad shapes and names give clear errors") {
  auto conv = make_conv2d({3, 8, 3, 1, 1});
  Bound bound(*conv);
  try {
    conv->forward(plain_tensor({1, 4, 5, 5}, random_values(100, 1)), Mode::train);
    FAIL("a channel mismatch was accepted");
  } catch (const InvalidArgument& e) {
    CHECK(std::string(e.what()).find("has 4 channels; expected 3") != std::string::npos);
  }
  ModelSpec s;
  s.name = "resnet8";
  s.width = 4;
  auto m = build_model(s);
  std::vector<float> none;
  std::vector<std::int32_t> no_labels;
  CHECK_THROWS_WITH_AS(m->train_step(none, no_labels), doctest::Contains("a batch of 0 images"),
                       InvalidArgument);
  std::vector<float> short_images(100);
  std::vector<std::int32_t> labels{1};
  CHECK_THROWS_WITH_AS(m->train_step(short_images, labels), doctest::Contains("expected 3072"),
                       InvalidArgument);
  std::vector<float> image(3072);
  std::vector<std::int32_t> bad_label{10};
  CHECK_THROWS_WITH_AS(m->train_step(image, bad_label), doctest::Contains("outside [0, 10)"),
                       InvalidArgument);
  s.name = "resnet21";
  CHECK_THROWS_WITH_AS(build_model(s), doctest::Contains("depth 6n+2"), InvalidArgument);
  s.name = "vgg16";
  CHECK_THROWS_WITH_AS(build_model(s), doctest::Contains("expected one of resnet20"),
                       InvalidArgument);
  s.name = "resnet20";
  s.input = {3, 0, 32};
  CHECK_THROWS_AS(build_model(s), InvalidArgument);
  CHECK_THROWS_AS(make_residual(make_conv2d({4, 8, 3, 1, 1}), nullptr)->output_dims({1, 4, 6, 6}),
                  InvalidArgument);
}

// The CPU run of the GPU model check (tests/gpu/cudnn_layers_test.cpp asserts the same first
// loss and the same fall on the device).
TEST_CASE("the fixed-batch model check on the CPU: its first loss and its fall") {
  auto model = build_model(decent::test::fixed_batch_model());
  const auto l = decent::test::memorise(*model, cpu_vector_ops<float>(), 40);
  MESSAGE("first loss " << std::setprecision(10) << l.first << ", after 40 steps " << l.last);
  // The constant the GPU check expects (its initial parameters and batch are the same numbers).
  CHECK(l.first == doctest::Approx(decent::test::kFixedBatchFirstLoss).epsilon(1e-7));
  // 40 steps take it to 0.12 of its start here; a backward pass wrong anywhere stays near 1.
  CHECK(l.last < 0.25 * l.first);
}

}  // namespace decent::nn::test
