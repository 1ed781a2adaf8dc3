// Devices, device buffers and VectorOps. The CPU ops against loops written here from the
// equations (docs/algorithms.md, cpp/optim/optimizer.hpp), bit for bit, on odd sizes and at
// misaligned offsets; and the device's reduction order (kernels/vector_ops_body.hpp, as
// kernels/cuda/vector_kernels.cu runs it) run on the host against the CPU's sequential sums, so the
// GPU's norms are tested here without a GPU.
#include "core/vector_ops.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/device_buffer.hpp"
#include "core/error.hpp"
#include "tests/common/device_order.hpp"

namespace decent {
namespace {

// Sizes around the device's block (256 threads) and the CPU mix's 8 KiB block (2048 floats).
const std::size_t kSizes[] = {1, 7, 255, 256, 257, 2049, 10007};

template <typename T>
std::vector<T> random_values(std::size_t n, unsigned seed, double lo = -2, double hi = 2) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

using test::device_order_squares;

}  // namespace

TEST_CASE("devices: cpu, cuda and cuda:N parse and anything else is refused by name") {
  CHECK(parse_device("cpu") == Device{DeviceKind::cpu, 0});
  CHECK(parse_device("cuda") == Device{DeviceKind::cuda, 0});
  CHECK(parse_device("cuda:3") == Device{DeviceKind::cuda, 3});
  CHECK(to_string(parse_device("cuda:12")) == "cuda:12");
  CHECK(to_string(Device{}) == "cpu");
  for (const char* bad : {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:1x", "CPU", ""})
    CHECK_THROWS_WITH_AS(parse_device(bad), doctest::Contains("expected cpu, cuda or cuda:N"),
                         InvalidArgument);
}

TEST_CASE("devices: without a CUDA backend, cuda buffers are NotSupported and say why") {
  CHECK_THROWS_WITH_AS(DeviceBuffer<float>(4, Device{DeviceKind::cuda, 0}),
                       doctest::Contains("no CUDA backend"), NotSupported);
  Stream cpu;  // the CPU's stream and events exist and do nothing
  cpu.synchronize();
  Event e;
  e.record(cpu);
  e.make_wait(cpu);
  CHECK(cpu.handle() == nullptr);
}

TEST_CASE("device buffers: zeros, host round trips, moves and size checks") {
  DeviceBuffer<double> b(5);
  CHECK(b.to_host() == std::vector<double>(5, 0.0));
  const std::vector<double> v = {1, 2, 3, 4, 5};
  b.from_host(v);
  CHECK(b.to_host() == v);
  CHECK_THROWS_WITH_AS(b.from_host(std::vector<double>(4)),
                       doctest::Contains("buffer of 5 values given 4"), InvalidArgument);
  DeviceBuffer<double> c(std::move(b));
  CHECK(b.size() == 0);
  CHECK(b.data() == nullptr);
  CHECK(c.to_host() == v);
  DeviceBuffer<double> d(5);
  d.copy_from(c);
  CHECK(d.to_host() == v);
  DeviceBuffer<double> e(3);
  CHECK_THROWS_AS(e.copy_from(c), InvalidArgument);
  e.swap(d);
  CHECK(e.size() == 5);
  CHECK(e.to_host() == v);
  DeviceBuffer<float> empty(0);
  CHECK(empty.to_host().empty());
}

TEST_CASE_TEMPLATE("cpu vector ops: element-wise updates equal the equations bit for bit", T, float,
                   double) {
  const auto& ops = cpu_vector_ops<T>();
  CHECK(ops.device().is_cpu());
  const T a = static_cast<T>(0.37), lr = static_cast<T>(0.05), beta = static_cast<T>(0.9);
  for (std::size_t n : kSizes) {
    for (std::size_t offset : {0, 1, 3}) {  // misaligned starts
      CAPTURE(n);
      CAPTURE(offset);
      const auto base_x = random_values<T>(n + offset, 1), base_g = random_values<T>(n + offset, 2),
                 base_p = random_values<T>(n + offset, 3), base_q = random_values<T>(n + offset, 4);
      auto x = base_x, y = base_g, m = base_p;
      std::vector<T> out(n + offset), psi(n + offset), phi(n + offset);
      const T* g = base_g.data() + offset;
      const T* p = base_p.data() + offset;
      const T* q = base_q.data() + offset;

      ops.axpy(n, a, x.data() + offset, y.data() + offset);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(y[offset + i] == g[i] + a * base_x[offset + i]);

      ops.sub_scaled(n, x.data() + offset, lr, g, out.data() + offset);
      for (std::size_t i = 0; i < n; ++i)
        REQUIRE(out[offset + i] == base_x[offset + i] - lr * g[i]);

      ops.momentum(n, beta, g, m.data() + offset);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(m[offset + i] == beta * p[i] + g[i]);

      y = base_q;
      ops.add_difference(n, g, p, y.data() + offset);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(y[offset + i] == q[i] + (g[i] - p[i]));

      m = base_p;
      ops.decentlam_momentum(n, beta, lr, x.data() + offset, q, m.data() + offset);
      for (std::size_t i = 0; i < n; ++i)
        REQUIRE(m[offset + i] == beta * p[i] + (base_x[offset + i] - q[i]) / lr);

      ops.exact_diffusion_adapt(n, lr, g, p, x.data() + offset, psi.data() + offset,
                                phi.data() + offset);
      for (std::size_t i = 0; i < n; ++i) {
        const T s = base_x[offset + i] - lr * g[i];
        REQUIRE(psi[offset + i] == s);
        REQUIRE(phi[offset + i] == s + base_x[offset + i] - p[i]);
        REQUIRE(x[offset + i] == phi[offset + i]);
      }
      x = base_x;
      ops.half_sum(n, p, x.data() + offset);
      for (std::size_t i = 0; i < n; ++i)
        REQUIRE(x[offset + i] == (base_x[offset + i] + p[i]) / T{2});

      ops.d2_combine(n, lr, base_x.data() + offset, p, g, q, out.data() + offset);
      for (std::size_t i = 0; i < n; ++i)
        REQUIRE(out[offset + i] == T{2} * base_x[offset + i] - p[i] - lr * g[i] + lr * q[i]);

      ops.copy(n, g, out.data() + offset);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(out[offset + i] == g[i]);
    }
  }
}

TEST_CASE_TEMPLATE("cpu vector ops: mixing adds the peers in order, over several passes", T, float,
                   double) {
  const auto& ops = cpu_vector_ops<T>();
  for (std::size_t peers : {0, 1, 16, 17, 40}) {  // 16 peers per pass
    for (std::size_t n : {1, 2049, 4099}) {
      CAPTURE(peers);
      CAPTURE(n);
      std::vector<std::vector<T>> in;
      std::vector<const T*> ptr;
      std::vector<double> w;
      for (std::size_t k = 0; k < peers; ++k) {
        in.push_back(random_values<T>(n, 10 + static_cast<unsigned>(k)));
        w.push_back(1.0 / static_cast<double>(peers + 2 + k));
      }
      for (auto& v : in) ptr.push_back(v.data());
      const auto x0 = random_values<T>(n, 9);
      auto x = x0;
      const T self = static_cast<T>(0.25);
      ops.mix(n, x.data(), self, ptr, w);
      for (std::size_t i = 0; i < n; ++i) {
        T v = x0[i] * self;
        for (std::size_t k = 0; k < peers; ++k) v += static_cast<T>(w[k]) * in[k][i];
        REQUIRE(x[i] == v);
      }
    }
  }
  std::vector<float> x(3);
  const float* one[1] = {x.data()};
  CHECK_THROWS_AS(cpu_vector_ops<float>().mix(3, x.data(), 1.0f, one, std::vector<double>{}),
                  InvalidArgument);
}

TEST_CASE_TEMPLATE("segment norms: the device's tree order agrees with the CPU's sequential sum", T,
                   float, double) {
  // What can differ is only the order of the double additions: the two agree to a few double
  // ulps times the length, and a skipped or doubled element (a wrong stride or tree level)
  // would be off by a whole square, about 1e-4 of the sum at these sizes.
  std::vector<Segment> segments;
  std::int64_t next = 0;
  for (std::size_t n : kSizes) segments.push_back({next, static_cast<std::int64_t>(n)}), next += n;
  segments.push_back({next, 0});  // an empty segment sums to 0
  const auto x = random_values<T>(static_cast<std::size_t>(next) + 1, 7);
  for (std::size_t offset : {0, 1}) {
    std::vector<double> cpu(segments.size());
    cpu_vector_ops<T>().segment_squares(x.data() + offset, segments, cpu.data());
    for (std::size_t s = 0; s < segments.size(); ++s) {
      CAPTURE(s);
      const T* seg = x.data() + offset + segments[s].offset;
      double naive = 0;
      for (std::int64_t i = 0; i < segments[s].size; ++i) naive += double(seg[i]) * double(seg[i]);
      CHECK(cpu[s] == naive);
      const double device = device_order_squares(seg, segments[s].size);
      CHECK(std::abs(device - naive) <= 1e-15 * static_cast<double>(segments[s].size) * naive);
    }
  }
}

TEST_CASE("optimizer updates: lars and lamb per segment as the device runs them") {
  // The device computes the per-segment factors from its tree-ordered sums; with the same
  // functors applied, the directions may differ from the CPU's only where a factor's float
  // rounding flips, i.e. by a float ulp of the factor.
  const std::vector<Segment> segments = {{0, 7}, {7, 300}, {307, 1}, {308, 2049}};
  const std::size_t n = 2357;
  const auto x = random_values<float>(n, 21), g0 = random_values<float>(n, 22);
  const auto& ops = cpu_vector_ops<float>();
  for (int step = 1; step <= 3; ++step) {
    std::vector<float> v(n, 0.1f), g = g0;
    ops.lars(segments, 0.9f, 5e-4, 0.001, x.data(), g.data(), v.data());
    std::vector<float> v2(n, 0.1f), g2 = g0;
    for (const auto& s : segments) {
      const float local =
          kernels::lars_local(0.001, 5e-4, device_order_squares(x.data() + s.offset, s.size),
                              device_order_squares(g0.data() + s.offset, s.size));
      kernels::LarsUpdate<float> f{0.9f,     static_cast<float>(5e-4), local, x.data(), g2.data(),
                                   v2.data()};
      for (auto i = s.offset; i < s.offset + s.size; ++i) f(static_cast<std::size_t>(i));
    }
    for (std::size_t i = 0; i < n; ++i) REQUIRE(g2[i] == doctest::Approx(g[i]).epsilon(2e-7));

    std::vector<float> m(n), vv(n), r(n), gl = g0;
    std::vector<float> m2(n), vv2(n), r2(n), gl2 = g0;
    for (int t = 1; t <= step; ++t) {
      gl = g0, gl2 = g0;
      ops.lamb(segments, t, 0.9, 0.999, 1e-6, 0.01f, x.data(), gl.data(), m.data(), vv.data(),
               r.data());
      const double c1 = 1 - std::pow(0.9, t), c2 = 1 - std::pow(0.999, t);
      kernels::LambMoments<float> moments{
          0.9, 0.999, c1, c2, 1e-6, 0.01f, x.data(), gl2.data(), m2.data(), vv2.data(), r2.data()};
      for (std::size_t i = 0; i < n; ++i) moments(i);
      for (const auto& s : segments) {
        const float ratio = kernels::lamb_ratio(device_order_squares(x.data() + s.offset, s.size),
                                                device_order_squares(r2.data() + s.offset, s.size));
        for (auto i = s.offset; i < s.offset + s.size; ++i)
          gl2[static_cast<std::size_t>(i)] = ratio * r2[static_cast<std::size_t>(i)];
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(m2[i] == m[i]);  // the moments are element-wise: equal
      REQUIRE(gl2[i] == doctest::Approx(gl[i]).epsilon(2e-7));
    }
  }
}

}  // namespace decent
