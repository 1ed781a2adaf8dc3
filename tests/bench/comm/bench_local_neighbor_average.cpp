// Benchmark: throughput of the local (threads) backend's neighbour averaging, in GB/s of memory
// traffic, against a triad loop (a = b + s c) over the same number of bytes on the same number
// of threads, measured in the same run.
//
// Traffic per node and step with d in-neighbours: the snapshot copy reads and writes x (2
// streams), the mixing reads x and d snapshots and writes x (d + 2 streams): d + 4 streams of
// `count` floats. The triad moves 3 streams.
//
//   build/tests/bench/comm/bench_local_neighbor_average [--nodes N] [--floats F] [--reps R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "comm/local.hpp"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int nodes = 8, reps = 9;
  std::size_t count = 4'000'000;
  for (int a = 1; a + 1 < argc; a += 2) {
    const std::string arg = argv[a];
    if (arg == "--nodes")
      nodes = std::atoi(argv[a + 1]);
    else if (arg == "--floats")
      count = static_cast<std::size_t>(std::atof(argv[a + 1]));
    else if (arg == "--reps")
      reps = std::atoi(argv[a + 1]);
  }
  const double bytes = 4.0 * static_cast<double>(count) * nodes;

  // Baseline: the same threads each running a triad over their own arrays.
  std::vector<double> triad_times;
  {
    std::vector<std::vector<float>> a(static_cast<std::size_t>(nodes),
                                      std::vector<float>(count, 1.0f)),
        b = a, c = a;
    for (int r = 0; r <= reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> threads;
      for (int i = 0; i < nodes; ++i)
        threads.emplace_back([&, i] {
          auto* __restrict pa = a[static_cast<std::size_t>(i)].data();
          const auto* __restrict pb = b[static_cast<std::size_t>(i)].data();
          const auto* __restrict pc = c[static_cast<std::size_t>(i)].data();
          for (std::size_t k = 0; k < count; ++k) pa[k] = pb[k] + 0.5f * pc[k];
        });
      for (auto& t : threads) t.join();
      if (r > 0)
        triad_times.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  const double triad_gbps = 3 * bytes / median(triad_times) / 1e9;
  std::printf("{\"nodes\":%d,\"floats\":%zu,\"op\":\"triad\",\"GBps\":%.2f}\n", nodes, count,
              triad_gbps);

  for (const char* spec : {"one-peer-exp", "ring", "exp"}) {
    const decent::topology::Topology t(spec, nodes);
    std::vector<double> times;
    double degree = 0;
    decent::comm::run_local(nodes, [&](decent::comm::Communicator& c) {
      std::vector<float> x(count, static_cast<float>(c.rank()));
      for (int r = 0; r <= reps; ++r) {
        c.barrier();
        const auto t0 = std::chrono::steady_clock::now();
        c.neighbor_average(x.data(), count, t, r);
        c.barrier();
        if (c.rank() == 0 && r > 0)
          times.push_back(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      if (c.rank() == 0) degree = static_cast<double>(t.at(0).in_neighbors(0).size());
    });
    const double gbps = (degree + 4) * bytes / median(times) / 1e9;
    std::printf("{\"nodes\":%d,\"floats\":%zu,\"op\":\"%s\",\"GBps\":%.2f,\"of_triad\":%.3f}\n",
                nodes, count, spec, gbps, gbps / triad_gbps);
  }
  return 0;
}
