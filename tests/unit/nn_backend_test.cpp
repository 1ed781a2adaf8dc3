// Layer backends by name, and neutral tensors and layouts.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/build_info.hpp"
#include "core/error.hpp"
#include "core/vector_ops.hpp"
#include "nn/backend.hpp"
#include "nn/builders.hpp"
#include "nn/dnnl/dnnl_layout.hpp"
#include "nn/layer_backend.hpp"
#include "nn/loss.hpp"
#include "nn/node_engine.hpp"

namespace decent::nn {

TEST_CASE(
    "layer backends: dnnl is built in, cudnn only once decent_gpu registers it, a typo is named") {
  const LayerBackend& dnnl = layer_backend("dnnl");
  CHECK(dnnl.name() == "dnnl");
  CHECK(dnnl.device() == DeviceKind::cpu);
  CHECK(&default_layer_backend() == &dnnl);
  CHECK(layer_backend_names() == std::vector<std::string>{"dnnl"});
  CHECK(dnnl.relu()->describe() == make_relu()->describe());
  CHECK_THROWS_WITH_AS(layer_backend("cudnn"), doctest::Contains("not registered in this program"),
                       NotSupported);
  CHECK_THROWS_WITH_AS(layer_backend("dnn"), "layer backend \"dnn\": unknown; expected one of dnnl",
                       InvalidArgument);
  CHECK_THROWS_AS(register_layer_backend(nullptr), InvalidArgument);
}

TEST_CASE("tensors: plain layouts equal oneDNN's plain descriptors, blocked ones differ") {
  const Dims d = {2, 16, 5, 5};
  const Tensor plain = Tensor::plain(d);
  CHECK(plain.layout().is_plain());
  CHECK(plain.storage_size() == 2 * 16 * 5 * 5);
  CHECK(plain.device().is_cpu());
  const Tensor dnnl_plain = tensor_of(plain_desc(d));
  CHECK(dnnl_plain.layout().backend() == "dnnl");
  CHECK(plain.same_layout(dnnl_plain));
  CHECK(dnnl_plain.same_layout(plain));
  const Tensor blocked = tensor_of(
      dnnl::memory::desc(d, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c));
  CHECK_FALSE(blocked.layout().is_plain());
  CHECK_FALSE(blocked.same_layout(plain));
  CHECK_FALSE(plain.same_layout(blocked));
  CHECK(blocked.dims() == d);
  const Tensor padded = tensor_of(dnnl::memory::desc({1, 3, 2, 2}, dnnl::memory::data_type::f32,
                                                     dnnl::memory::format_tag::nChw16c));
  CHECK(padded.numel() == 12);
  CHECK(padded.storage_size() == 16 * 4);  // 3 channels stored as 16
  CHECK(Tensor().same_layout(Tensor()));
  CHECK_FALSE(Tensor().same_layout(plain));
  CHECK_THROWS_AS(Tensor::plain({}), InvalidArgument);
  CHECK_THROWS_AS(Tensor::plain({2, 0}), InvalidArgument);
}

TEST_CASE("host-only nn code refuses tensors in device memory by name instead of reading them") {
  // A view that says cuda:0; its pointer is never dereferenced if the refusal works.
  float storage[20] = {};
  const Tensor logits = Tensor::view(plain_layout({2, 10}), storage, Device{DeviceKind::cuda, 0});
  SoftmaxCrossEntropy loss;
  const std::int32_t labels[2] = {1, 2};
  CHECK_THROWS_WITH_AS(loss.forward(logits, labels), doctest::Contains("cuda:0"), NotSupported);
  Tensor host = Tensor::plain({2, 10}), scratch;
  CHECK_THROWS_AS(reorder(logits, host), NotSupported);
  CHECK_THROWS_AS(to_layout(logits, host.layout(), scratch), NotSupported);
}

namespace {

// The oneDNN backend, counting the layers it is asked for.
class CountingBackend final : public LayerBackend {
 public:
  mutable int layers = 0, residuals = 0;
  const LayerBackend& base = layer_backend("dnnl");
  std::string_view name() const override { return "counting"; }
  DeviceKind device() const override { return DeviceKind::cpu; }
  LayerPtr conv2d(const Conv2dOptions& o) const override { return ++layers, base.conv2d(o); }
  LayerPtr batch_norm2d(const BatchNormOptions& o) const override {
    return ++layers, base.batch_norm2d(o);
  }
  LayerPtr relu() const override { return ++layers, base.relu(); }
  LayerPtr max_pool2d(const PoolOptions& o) const override { return ++layers, base.max_pool2d(o); }
  LayerPtr avg_pool2d(const PoolOptions& o) const override { return ++layers, base.avg_pool2d(o); }
  LayerPtr global_avg_pool() const override { return ++layers, base.global_avg_pool(); }
  LayerPtr linear(std::int64_t in, std::int64_t out) const override {
    return ++layers, base.linear(in, out);
  }
  LayerPtr residual(LayerPtr main, LayerPtr shortcut) const override {
    ++residuals;
    return LayerBackend::residual(std::move(main), std::move(shortcut));
  }
};

}  // namespace

TEST_CASE("a model spec's layer backend makes every layer, and its scope ends with the build") {
  CountingBackend counting;
  ModelSpec s;
  s.name = "resnet20";
  s.width = 4;
  s.layers = &counting;
  const auto model = build_model(s);
  // resnet20: the stem (conv, bn), 9 blocks of 2 x (conv, bn), 2 projections (conv, bn),
  // global pool and linear.
  CHECK(counting.layers == 2 + 9 * 4 + 2 * 2 + 2);
  CHECK(counting.residuals == 9);
  CHECK(model->device() == Device{});
  CHECK(&current_layer_backend() == &default_layer_backend());
  {
    const ScopedLayerBackend outer(counting);
    CHECK(&current_layer_backend() == &counting);
    {
      const ScopedLayerBackend inner(default_layer_backend());
      CHECK(&current_layer_backend() == &default_layer_backend());
    }
    make_relu();
    CHECK(&current_layer_backend() == &counting);
  }
  CHECK(counting.layers == 2 + 9 * 4 + 2 * 2 + 2 + 1);
  CHECK(&current_layer_backend() == &default_layer_backend());
}

TEST_CASE("the CPU node engine is the default layers with the host ops, and nodes map to devices") {
  const auto engine = open_node_engine(Device{});
  CHECK(engine->device() == Device{});
  CHECK(&engine->layers() == &default_layer_backend());
  CHECK(&engine->ops() == &cpu_vector_ops<float>());
  CHECK(node_device("cpu", 3) == Device{});
  CHECK(node_device("cuda:2", 5) == Device{DeviceKind::cuda, 2});
  // "cuda" spreads the nodes over the visible GPUs (cuda:0 when none: refused when opened).
  const int gpus = cuda_device_count();
  for (int rank : {0, 1, 7})
    CHECK(node_device("cuda", rank) == Device{DeviceKind::cuda, gpus > 0 ? rank % gpus : 0});
  CHECK_THROWS_WITH_AS(node_device("gpu", 0), doctest::Contains("expected cpu, cuda or cuda:N"),
                       InvalidArgument);
}

TEST_CASE("a model's host copies of its flat buffers round-trip, and a wrong count is refused") {
  ModelSpec spec;
  spec.name = "resnet20";
  spec.width = 4;
  spec.input = {1, 8, 8};
  spec.classes = 10;
  auto model = build_model(spec);
  const auto p = model->parameters_on_host();
  const auto b = model->buffers_on_host();
  REQUIRE(p.size() == model->parameters().size());
  REQUIRE(b.size() == model->buffers().size());
  CHECK(std::equal(p.begin(), p.end(), model->parameters().begin()));
  CHECK(std::equal(b.begin(), b.end(), model->buffers().begin()));
  std::vector<float> p2(p.size()), b2(b.size());
  for (std::size_t i = 0; i < p2.size(); ++i) p2[i] = static_cast<float>(i) * 0.5f;
  for (std::size_t i = 0; i < b2.size(); ++i) b2[i] = 1.0f + static_cast<float>(i);
  model->set_parameters(p2);
  model->set_buffers(b2);
  CHECK(model->parameters_on_host() == p2);
  CHECK(model->buffers_on_host() == b2);
  CHECK(model->parameters()[3] == 1.5f);
  p2.pop_back();
  const auto few = std::to_string(p2.size()) + " parameter values given";
  CHECK_THROWS_WITH_AS(model->set_parameters(p2), doctest::Contains(few.c_str()), InvalidArgument);
  b2.push_back(0);
  const auto many = std::to_string(b2.size()) + " buffer values given";
  CHECK_THROWS_WITH_AS(model->set_buffers(b2), doctest::Contains(many.c_str()), InvalidArgument);
  CHECK(model->parameters()[3] == 1.5f);  // unchanged by the refusals
}

}  // namespace decent::nn
