// The `nccl` backend: one GPU per MPI rank (or a single rank without MPI); all buffers are
// device pointers.
//
// Neighbour averaging is one NCCL group of ncclSend (to every out-neighbour) and ncclRecv (from
// every in-neighbour) on the communicator's own stream, headers first, then a mixing kernel on
// the same stream. Completion is polled with cudaStreamQuery and ncclCommGetAsyncError against
// the timeout; on timeout the NCCL communicator is aborted and the error names the peers.
#pragma once

#include <memory>

#include "comm/communicator.hpp"
#if DECENT_HAVE_MPI
#include "comm/mpi.hpp"
#endif

namespace decent::comm {

class NcclCommunicator final : public Communicator {
 public:
  // Bootstraps over `bootstrap` (collective over its ranks). device < 0: the node-local rank
  // (OMPI_COMM_WORLD_LOCAL_RANK) modulo the visible devices. Throws NotSupported when this
  // process sees no CUDA device.
#if DECENT_HAVE_MPI
  explicit NcclCommunicator(MpiCommunicator& bootstrap, int device = -1);
#endif
  // A communicator of one rank on `device`, without MPI (a single-GPU run, and the device
  // check on a machine without MPI).
  static std::unique_ptr<NcclCommunicator> single(int device = 0);
  ~NcclCommunicator() override;

  int rank() const override;
  int size() const override;
  std::string_view backend() const override {
    return "nccl";
  }
  DeviceKind memory() const override {
    return DeviceKind::cuda;
  }
  int device() const;

  void barrier() override;

  struct Impl;  // CUDA and NCCL state, kept out of this header

 protected:
  void allreduce_buffer(Buffer data, ReduceOp op) override;
  void broadcast_buffer(Buffer data, int root) override;
  void start_exchange(Buffer x, const topology::Topology& topology, std::int64_t step) override;
  void finish_exchange() override;

 private:
  struct Single {};
  NcclCommunicator(Single, int device);
  // Selects the device and creates the stream; rank and size are set.
  void open_device(int device);
  std::unique_ptr<Impl> impl_;
};

}  // namespace decent::comm
