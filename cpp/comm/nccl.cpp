#include "comm/nccl.hpp"

#include <cuda_runtime.h>
#include <fmt/format.h>
#include <nccl.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "comm/exchange.hpp"
#include "core/error.hpp"
#include "kernels/cuda/cuda_vector_ops.hpp"

namespace decent::comm {
namespace {

void check_cuda(cudaError_t code, const char* what) {
  if (code != cudaSuccess)
    throw CommunicationError(fmt::format("{}: CUDA error: {}", what, cudaGetErrorString(code)));
}

void check_nccl(ncclResult_t code, const char* what) {
  if (code != ncclSuccess && code != ncclInProgress)
    throw CommunicationError(fmt::format("{}: NCCL error: {}", what, ncclGetErrorString(code)));
}

// Device memory that frees itself.
struct DeviceBuffer {
  void* data = nullptr;
  std::size_t bytes = 0;
  void reserve(std::size_t n) {
    if (n <= bytes) return;
    if (data) cudaFree(data);
    data = nullptr;
    bytes = 0;
    check_cuda(cudaMalloc(&data, n), "cudaMalloc");
    bytes = n;
  }
  ~DeviceBuffer() {
    if (data) cudaFree(data);
  }
};

}  // namespace

struct NcclCommunicator::Impl {
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  int rank = 0, size = 1, device = 0;
  bool broken = false;
  std::uint64_t exchanges = 0;
  bool pending = false;
  PendingExchange p;
  DeviceBuffer header_out, headers_in, scratch;
  std::vector<DeviceBuffer> received;
  // The mixing, queued on `stream` behind the receives.
  std::unique_ptr<VectorOps<float>> ops_f32;
  std::unique_ptr<VectorOps<double>> ops_f64;

  // Joins the NCCL communicator of `id` as rank/size and creates the stream and its ops.
  void connect(const ncclUniqueId& id) {
    check_nccl(ncclCommInitRank(&comm, size, id, rank), "ncclCommInitRank");
    check_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    const Device gpu{DeviceKind::cuda, device};
    ops_f32 = cuda::make_vector_ops<float>(gpu, stream);
    ops_f64 = cuda::make_vector_ops<double>(gpu, stream);
  }

  // Polls the stream until the queued work is done; aborts NCCL and throws after `timeout`.
  void wait(std::chrono::milliseconds timeout, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const cudaError_t q = cudaStreamQuery(stream);
      if (q == cudaSuccess) return;
      if (q != cudaErrorNotReady) {
        broken = true;
        check_cuda(q, what.c_str());
      }
      ncclResult_t async = ncclSuccess;
      ncclCommGetAsyncError(comm, &async);
      if (async != ncclSuccess && async != ncclInProgress) {
        broken = true;
        ncclCommAbort(comm);
        comm = nullptr;
        check_nccl(async, what.c_str());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        broken = true;
        ncclCommAbort(comm);
        comm = nullptr;
        throw TimeoutError(fmt::format("{}: rank {} waited {:.3g} s", what, rank,
                                       static_cast<double>(timeout.count()) / 1000.0));
      }
      std::this_thread::yield();
    }
  }
  void usable() const {
    if (broken || comm == nullptr)
      throw CommunicationError("this NCCL communicator failed earlier and cannot be used again");
  }
};

void NcclCommunicator::open_device(int device) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    cudaGetLastError();
    throw NotSupported("nccl backend: this process sees no CUDA device");
  }
  if (device < 0) {
    const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
    device = (local ? std::atoi(local) : 0) % devices;
  }
  if (device >= devices)
    throw InvalidArgument(fmt::format("nccl backend: device {}: only {} visible", device, devices));
  impl_->device = device;
  check_cuda(cudaSetDevice(device), "cudaSetDevice");
}

#if DECENT_HAVE_MPI
NcclCommunicator::NcclCommunicator(MpiCommunicator& bootstrap, int device)
    : impl_(std::make_unique<Impl>()) {
  open_device(device);
  auto& s = *impl_;
  s.rank = bootstrap.rank();
  s.size = bootstrap.size();
  ncclUniqueId id;
  if (s.rank == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  if (MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, bootstrap.handle()) != MPI_SUCCESS)
    throw CommunicationError("nccl backend: broadcasting the NCCL id over MPI failed");
  s.connect(id);
}
#endif

NcclCommunicator::NcclCommunicator(Single, int device) : impl_(std::make_unique<Impl>()) {
  if (device < 0) throw InvalidArgument(fmt::format("nccl backend: device {}", device));
  open_device(device);
  auto& s = *impl_;
  s.rank = 0;
  s.size = 1;
  ncclUniqueId id;
  check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  s.connect(id);
}

std::unique_ptr<NcclCommunicator> NcclCommunicator::single(int device) {
  return std::unique_ptr<NcclCommunicator>(new NcclCommunicator(Single{}, device));
}

NcclCommunicator::~NcclCommunicator() {
  auto& s = *impl_;
  if (s.comm) (s.broken ? ncclCommAbort(s.comm) : ncclCommDestroy(s.comm));
  if (s.stream) cudaStreamDestroy(s.stream);
}

