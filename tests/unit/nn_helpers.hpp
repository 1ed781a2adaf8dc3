// Helpers of the neural-network tests: random plain tensors, plain copies of any layout, a layer
// bound to its own parameter storage, and central finite differences.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/rng.hpp"
#include "nn/dnnl/context.hpp"
#include "nn/layer.hpp"
#include "tests/common/host_kernels.hpp"

namespace decent::nn::test {

inline std::vector<float> random_values(std::int64_t n, std::uint64_t seed, float lo = -1,
                                        float hi = 1) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(rng.uniform());
  return v;
}

inline Tensor plain_tensor(const Dims& dims, const std::vector<float>& values) {
  Tensor t = Tensor::plain(dims);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

// The tensor's values in plain row-major order, whatever its layout.
inline std::vector<float> to_plain(const Tensor& t) {
  Tensor p = Tensor::plain(t.dims());
  reorder(t, p);
  return std::vector<float>(p.data(), p.data() + p.numel());
}

using decent::test::count;
using decent::test::HostEach;
using decent::test::to_nhwc;

// A layer with its own parameter, gradient and buffer storage, filled with random values.
struct Bound {
  std::vector<std::vector<float>> values, grads, buffers;
  explicit Bound(Layer& layer, std::uint64_t seed = 7) {
    std::vector<ParamView> views;
    for (const auto& s : layer.param_specs()) {
      values.push_back(random_values(s.size(), seed++, 0.5f, 1.5f));
      grads.emplace_back(static_cast<std::size_t>(s.size()), 0.0f);
    }
    for (std::size_t i = 0; i < values.size(); ++i)
      views.push_back(
          {values[i].data(), grads[i].data(), static_cast<std::int64_t>(values[i].size())});
    std::vector<float*> bufs;
    for (const auto& s : layer.buffer_specs())
      buffers.push_back(random_values(s.size(), seed++, 0.5f, 1.5f));
    for (auto& b : buffers) bufs.push_back(b.data());
    layer.bind(views, bufs);
  }
};

inline double dot(const std::vector<float>& a, const std::vector<float>& r) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * r[i];
  return s;
}

// Central difference of f at each coordinate of x: (f(x + h e_i) - f(x - h e_i)) / 2h.
inline std::vector<double> finite_differences(std::vector<float>& x, double h,
                                              const std::function<double()>& f) {
  std::vector<double> g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float saved = x[i];
    x[i] = static_cast<float>(saved + h);
    const double up = f();
    x[i] = static_cast<float>(saved - h);
    const double down = f();
    x[i] = saved;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

// Largest |a - b| / (atol + rtol |b|); <= 1 means within tolerance everywhere.
template <class A, class B>
double worst_ratio(const A& a, const B& b, double atol, double rtol) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])) /
                                (atol + rtol * std::abs(static_cast<double>(b[i]))));
  return worst;
}

}  // namespace decent::nn::test
