// The GPU layers (cpp/nn/cudnn) on a CUDA device against independent references: convolution
// forward, backward-data and backward-filter and the linear layer (cuBLAS) against the naive
// double-precision loops of tests/common/naive_nn.hpp (checked against oneDNN on the host by
// tests/unit/naive_nn_test.cpp), relative error <= 1e-4 in fp32 and <= 2e-2 with TF32; batch
// norm (with and without the fused ReLU, training, running statistics, backward, inference),
// pooling and ReLU against the same bodies run on the host, bit for bit (no fused multiply-add
// on the device), and batch norm against the naive loops too; an NHWC input gives the same
// bits as its plain NCHW form; plans are made once per shape and pass; a host tensor is refused
// by name; a resnet20 model on the device starts at the CPU's loss and learns a fixed batch.
// Exits 77 (skipped) without a device.
#include "nn/cudnn/cudnn_layers.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "kernels/batch_norm_body.hpp"
#include "kernels/cuda/cuda_vector_ops.hpp"
#include "kernels/nn_body.hpp"
#include "nn/builders.hpp"
#include "nn/cudnn/tensors.hpp"
#include "tests/common/expect.hpp"
#include "tests/common/fixed_batch_training.hpp"
#include "tests/common/host_kernels.hpp"
#include "tests/common/naive_nn.hpp"
#include "tests/common/skip.hpp"

namespace decent {
namespace {

using nn::Dims;
using nn::Mode;
using nn::Tensor;
namespace naive = test::naive;
namespace cudnn = nn::cudnn;

using test::count;
using test::expect;
using test::HostEach;
using test::to_nhwc;

void expect_close(const std::string& what, const std::vector<float>& got, const naive::Values& want,
                  double tolerance) {
  const double e = naive::relative_error(got, want);
  std::printf("  %-52s relative error %.2e (limit %.0e)\n", what.c_str(), e, tolerance);
  expect(e <= tolerance, what + ": relative error " + std::to_string(e));
}
void expect_equal(const std::string& what, const std::vector<float>& got,
                  const std::vector<float>& want) {
  std::size_t differ = got.size() == want.size() ? 0 : 1;
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) differ += got[i] != want[i];
  expect(differ == 0, what + ": " + std::to_string(differ) + " values differ from the host's");
}

std::vector<float> random_values(std::int64_t n, std::uint64_t seed, float lo = -1, float hi = 1) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(rng.uniform());
  return v;
}

void upload(const Device& d, float* to, const std::vector<float>& from) {
  copy_to_device(d, to, from.data(), from.size() * sizeof(float));
}
std::vector<float> download(cudnn::Context& ctx, const float* from, std::int64_t n) {
  ctx.synchronize();
  std::vector<float> v(static_cast<std::size_t>(n));
  copy_to_host(ctx.device(), v.data(), from, v.size() * sizeof(float));
  return v;
}
Tensor plain_on_device(const Device& d, const Dims& dims, const std::vector<float>& values) {
  Tensor t = Tensor::plain(dims, d);
  upload(d, t.data(), values);
  return t;
}
// A tensor's values in plain NCHW order on the host.
std::vector<float> nchw_of(cudnn::Context& ctx, const Tensor& t) {
  Tensor own;
  const Tensor& p = cudnn::as_plain(ctx, t, own, "test");
  return download(ctx, p.data(), p.numel());
}

// A layer's parameters, gradients and buffers on the device, random values kept on the host.
struct DeviceBound {
  std::vector<std::vector<float>> values, buffers;
  std::vector<std::unique_ptr<DeviceMemory>> memory;
  std::vector<float*> grads;
  DeviceBound(nn::Layer& layer, const Device& d, std::uint64_t seed = 7) {
    auto alloc = [&](const std::vector<float>& v) {
      memory.push_back(std::make_unique<DeviceMemory>());
      memory.back()->ensure(d, std::max<std::size_t>(v.size(), 1) * sizeof(float));
      auto* p = static_cast<float*>(memory.back()->data());
      upload(d, p, v);
      return p;
    };
    std::vector<nn::ParamView> views;
    for (const auto& s : layer.param_specs()) {
      values.push_back(random_values(s.size(), seed++, 0.5f, 1.5f));
      float* v = alloc(values.back());
      grads.push_back(alloc(std::vector<float>(static_cast<std::size_t>(s.size()), 0.0f)));
      views.push_back({v, grads.back(), s.size()});
    }
    std::vector<float*> bufs;
    for (const auto& s : layer.buffer_specs()) {
      buffers.push_back(random_values(s.size(), seed++, 0.5f, 1.5f));
      bufs.push_back(alloc(buffers.back()));
    }
    layer.bind(views, bufs);
  }
};