int NcclCommunicator::rank() const {
  return impl_->rank;
}
int NcclCommunicator::size() const {
  return impl_->size;
}
int NcclCommunicator::device() const {
  return impl_->device;
}

namespace {

ncclDataType_t nccl_type(DataType type) {
  return type == DataType::f32 ? ncclFloat : ncclDouble;
}

}  // namespace

void NcclCommunicator::allreduce_buffer(Buffer data, ReduceOp op) {
  auto& s = *impl_;
  s.usable();
  check_nccl(ncclAllReduce(data.data, data.data, data.count, nccl_type(data.type),
                           op == ReduceOp::sum ? ncclSum : ncclAvg, s.comm, s.stream),
             "allreduce");
  s.wait(timeout_, "allreduce");
}

void NcclCommunicator::broadcast_buffer(Buffer data, int root) {
  auto& s = *impl_;
  s.usable();
  check_nccl(
      ncclBroadcast(data.data, data.data, data.count, nccl_type(data.type), root, s.comm, s.stream),
      "broadcast");
  s.wait(timeout_, "broadcast");
}

void NcclCommunicator::barrier() {
  auto& s = *impl_;
  s.usable();
  s.scratch.reserve(sizeof(float));
  check_nccl(ncclAllReduce(s.scratch.data, s.scratch.data, 1, ncclFloat, ncclSum, s.comm, s.stream),
             "barrier");
  s.wait(timeout_, "barrier");
}

void NcclCommunicator::start_exchange(Buffer x, const topology::Topology& topology,
                                      std::int64_t step) {
  auto& s = *impl_;
  s.usable();
  if (s.pending) throw InvalidArgument("neighbour average: an exchange is already pending");
  check_exchange_arguments(x, topology, s.size, step);
  const auto& w = topology.at(step);
  const auto in = w.in_neighbors(s.rank);
  const auto out = w.out_neighbors(s.rank);
  s.p = {x, &topology, step, make_header(x, topology, step, s.exchanges)};
  s.header_out.reserve(sizeof(ExchangeHeader));
  s.headers_in.reserve(sizeof(ExchangeHeader) * std::max<std::size_t>(1, in.size()));
  if (s.received.size() < in.size()) s.received.resize(in.size());
  for (std::size_t k = 0; k < in.size(); ++k) s.received[k].reserve(x.bytes());
  check_cuda(cudaMemcpyAsync(s.header_out.data, &s.p.header, sizeof s.p.header,
                             cudaMemcpyHostToDevice, s.stream),
             "neighbour average");
  // Headers in one group, values in a second: a size mismatch is caught before the values move.
  auto* headers_in = static_cast<ExchangeHeader*>(s.headers_in.data);
  check_nccl(ncclGroupStart(), "ncclGroupStart");
  for (std::size_t k = 0; k < in.size(); ++k)
    check_nccl(ncclRecv(headers_in + k, kHeaderWords, ncclUint64, in[k].node, s.comm, s.stream),
               "ncclRecv");
  for (const auto& e : out)
    check_nccl(ncclSend(s.header_out.data, kHeaderWords, ncclUint64, e.node, s.comm, s.stream),
               "ncclSend");
  check_nccl(ncclGroupEnd(), "ncclGroupEnd");
  s.wait(timeout_, fmt::format("neighbour average headers at step {}", step));
  std::vector<ExchangeHeader> received(in.size());
  if (!in.empty())
    check_cuda(cudaMemcpy(received.data(), headers_in, in.size() * sizeof(ExchangeHeader),
                          cudaMemcpyDeviceToHost),
               "neighbour average");
  for (std::size_t k = 0; k < in.size(); ++k)
    check_header(s.p.header, s.rank, received[k], in[k].node, topology);
  check_nccl(ncclGroupStart(), "ncclGroupStart");
  for (std::size_t k = 0; k < in.size(); ++k)
    check_nccl(
        ncclRecv(s.received[k].data, x.count, nccl_type(x.type), in[k].node, s.comm, s.stream),
        "ncclRecv");
  for (const auto& e : out)
    check_nccl(ncclSend(x.data, x.count, nccl_type(x.type), e.node, s.comm, s.stream), "ncclSend");
  check_nccl(ncclGroupEnd(), "ncclGroupEnd");
  s.pending = true;
}

void NcclCommunicator::finish_exchange() {
  auto& s = *impl_;
  if (!s.pending) throw InvalidArgument("neighbour average: finish without a pending exchange");
  s.pending = false;
  const auto& w = s.p.topology->at(s.p.step);
  const auto in = w.in_neighbors(s.rank);
  std::vector<const void*> peers;
  std::vector<double> weights;
  for (std::size_t k = 0; k < in.size(); ++k) {
    peers.push_back(s.received[k].data);
    weights.push_back(in[k].weight);
  }
  // The kernel is queued behind the receives on the same stream.
  mix(s.p.x, 0, s.p.x.count, w.self_weight(s.rank), weights, peers, *s.ops_f32, *s.ops_f64);
  s.wait(timeout_, fmt::format("neighbour average at step {}", s.p.step));
  ++s.exchanges;
}

}  // namespace decent::comm
