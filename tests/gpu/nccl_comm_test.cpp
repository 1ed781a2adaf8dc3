// The NCCL communicator on real GPUs, one per rank (mpirun -np G with G GPUs). Skips with exit
// code 77 and a message when this machine has no CUDA device.
#include <cuda_runtime.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "../common/comm_reference.hpp"
#include "comm/nccl.hpp"
#include "core/error.hpp"

namespace {

int failures = 0, passes = 0;

void check(bool ok, const char* what, int rank) {
  if (ok) {
    ++passes;
  } else {
    ++failures;
    std::printf("rank %d: FAILED: %s\n", rank, what);
  }
}

}  // namespace

int main(int argc, char** argv) {
  decent::comm::MpiSession session(&argc, &argv);
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("SKIP: no CUDA device on this machine\n");
    return 77;
  }
  decent::comm::MpiCommunicator mpi;
  decent::comm::NcclCommunicator nccl(mpi);
  const int n = nccl.size(), rank = nccl.rank();
  const std::size_t count = 1000003;
  for (const char* spec : {"ring", "exp", "one-peer-exp", "full"}) {
    const decent::topology::Topology t(spec, n);
    const auto x0 = decent::test::start_vectors(n, count, 11);
    const auto expected = decent::test::reference_after(t, x0, 3);
    float* device_x = nullptr;
    cudaMalloc(&device_x, count * sizeof(float));
    cudaMemcpy(device_x, x0[static_cast<std::size_t>(rank)].data(), count * sizeof(float),
               cudaMemcpyHostToDevice);
    for (int k = 0; k < 3; ++k)
      nccl.neighbor_average(device_x, count, t, k, decent::Device{decent::DeviceKind::cuda, 0});
    std::vector<float> x(count);
    cudaMemcpy(x.data(), device_x, count * sizeof(float), cudaMemcpyDeviceToHost);
    cudaFree(device_x);
    check(decent::test::max_abs_difference(x, expected[static_cast<std::size_t>(rank)]) < 1e-5,
          spec, rank);
  }
  float* device_v = nullptr;
  cudaMalloc(&device_v, sizeof(float));
  const float mine = static_cast<float>(rank + 1);
  cudaMemcpy(device_v, &mine, sizeof mine, cudaMemcpyHostToDevice);
  nccl.allreduce(device_v, 1, decent::comm::ReduceOp::sum,
                 decent::Device{decent::DeviceKind::cuda, 0});
  float sum = 0;
  cudaMemcpy(&sum, device_v, sizeof sum, cudaMemcpyDeviceToHost);
  cudaFree(device_v);
  check(sum == static_cast<float>(n * (n + 1) / 2), "allreduce", rank);
  nccl.barrier();
  std::printf("rank %d on device %d: %d passed, %d failed\n", rank, nccl.device(), passes,
              failures);
  return failures == 0 ? 0 : 1;
}