void convolutions(const std::shared_ptr<cudnn::Context>& ctx, double tolerance) {
  const auto backend = cudnn::make_backend(ctx);
  const naive::Conv cases[] = {{2, 3, 9, 9, 8, 3, 1, 1},     {2, 8, 9, 7, 16, 3, 2, 1},
                               {1, 3, 15, 15, 4, 7, 2, 3},   {3, 8, 6, 6, 4, 1, 2, 0},
                               {8, 64, 28, 28, 64, 3, 1, 1}, {4, 64, 14, 14, 128, 1, 2, 0}};
  for (const auto& g : cases) {
    const std::string name = "conv " + nn::to_string(Dims{g.n, g.c, g.h, g.w}) + " k" +
                             std::to_string(g.r) + " s" + std::to_string(g.stride) + " -> " +
                             std::to_string(g.k);
    auto conv = backend->conv2d({g.c, g.k, g.r, g.stride, g.padding});
    DeviceBound bound(*conv, ctx->device());
    const Dims in = {g.n, g.c, g.h, g.w}, out = {g.n, g.k, g.oh(), g.ow()};
    const auto x = random_values(count(in), 21), dy = random_values(count(out), 22);
    const std::size_t plans_before = ctx->plan_count();
    const auto y = nchw_of(*ctx, conv->forward(plain_on_device(ctx->device(), in, x), Mode::train));
    const auto dx = nchw_of(*ctx, conv->backward(plain_on_device(ctx->device(), out, dy)));
    const auto dw = download(*ctx, bound.grads[0], g.k * g.c * g.r * g.r);
    naive::Values rdx, rdw;
    expect_close(name + " forward", y, naive::conv_forward(g, x, bound.values[0]), tolerance);
    naive::conv_backward(g, x, bound.values[0], dy, rdx, rdw);
    expect_close(name + " backward data", dx, rdx, tolerance);
    expect_close(name + " backward filter", dw, rdw, tolerance);
    expect(ctx->plan_count() == plans_before + 3, name + ": expected 3 new plans");
    // The same input already in NHWC: the same plans, the same bits.
    Tensor own;
    const Tensor& nhwc = cudnn::as_nhwc(*ctx, plain_on_device(ctx->device(), in, x), own, "test");
    expect_equal(name + " from NHWC input", nchw_of(*ctx, conv->forward(nhwc, Mode::train)), y);
    expect(ctx->plan_count() == plans_before + 3, name + ": a plan was made twice");
  }
}

void linear_layers(const std::shared_ptr<cudnn::Context>& ctx, double tolerance) {
  const auto backend = cudnn::make_backend(ctx);
  for (const Dims& in : {Dims{5, 37}, Dims{4, 3, 5, 7}}) {
    const std::int64_t rows = in[0], features = count(in) / rows, out = 10;
    const std::string name = "linear " + nn::to_string(in) + " -> 10";
    auto layer = backend->linear(features, out);
    DeviceBound bound(*layer, ctx->device());
    const auto x = random_values(count(in), 41), dy = random_values(rows * out, 42);
    Tensor input = plain_on_device(ctx->device(), in, x), own;
    // A 4-D input arrives in NHWC from the layers before it.
    const Tensor& fed = in.size() == 4 ? cudnn::as_nhwc(*ctx, input, own, "test") : input;
    const auto y = nchw_of(*ctx, layer->forward(fed, Mode::train));
    const auto dx = nchw_of(*ctx, layer->backward(plain_on_device(ctx->device(), {rows, out}, dy)));
    naive::Values rdx, rdw, rdb;
    expect_close(name + " forward", y,
                 naive::linear_forward(rows, features, out, x, bound.values[0], bound.values[1]),
                 tolerance);
    naive::linear_backward(rows, features, out, x, bound.values[0], dy, rdx, rdw, rdb);
    expect_close(name + " backward data", dx, rdx, tolerance);
    expect_close(name + " backward weight", download(*ctx, bound.grads[0], out * features), rdw,
                 tolerance);
    expect_close(name + " backward bias", download(*ctx, bound.grads[1], out), rdb, tolerance);
  }
}

