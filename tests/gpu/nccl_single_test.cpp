// The NCCL communicator with one rank and no MPI (NcclCommunicator::single): on one GPU the
// collectives and the neighbour average are the identity, which checks the whole path (headers,
// send/receive groups, the mixing kernel, waiting against the timeout) without a second GPU.
// Exits 77 (skipped) without a device.
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

#include "comm/nccl.hpp"
#include "core/error.hpp"
#include "tests/common/skip.hpp"

int main() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0)
    decent::test::skip_test("no CUDA device");
  auto nccl = decent::comm::NcclCommunicator::single(0);
  const decent::Device gpu{decent::DeviceKind::cuda, 0};
  int failures = 0;
  const auto expect = [&](bool ok, const char* what) {
    if (!ok) std::printf("FAILED: %s\n", what), ++failures;
  };
  expect(nccl->rank() == 0 && nccl->size() == 1, "one rank");
  const std::size_t count = 1000003;
  std::vector<float> host(count);
  for (std::size_t i = 0; i < count; ++i) host[i] = static_cast<float>(i % 1000) * 0.5f - 7.0f;
  float* x = nullptr;
  if (cudaMalloc(&x, count * sizeof(float)) != cudaSuccess) return 1;
  const auto load = [&] {
    cudaMemcpy(x, host.data(), count * sizeof(float), cudaMemcpyHostToDevice);
  };
  const auto same = [&] {
    std::vector<float> back(count);
    cudaMemcpy(back.data(), x, count * sizeof(float), cudaMemcpyDeviceToHost);
    return back == host;
  };
  load();
  nccl->allreduce(x, count, decent::comm::ReduceOp::sum, gpu);
  expect(same(), "allreduce sum over one rank is the identity");
  nccl->allreduce(x, count, decent::comm::ReduceOp::average, gpu);
  expect(same(), "allreduce average over one rank is the identity");
  nccl->broadcast(x, count, 0, gpu);
  expect(same(), "broadcast from rank 0 is the identity");
  const decent::topology::Topology one("ring", 1);
  for (int k = 0; k < 3; ++k) nccl->neighbor_average(x, count, one, k, gpu);
  expect(same(), "the neighbour average of one node is x (W = 1)");
  nccl->barrier();
  bool refused = false;
  try {
    nccl->allreduce(host.data(), count, decent::comm::ReduceOp::sum);  // a host buffer
  } catch (const decent::NotSupported&) {
    refused = true;
  }
  expect(refused, "a host buffer is refused");
  cudaFree(x);
  if (failures) return 1;
  std::printf("nccl with one rank on cuda:0: every check passed\n");
  return 0;
}
