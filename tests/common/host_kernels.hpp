// What the tests of kernels/ use on the host: a launcher that runs a host/device functor at each
// index in order, the element count of dims, and the NCHW -> NHWC reorder written as plain
// loops (the independent reference for the kernels' own conversions). Free of oneDNN and CUDA,
// so that the GPU test programs share it with the unit tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace decent::test {

// f(i) for i in [0, n), in order: the host run of a kernels/ functor (kernels/ sequences take
// it as their `each`).
struct HostEach {
  template <class F>
  void operator()(std::int64_t n, const F& f) const {
    for (std::int64_t i = 0; i < n; ++i) f(static_cast<std::size_t>(i));
  }
};

inline std::int64_t count(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (auto x : dims) n *= x;
  return n;
}

// The NHWC order of a plain N x C x H x W array.
inline std::vector<float> to_nhwc(const std::vector<float>& v, const std::vector<std::int64_t>& d) {
  std::vector<float> out(v.size());
  for (std::int64_t n = 0; n < d[0]; ++n)
    for (std::int64_t c = 0; c < d[1]; ++c)
      for (std::int64_t y = 0; y < d[2]; ++y)
        for (std::int64_t x = 0; x < d[3]; ++x)
          out[static_cast<std::size_t>(((n * d[2] + y) * d[3] + x) * d[1] + c)] =
              v[static_cast<std::size_t>(((n * d[1] + c) * d[2] + y) * d[3] + x)];
  return out;
}

}  // namespace decent::test