void batch_norms(const std::shared_ptr<cudnn::Context>& ctx) {
  const auto backend = cudnn::make_backend(ctx);
  for (const bool relu : {false, true}) {
    const Dims in = {6, 32, 13, 11};  // 858 rows: parts of 64 and a partial one
    const std::string name =
        std::string("batch norm ") + (relu ? "+ relu " : "") + nn::to_string(in);
    nn::BatchNormOptions o;
    o.channels = in[1];
    o.momentum = 0.25f;
    o.fuse_relu = relu;
    auto layer = backend->batch_norm2d(o);
    DeviceBound bound(*layer, ctx->device());
    const auto x = random_values(count(in), 51, 2, 4), dy = random_values(count(in), 52);
    const auto y =
        nchw_of(*ctx, layer->forward(plain_on_device(ctx->device(), in, x), Mode::train));
    const auto dx = nchw_of(*ctx, layer->backward(plain_on_device(ctx->device(), in, dy)));
    const auto dscale = download(*ctx, bound.grads[0], o.channels);
    const auto dshift = download(*ctx, bound.grads[1], o.channels);
    const auto running_mean =
        download(*ctx, static_cast<const float*>(bound.memory[4]->data()), o.channels);
    const auto running_var =
        download(*ctx, static_cast<const float*>(bound.memory[5]->data()), o.channels);

    // The same bodies on the host, over NHWC.
    const kernels::ChannelRows s{in[0] * in[2] * in[3], in[1]};
    std::vector<double> scratch(static_cast<std::size_t>(kernels::BatchNormScratch::doubles(s)));
    const auto b = kernels::BatchNormScratch::over(scratch.data(), s);
    const auto xh = to_nhwc(x, in), dyh = to_nhwc(dy, in);
    std::vector<float> hy(xh.size()), hdx(xh.size()), hds(in[1]), hdb(in[1]);
    auto rm = bound.buffers[0], rv = bound.buffers[1];
    kernels::batch_norm_forward_train(HostEach{}, s, xh.data(), bound.values[0].data(),
                                      bound.values[1].data(), rm.data(), rv.data(), o.epsilon,
                                      o.momentum, relu, b, hy.data());
    kernels::batch_norm_backward(HostEach{}, s, dyh.data(), relu ? hy.data() : nullptr, xh.data(),
                                 bound.values[0].data(), b, hds.data(), hdb.data(), hdx.data());
    expect_equal(name + " forward", to_nhwc(y, in), hy);
    expect_equal(name + " backward data", to_nhwc(dx, in), hdx);
    expect_equal(name + " scale gradient", dscale, hds);
    expect_equal(name + " shift gradient", dshift, hdb);
    expect_equal(name + " running mean", running_mean, rm);
    expect_equal(name + " running variance", running_var, rv);

    // And against the naive loops.
    const naive::BatchNorm ref{in[0], in[1], in[2], in[3], o.epsilon, relu};
    naive::Values ry, mean, var, rdx, rds, rdb;
    ref.forward(x, bound.values[0], bound.values[1], ry, mean, var);
    ref.backward(x, bound.values[0], ry, dy, mean, var, rdx, rds, rdb);
    expect_close(name + " forward (naive)", y, ry, 1e-4);
    expect_close(name + " backward data (naive)", dx, rdx, 1e-4);
    expect_close(name + " scale gradient (naive)", dscale, rds, 1e-4);

    const auto yi =
        nchw_of(*ctx, layer->forward(plain_on_device(ctx->device(), in, x), Mode::infer));
    kernels::batch_norm_forward_infer(HostEach{}, s, xh.data(), bound.values[0].data(),
                                      bound.values[1].data(), rm.data(), rv.data(), o.epsilon, relu,
                                      b, hy.data());
    expect_equal(name + " inference", to_nhwc(yi, in), hy);
  }
}

