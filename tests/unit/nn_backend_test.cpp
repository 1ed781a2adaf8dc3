// Layer backends by name, and neutral tensors and layouts.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "nn/backend.hpp"
#include "nn/dnnl/dnnl_layout.hpp"
#include "nn/layer_backend.hpp"
#include "nn/loss.hpp"

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

}  // namespace decent::nn
