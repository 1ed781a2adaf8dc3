// VectorOps on a CUDA device against the CPU's: element-wise operations bit for bit (the kernels
// are built without fused multiply-adds), segment sums of squares equal to the device's order
// run on the host (tests/common/device_order.hpp) and within 1e-15 per element of the CPU's,
// lars and lamb directions within a float ulp of their factors, over odd sizes and misaligned
// offsets; 8 in-process nodes sharing the GPU against the same run on the host; plus device
// buffers, streams and events. Exits 77 (skipped) without a device.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "comm/local.hpp"
#include "core/device_buffer.hpp"
#include "core/error.hpp"
#include "kernels/cuda/cuda_vector_ops.hpp"
#include "kernels/cuda/vector_kernels.hpp"
#include "tests/common/device_order.hpp"
#include "tests/common/expect.hpp"
#include "tests/common/skip.hpp"

namespace decent {
namespace {

static_assert(cuda::kBlockThreads == test::kDeviceBlockThreads);

using test::expect;

template <typename T>
std::vector<T> random_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(-2, 2);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

template <typename T>
struct OnBoth {  // the same values on the host and on the device
  std::vector<T> host;
  DeviceBuffer<T> device;
  OnBoth(std::vector<T> values, Device d) : host(std::move(values)), device(host.size(), d) {
    device.from_host(host);
  }
};

template <typename T>
void compare(const char* op, const std::vector<T>& cpu, const DeviceBuffer<T>& gpu, std::size_t n,
             std::size_t offset) {
  const auto got = gpu.to_host();
  std::size_t differ = 0;
  for (std::size_t i = offset; i < offset + n; ++i) differ += got[i] != cpu[i];
  expect(differ == 0, std::string(op) + ": " + std::to_string(differ) + " of " + std::to_string(n) +
                          " values differ (offset " + std::to_string(offset) + ", " +
                          (sizeof(T) == 4 ? "float" : "double") + ")");
}

template <typename T>
void elementwise(const Stream& stream) {
  const auto gpu_ops = cuda::make_vector_ops<T>(stream);
  const auto& cpu = cpu_vector_ops<T>();
  const VectorOps<T>& gpu = *gpu_ops;
  const Device d = stream.device();
  const T a = static_cast<T>(0.37), lr = static_cast<T>(0.05), beta = static_cast<T>(0.9);
  for (std::size_t n : {1, 255, 257, 100003, 3000001}) {
    for (std::size_t offset : {0, 1, 3}) {
      const std::size_t len = n + offset;
      OnBoth<T> x(random_values<T>(len, 1), d), g(random_values<T>(len, 2), d),
          p(random_values<T>(len, 3), d), q(random_values<T>(len, 4), d);
      OnBoth<T> y(random_values<T>(len, 5), d), m(random_values<T>(len, 6), d),
          psi(std::vector<T>(len), d), phi(std::vector<T>(len), d);
      const auto at = [offset](auto& b) { return b.data() + offset; };
      cpu.axpy(n, a, at(x.host), at(y.host));
      gpu.axpy(n, a, at(x.device), at(y.device));
      compare("axpy", y.host, y.device, n, offset);
      cpu.divide(n, static_cast<T>(7), at(y.host));
      gpu.divide(n, static_cast<T>(7), at(y.device));
      compare("divide", y.host, y.device, n, offset);
      cpu.sub_scaled(n, at(x.host), lr, at(g.host), at(y.host));
      gpu.sub_scaled(n, at(x.device), lr, at(g.device), at(y.device));
      compare("sub_scaled", y.host, y.device, n, offset);
      cpu.momentum(n, beta, at(g.host), at(m.host));
      gpu.momentum(n, beta, at(g.device), at(m.device));
      compare("momentum", m.host, m.device, n, offset);
      cpu.add_difference(n, at(g.host), at(p.host), at(y.host));
      gpu.add_difference(n, at(g.device), at(p.device), at(y.device));
      compare("add_difference", y.host, y.device, n, offset);
      cpu.decentlam_momentum(n, beta, lr, at(x.host), at(q.host), at(m.host));
      gpu.decentlam_momentum(n, beta, lr, at(x.device), at(q.device), at(m.device));
      compare("decentlam_momentum", m.host, m.device, n, offset);
      cpu.exact_diffusion_adapt(n, lr, at(g.host), at(p.host), at(x.host), at(psi.host),
                                at(phi.host));
      gpu.exact_diffusion_adapt(n, lr, at(g.device), at(p.device), at(x.device), at(psi.device),
                                at(phi.device));
      compare("exact_diffusion_adapt", x.host, x.device, n, offset);
      compare("exact_diffusion_adapt psi", psi.host, psi.device, n, offset);
      cpu.half_sum(n, at(q.host), at(x.host));
      gpu.half_sum(n, at(q.device), at(x.device));
      compare("half_sum", x.host, x.device, n, offset);
      cpu.d2_combine(n, lr, at(x.host), at(p.host), at(g.host), at(q.host), at(y.host));
      gpu.d2_combine(n, lr, at(x.device), at(p.device), at(g.device), at(q.device), at(y.device));
      compare("d2_combine", y.host, y.device, n, offset);
      for (bool nesterov : {false, true}) {
        cpu.sgd(n, beta, static_cast<T>(5e-4), nesterov, at(x.host), at(g.host), at(m.host));
        gpu.sgd(n, beta, static_cast<T>(5e-4), nesterov, at(x.device), at(g.device), at(m.device));
        compare("sgd", g.host, g.device, n, offset);
        compare("sgd velocity", m.host, m.device, n, offset);
      }
      // 20 peers: two passes of the mixing kernel.
      std::vector<OnBoth<T>> peers;
      std::vector<const T*> hp, dp;
      std::vector<double> w;
      for (unsigned k = 0; k < 20; ++k) {
        peers.emplace_back(random_values<T>(len, 40 + k), d);
        w.push_back(1.0 / (22.0 + k));
      }
      for (auto& pb : peers) hp.push_back(at(pb.host)), dp.push_back(at(pb.device));
      cpu.mix(n, at(x.host), static_cast<T>(0.3), hp, w);
      gpu.mix(n, at(x.device), static_cast<T>(0.3), dp, w);
      compare("mix", x.host, x.device, n, offset);
      gpu.copy(n, at(g.device), at(y.device));
      cpu.copy(n, at(g.host), at(y.host));
      compare("copy", y.host, y.device, n, offset);
    }
  }
}

template <typename T>
void segments(const Stream& stream) {
  const auto gpu_ops = cuda::make_vector_ops<T>(stream);
  const std::vector<Segment> segs = {{0, 1},        {1, 255},    {256, 257},
                                     {513, 100003}, {100516, 0}, {100516, 2400000}};
  const std::size_t n = 100516 + 2400000;
  OnBoth<T> x(random_values<T>(n + 1, 11), stream.device());
  for (std::size_t offset : {0, 1}) {
    std::vector<double> cpu(segs.size()), gpu(segs.size());
    cpu_vector_ops<T>().segment_squares(x.host.data() + offset, segs, cpu.data());
    gpu_ops->segment_squares(x.device.data() + offset, segs, gpu.data());
    for (std::size_t s = 0; s < segs.size(); ++s) {
      const double host_order =
          test::device_order_squares(x.host.data() + offset + segs[s].offset, segs[s].size);
      expect(gpu[s] == host_order, "segment " + std::to_string(s) +
                                       ": the device's sum differs from its order run on the host");
      expect(std::abs(gpu[s] - cpu[s]) <= 1e-15 * static_cast<double>(segs[s].size) * cpu[s],
             "segment " + std::to_string(s) + ": device and CPU sums differ too much");
    }
  }
}

void optimizers(const Stream& stream) {
  const auto gpu = cuda::make_vector_ops<float>(stream);
  const auto& cpu = cpu_vector_ops<float>();
  const std::vector<Segment> segs = {{0, 7}, {7, 300}, {307, 1}, {308, 200049}};
  const std::size_t n = 308 + 200049;
  const Device d = stream.device();
  OnBoth<float> x(random_values<float>(n, 21), d), g(random_values<float>(n, 22), d),
      v(std::vector<float>(n, 0.1f), d), m(std::vector<float>(n), d), r(std::vector<float>(n), d),
      vv(std::vector<float>(n), d);
  const auto close = [&](const char* what, const std::vector<float>& a,
                         const DeviceBuffer<float>& b) {
    const auto got = b.to_host();
    std::size_t bad = 0;
    for (std::size_t i = 0; i < n; ++i)
      bad += !(std::abs(got[i] - a[i]) <= 2e-7f * std::abs(a[i]) + 1e-30f);
    expect(bad == 0, std::string(what) + ": " + std::to_string(bad) + " values beyond 2e-7");
  };
  // Each step starts both from the CPU's state, so that a difference is that step's own.
  const auto same_inputs = [&] {
    for (auto* b : {&g, &v, &m, &vv}) b->device.from_host(b->host);
  };
  for (int step = 1; step <= 3; ++step) {
    same_inputs();
    cpu.lars(segs, 0.9f, 5e-4, 0.001, x.host.data(), g.host.data(), v.host.data());
    gpu->lars(segs, 0.9f, 5e-4, 0.001, x.device.data(), g.device.data(), v.device.data());
    close("lars direction", g.host, g.device);
    same_inputs();
    cpu.lamb(segs, step, 0.9, 0.999, 1e-6, 0.01f, x.host.data(), g.host.data(), m.host.data(),
             vv.host.data(), r.host.data());
    gpu->lamb(segs, step, 0.9, 0.999, 1e-6, 0.01f, x.device.data(), g.device.data(),
              m.device.data(), vv.device.data(), r.device.data());
    close("lamb direction", g.host, g.device);
    compare("lamb first moment", m.host, m.device, n, 0);
  }
}

// 8 in-process nodes sharing the GPU: all-reduces and three neighbour averages of device
// buffers equal the same run on host buffers bit for bit.
template <typename T>
void local_nodes_on_one_gpu(const Device& d) {
  const int n = 8;
  const std::size_t count = 100003;
  const topology::Topology t("exp", n);
  const auto run = [&](bool on_gpu) {
    std::vector<std::vector<T>> out(n);
    comm::run_local(n, [&](comm::Communicator& c) {
      auto x = random_values<T>(count, 100 + static_cast<unsigned>(c.rank()));
      auto s = x;
      if (on_gpu) {
        DeviceBuffer<T> gx(count, d), gs(count, d);
        gx.from_host(x);
        gs.from_host(s);
        c.allreduce(gs.data(), count, comm::ReduceOp::average, d);
        for (int k = 0; k < 3; ++k) c.neighbor_average(gx.data(), count, t, k, d);
        x = gx.to_host();
        s = gs.to_host();
      } else {
        c.allreduce(s.data(), count, comm::ReduceOp::average);
        for (int k = 0; k < 3; ++k) c.neighbor_average(x.data(), count, t, k);
      }
      x.insert(x.end(), s.begin(), s.end());
      out[static_cast<std::size_t>(c.rank())] = x;
    });
    return out;
  };
  expect(run(true) == run(false), std::string("8 local nodes on one GPU (") +
                                      (sizeof(T) == 4 ? "float" : "double") +
                                      ") differ from the host run");
}

void buffers_streams_events(const Device& d) {
  Stream a(d), b(d);
  Event e(d);
  DeviceBuffer<float> x(1 << 20, d, &a);
  const auto ops_a = cuda::make_vector_ops<float>(a);
  const auto ops_b = cuda::make_vector_ops<float>(b);
  std::vector<float> ones(1 << 20, 1.0f);
  x.from_host(ones, &a);
  ops_a->axpy(x.size(), 1.0f, x.data(), x.data());  // 2
  e.record(a);
  e.make_wait(b);                                   // b's work after a's doubling
  ops_b->axpy(x.size(), 1.0f, x.data(), x.data());  // 4
  const auto got = x.to_host(&b);
  std::size_t bad = 0;
  for (float v : got) bad += v != 4.0f;
  expect(bad == 0, "event ordering across streams: " + std::to_string(bad) + " values not 4");
  bool threw = false;
  try {
    DeviceBuffer<float> huge(std::size_t{1} << 50, d);  // 4 PiB
  } catch (const Error& err) {
    threw = err.status() == Status::out_of_memory;
  }
  expect(threw, "an impossible allocation is out_of_memory");
}

}  // namespace
}  // namespace decent

int main() {
  using namespace decent;
  if (cuda::device_count() == 0) test::skip_test("no CUDA device");
  cuda::use_cuda_devices();
  const Device d{DeviceKind::cuda, 0};
  Stream stream(d);
  elementwise<float>(stream);
  elementwise<double>(stream);
  segments<float>(stream);
  segments<double>(stream);
  optimizers(stream);
  local_nodes_on_one_gpu<float>(d);
  local_nodes_on_one_gpu<double>(d);
  buffers_streams_events(d);
  return test::finish("vector ops on cuda:0 agree with the CPU");
}