void pools_and_relu(const std::shared_ptr<cudnn::Context>& ctx) {
  const auto backend = cudnn::make_backend(ctx);
  const Dims in = {4, 16, 15, 13};
  const auto x = random_values(count(in), 61);
  const auto xh = to_nhwc(x, in);
  struct Case {
    const char* name;
    nn::LayerPtr layer;
    bool max, global;
  };
  Case cases[] = {{"max pool 3x3 s2 p1", backend->max_pool2d({3, 2, 1}), true, false},
                  {"avg pool 2x2 s2", backend->avg_pool2d({2, 2, 0}), false, false},
                  {"global avg pool", backend->global_avg_pool(), false, true}};
  for (auto& c : cases) {
    const Dims out = c.layer->output_dims(in);
    const auto dy = random_values(count(out), 62);
    const auto y =
        nchw_of(*ctx, c.layer->forward(plain_on_device(ctx->device(), in, x), Mode::train));
    const auto dx = nchw_of(*ctx, c.layer->backward(plain_on_device(ctx->device(), out, dy)));
    const kernels::Pool2d p =
        c.global ? kernels::global_pool(in[0], in[1], in[2], in[3])
                 : kernels::Pool2d{in[0],  in[1],         in[2],         in[3], out[2],
                                   out[3], c.max ? 3 : 2, c.max ? 3 : 2, 2,     c.max ? 1 : 0};
    std::vector<float> hy(static_cast<std::size_t>(p.outputs())), hdx(xh.size());
    const auto dyh = to_nhwc(dy, out);
    if (c.max) {
      std::vector<std::int64_t> argmax(hy.size());
      HostEach{}(p.outputs(), kernels::MaxPoolForward{p, xh.data(), hy.data(), argmax.data()});
      HostEach{}(p.inputs(), kernels::MaxPoolBackward{p, dyh.data(), argmax.data(), hdx.data()});
    } else {
      HostEach{}(p.outputs(), kernels::AvgPoolForward{p, xh.data(), hy.data()});
      HostEach{}(p.inputs(), kernels::AvgPoolBackward{p, dyh.data(), hdx.data()});
    }
    expect_equal(std::string(c.name) + " forward", to_nhwc(y, out), hy);
    expect_equal(std::string(c.name) + " backward", to_nhwc(dx, in), hdx);
  }
  auto relu = backend->relu();
  const auto y = nchw_of(*ctx, relu->forward(plain_on_device(ctx->device(), in, x), Mode::train));
  const auto dy = random_values(count(in), 63);
  const auto dx = nchw_of(*ctx, relu->backward(plain_on_device(ctx->device(), in, dy)));
  std::vector<float> ry(x.size()), rdx(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    ry[i] = x[i] > 0 ? x[i] : 0.0f;
    rdx[i] = x[i] > 0 ? dy[i] : 0.0f;
  }
  expect_equal("relu forward", y, ry);
  expect_equal("relu backward", dx, rdx);
}

// A whole model on the device: resnet20 (width 4) from the cudnn backend, its flat buffers on
// the GPU, the residual blocks there, the loss on the host over the logits; 40 SGD steps on a
// fixed batch through the device's VectorOps. The first loss equals the CPU run's constant (the
// same initial numbers) to fp32 accuracy, and the loss falls as on the CPU (0.12 of its start
// there; < 0.25 required, as by the CPU test).
void model_on_device(const std::shared_ptr<cudnn::Context>& ctx) {
  const auto backend = cudnn::make_backend(ctx);
  auto spec = test::fixed_batch_model();
  spec.layers = backend.get();
  auto model = nn::build_model(spec);
  expect(model->device() == ctx->device(), "the model's buffers must live on the GPU");
  const auto ops = cuda::make_vector_ops<float>(ctx->stream());
  const auto l = test::memorise(*model, *ops, 40);
  std::printf("  %-52s first loss %.9f (CPU %.9f), after 40 steps %.4f\n", "resnet20 w4 model",
              l.first, test::kFixedBatchFirstLoss, l.last);
  expect(std::abs(l.first - test::kFixedBatchFirstLoss) <= 1e-4 * test::kFixedBatchFirstLoss,
         "the model's first loss differs from the CPU's");
  expect(l.last < 0.25 * l.first, "the model's loss did not fall on the GPU");
}

void refusals(const std::shared_ptr<cudnn::Context>& ctx) {
  auto conv = cudnn::make_backend(ctx)->conv2d({3, 4, 3, 1, 1});
  DeviceBound bound(*conv, ctx->device());
  bool refused = false;
  try {
    conv->forward(Tensor::plain({1, 3, 8, 8}), Mode::train);  // host memory
  } catch (const InvalidArgument& e) {
    refused = std::string(e.what()).find("a tensor on cpu") != std::string::npos;
  }
  expect(refused, "a host tensor given to a GPU convolution must be refused by name");
}

}  // namespace
}  // namespace decent

int main() {
  using namespace decent;
  if (cuda::device_count() == 0) test::skip_test("no CUDA device");
  cuda::use_cuda_devices();
  const Device d{DeviceKind::cuda, 0};
  try {
    std::printf("fp32:\n");
    const auto fp32 = std::make_shared<cudnn::Context>(d, cudnn::ConvMath::fp32);
    convolutions(fp32, 1e-4);
    linear_layers(fp32, 1e-4);
    batch_norms(fp32);
    pools_and_relu(fp32);
    refusals(fp32);
    model_on_device(fp32);
    std::printf("tf32:\n");
    const auto tf32 = std::make_shared<cudnn::Context>(d, cudnn::ConvMath::tf32);
    convolutions(tf32, 2e-2);
    linear_layers(tf32, 2e-2);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAILED with an exception: %s\n", e.what());
    return 1;
  }
  return test::finish("the cuDNN backend's layers agree with the references on cuda:0");
}
