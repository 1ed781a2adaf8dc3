// The host-side logic of the GPU backend: the NHWC layout's equality with plain layouts, the
// channels-last strides cuDNN is given (against the NHWC order the kernels use), the output
// shape of a convolution (against the CPU layer's) and the keys its plans are cached under.
#include <doctest/doctest.h>

#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "nn/cudnn/conv_geometry.hpp"
#include "nn/layers.hpp"
#include "nn/nhwc_layout.hpp"
#include "nn_helpers.hpp"

namespace decent::nn {

TEST_CASE("the NHWC layout equals the plain one exactly when C is 1 or H and W are 1") {
  CHECK_FALSE(nhwc_layout({2, 3, 4, 5})->is_plain());
  CHECK_FALSE(nhwc_layout({2, 3, 4, 5})->equals(*plain_layout({2, 3, 4, 5})));
  CHECK(nhwc_layout({2, 1, 4, 5})->equals(*plain_layout({2, 1, 4, 5})));
  CHECK(nhwc_layout({2, 8, 1, 1})->is_plain());
  CHECK(plain_layout({2, 8, 1, 1})->equals(*nhwc_layout({2, 8, 1, 1})));
  CHECK(nhwc_layout({2, 3, 4, 5})->equals(*nhwc_layout({2, 3, 4, 5})));
  CHECK_FALSE(nhwc_layout({2, 3, 4, 5})->equals(*nhwc_layout({2, 3, 5, 4})));
  CHECK(nhwc_layout({2, 3, 4, 5})->bytes() == 2 * 3 * 4 * 5 * sizeof(float));
  CHECK(is_nhwc(*plain_layout({4, 1, 3, 3})));
  CHECK_FALSE(is_nhwc(*plain_layout({4, 2, 3, 3})));
  CHECK_THROWS_AS(nhwc_layout({4, 10}), InvalidArgument);
}

TEST_CASE("channels-last strides address the NHWC order of the kernels") {
  const Dims d = {2, 3, 4, 5};
  const cudnn::Dims4 dims = {2, 3, 4, 5};
  const auto st = cudnn::channels_last_strides(dims);
  // Place each NCHW value at its strided offset; the result must be the NHWC transpose.
  std::vector<float> x(120), placed(120, -1);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  for (std::int64_t n = 0; n < 2; ++n)
    for (std::int64_t c = 0; c < 3; ++c)
      for (std::int64_t h = 0; h < 4; ++h)
        for (std::int64_t w = 0; w < 5; ++w)
          placed[static_cast<std::size_t>(n * st[0] + c * st[1] + h * st[2] + w * st[3])] =
              x[static_cast<std::size_t>(((n * 3 + c) * 4 + h) * 5 + w)];
  CHECK(placed == test::to_nhwc(x, d));
}

TEST_CASE("convolution geometry gives the CPU layer's output shape") {
  struct Case {
    Dims in;
    Conv2dOptions o;
  };
  const Case cases[] = {{{2, 3, 32, 32}, {3, 16, 3, 1, 1}},
                        {{2, 16, 32, 32}, {16, 32, 3, 2, 1}},
                        {{1, 3, 224, 224}, {3, 64, 7, 2, 3}},
                        {{4, 64, 56, 56}, {64, 256, 1, 1, 0}},
                        {{1, 8, 7, 9}, {8, 4, 3, 2, 0}}};
  for (const auto& c : cases) {
    const cudnn::ConvGeometry g{c.in[0],    c.in[1],    c.in[2],    c.in[3],    c.o.out_channels,
                                c.o.kernel, c.o.kernel, c.o.stride, c.o.padding};
    REQUIRE(g.valid());
    const Dims out = make_conv2d(c.o)->output_dims(c.in);
    const auto o = g.output();
    CHECK(to_string(Dims(o.begin(), o.end())) == to_string(out));
  }
  CHECK_FALSE(cudnn::ConvGeometry{1, 3, 2, 2, 4, 5, 5, 1, 1}.valid());  // kernel beyond the input
}

TEST_CASE("plan keys tell passes, math and shapes apart") {
  const cudnn::ConvGeometry g{8, 16, 32, 32, 32, 3, 3, 2, 1};
  std::unordered_map<cudnn::ConvPlanKey, int, cudnn::ConvPlanKeyHash> plans;
  plans[{cudnn::ConvPass::forward, g, cudnn::ConvMath::fp32}] = 1;
  plans[{cudnn::ConvPass::backward_data, g, cudnn::ConvMath::fp32}] = 2;
  plans[{cudnn::ConvPass::backward_filter, g, cudnn::ConvMath::fp32}] = 3;
  plans[{cudnn::ConvPass::forward, g, cudnn::ConvMath::tf32}] = 4;
  auto g2 = g;
  g2.n = 7;  // the last, smaller batch of an epoch is a plan of its own
  plans[{cudnn::ConvPass::forward, g2, cudnn::ConvMath::fp32}] = 5;
  CHECK(plans.size() == 5);
  CHECK(plans.at({cudnn::ConvPass::forward, g, cudnn::ConvMath::fp32}) == 1);
  CHECK(plans.at({cudnn::ConvPass::backward_filter, g, cudnn::ConvMath::fp32}) == 3);
}

}  // namespace decent::nn
