// Benchmark (run under mpirun -np 8): time per iteration of decent's neighbour averaging over
// the ring, static exponential and one-peer exponential graphs, against OpenMPI's own
// MPI_Allreduce of the same buffer and a bare MPI_Sendrecv of it to one peer (the transport's
// limit for one-peer exchange), all measured in the same run; and decent's own all-reduce
// against MPI_Allreduce. Prints JSON Lines on rank 0. With --rate-gbit R (each rank's link, full
// duplex, as on the emulated cluster of tests/cluster) every line also gives the bandwidth lower
// bound and the ratio to it: neighbour averaging must push (out-degree x bytes) through the
// sender's link, a Sendrecv (bytes), a ring all-reduce (2 (N-1)/N x bytes).
//
//   mpirun -np 8 build/tests/bench/comm/bench_mpi_neighbor_average [floats ...] [--reps R]
//                                            [--chunk FLOATS] [--rate-gbit R]
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "comm/mpi.hpp"

namespace {

// Median over reps of the slowest rank's time for one call of `op` (after one warm-up call).
double time_per_call(MPI_Comm world, int reps, const std::function<void()>& op) {
  op();
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    MPI_Barrier(world);
    const auto t0 = std::chrono::steady_clock::now();
    op();
    double mine = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double slowest = 0;
    MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, world);
    times.push_back(slowest);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  decent::comm::MpiSession session(&argc, &argv);
  std::vector<std::size_t> sizes;
  int reps = 7;
  std::size_t chunk = 0;
  double rate_gbit = 0;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--reps" && a + 1 < argc)
      reps = std::atoi(argv[++a]);
    else if (arg == "--rate-gbit" && a + 1 < argc)
      rate_gbit = std::atof(argv[++a]);
    else if (arg == "--chunk" && a + 1 < argc)
      chunk = static_cast<std::size_t>(std::atof(argv[++a]));
    else
      sizes.push_back(static_cast<std::size_t>(std::atof(arg.c_str())));
  }
  if (sizes.empty()) sizes = {25'500'000, 2'700'000};  // ResNet-50, and a ResNet-20-sized x10
  decent::comm::MpiCommunicator comm;
  if (chunk > 0) comm.set_chunk(chunk);
  const int rank = comm.rank(), n = comm.size();
  if (rank == 0)
    std::printf("{\"ranks\":%d,\"spans_hosts\":%s,\"chunk\":%zu}\n", n,
                comm.spans_hosts() ? "true" : "false", comm.chunk());
  MPI_Comm world = comm.handle();
  for (std::size_t count : sizes) {
    std::vector<float> x(count, static_cast<float>(rank)), y(count);
    const double bytes = 4.0 * static_cast<double>(count);
    // `copies`: how many times the buffer must leave a rank through its link at least.
    auto report = [&](const char* what, double seconds, double copies) {
      if (rank == 0) {
        std::printf(
            "{\"ranks\":%d,\"floats\":%zu,\"op\":\"%s\",\"seconds\":%.6f,\"GBps_per_rank\":%.3f", n,
            count, what, seconds, bytes / seconds / 1e9);
        if (rate_gbit > 0) {
          const double bound = copies * bytes * 8 / (rate_gbit * 1e9);
          std::printf(",\"rate_gbit\":%g,\"bound_seconds\":%.6f,\"over_bound\":%.3f", rate_gbit,
                      bound, seconds / bound);
        }
        std::printf("}\n");
      }
      std::fflush(stdout);
      return seconds;
    };
    const double ring_allreduce_copies = 2.0 * (n - 1) / n;
    const double allreduce =
        report("MPI_Allreduce",
               time_per_call(world, reps,
                             [&] {
                               MPI_Allreduce(MPI_IN_PLACE, x.data(), static_cast<int>(count),
                                             MPI_FLOAT, MPI_SUM, world);
                             }),
               ring_allreduce_copies);
    // decent's own all-reduce sums in rank order (all-to-all, sum, all-gather, through staging
    // buffers) so as to be bit-identical to the in-process backend: its price against OpenMPI's.
    const double ours =
        report("decent allreduce",
               time_per_call(world, reps,
                             [&] { comm.allreduce(x.data(), count, decent::comm::ReduceOp::sum); }),
               ring_allreduce_copies);
    if (rank == 0)
      std::printf("{\"ranks\":%d,\"floats\":%zu,\"decent_allreduce_over_mpi_allreduce\":%.3f}\n", n,
                  count, ours / allreduce);
    const double sendrecv = report(
        "MPI_Sendrecv",
        time_per_call(world, reps,
                      [&] {
                        MPI_Sendrecv(x.data(), static_cast<int>(count), MPI_FLOAT, (rank + 1) % n,
                                     0, y.data(), static_cast<int>(count), MPI_FLOAT,
                                     (rank + n - 1) % n, 0, world, MPI_STATUS_IGNORE);
                      }),
        1.0);
    double one_peer = 0;
    for (const char* spec : {"ring", "exp", "one-peer-exp"}) {
      const decent::topology::Topology t(spec, n);
      // The busiest link over the period: the largest out-degree of any node at any step.
      std::size_t degree = 0;
      for (std::int64_t k = 0; k < std::max<std::int64_t>(t.period(), 1); ++k)
        for (int r = 0; r < n; ++r) degree = std::max(degree, t.at(k).out_neighbors(r).size());
      std::int64_t step = 0;
      const double s = report(
          spec,
          time_per_call(world, reps, [&] { comm.neighbor_average(x.data(), count, t, step++); }),
          static_cast<double>(degree));
      if (std::string(spec) == "one-peer-exp") one_peer = s;
    }
    if (rank == 0)
      std::printf(
          "{\"ranks\":%d,\"floats\":%zu,\"one_peer_over_allreduce\":%.3f,\"one_peer_over_"
          "sendrecv\":%.3f}\n",
          n, count, one_peer / allreduce, one_peer / sendrecv);
  }
  return 0;
}
