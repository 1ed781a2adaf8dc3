// The shape of one 2-D convolution as cuDNN's graph API describes it, and the key its execution
// plans are cached under. Host-only and free of CUDA headers, so that the shape logic is tested
// on machines without a GPU (tests/unit/conv_geometry_test.cpp).
//
// cuDNN names every tensor by its dims in N, C, H, W order and gives the memory order by strides
// alone: NHWC activations have strides (H W C, 1, W C, C), and the filter, K x C x R x S, is kept
// in KRSC order (strides (R S C, 1, S C, C)), the order its NHWC engines want.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace decent::nn::cudnn {

using Dims4 = std::array<std::int64_t, 4>;

// Strides of NCHW-ordered dims stored channels-last (NHWC, or KRSC for a filter).
inline Dims4 channels_last_strides(const Dims4& d) {
  return {d[1] * d[2] * d[3], 1, d[3] * d[1], d[1]};
}

enum class ConvPass { forward, backward_data, backward_filter };

// What the math runs in: fp32 throughout, or fp32 storage with TF32 tensor-core products.
enum class ConvMath { fp32, tf32 };

struct ConvGeometry {
  std::int64_t n = 0, c = 0, h = 0, w = 0;  // input
  std::int64_t k = 0, r = 0, s = 0;         // output channels, kernel height and width
  std::int64_t stride = 1, padding = 0;
  std::int64_t oh() const { return (h + 2 * padding - r) / stride + 1; }
  std::int64_t ow() const { return (w + 2 * padding - s) / stride + 1; }
  Dims4 input() const { return {n, c, h, w}; }
  Dims4 filter() const { return {k, c, r, s}; }
  Dims4 output() const { return {n, k, oh(), ow()}; }
  // Whether the output has at least one pixel and every dim is positive.
  bool valid() const {
    return n > 0 && c > 0 && h > 0 && w > 0 && k > 0 && r > 0 && s > 0 && stride > 0 &&
           padding >= 0 && h + 2 * padding >= r && w + 2 * padding >= s;
  }
  std::string describe() const;
  bool operator==(const ConvGeometry&) const = default;
};

// One cached plan: a pass over a geometry in a math mode.
struct ConvPlanKey {
  ConvPass pass = ConvPass::forward;
  ConvGeometry geometry;
  ConvMath math = ConvMath::fp32;
  bool operator==(const ConvPlanKey&) const = default;
};

struct ConvPlanKeyHash {
  std::size_t operator()(const ConvPlanKey& key) const {
    const auto& g = key.geometry;
    std::size_t h = std::hash<int>()(static_cast<int>(key.pass) * 2 + static_cast<int>(key.math));
    for (std::int64_t v : {g.n, g.c, g.h, g.w, g.k, g.r, g.s, g.stride, g.padding})
      h = h * 1000003u ^ std::hash<std::int64_t>()(v);
    return h;
  }
};

inline std::string ConvGeometry::describe() const {
  return std::to_string(n) + "x" + std::to_string(c) + "x" + std::to_string(h) + "x" +
         std::to_string(w) + " * " + std::to_string(k) + "x" + std::to_string(c) + "x" +
         std::to_string(r) + "x" + std::to_string(s) + " stride " + std::to_string(stride) +
         " padding " + std::to_string(padding);
}

}  // namespace decent::nn::cudnn
