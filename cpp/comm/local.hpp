// The `local` backend: N nodes as threads of one process, the embedded default (no launcher).
//
// Buffers may be in host memory or, when the program has a CUDA backend, in the memory of one
// device that all nodes share: copies, sums and mixing then run on that device through its
// DeviceBackend and VectorOps, with the same arithmetic in the same order (so the same results
// as on the host), and each hand-over between nodes waits for the device.
//
// Neighbour averaging is double-buffered: at start a node copies x into its snapshot for this
// exchange's parity; at finish it mixes its neighbours' snapshots of the same exchange. A node
// reuses a parity only after every reader of that snapshot has finished with it, so a result is
// always exactly W x of the values at the start.
#pragma once

#include <functional>
#include <memory>

#include "comm/communicator.hpp"
#include "comm/exchange.hpp"

namespace decent::comm {

class LocalGroup;

class LocalCommunicator final : public Communicator {
 public:
  LocalCommunicator(std::shared_ptr<LocalGroup> group, int rank);
  ~LocalCommunicator() override;

  int rank() const override { return rank_; }
  int size() const override;
  std::string_view backend() const override { return "local"; }
  // Host memory, and device memory when the program has that device's backend (nodes that
  // share one GPU): every rank's buffer must then be on the same device.
  bool takes(const Device& device) const override;

  void barrier() override;

 protected:
  void allreduce_buffer(Buffer data, ReduceOp op) override;
  void broadcast_buffer(Buffer data, int root) override;
  void start_exchange(Buffer x, const topology::Topology& topology, std::int64_t step) override;
  void finish_exchange() override;
  void start_messages(Buffer message, const topology::Topology& topology,
                      std::int64_t step) override;
  std::vector<std::vector<unsigned char>> finish_messages() override;

 private:
  void publish(Buffer x, const topology::Topology& topology, std::int64_t step);
  template <typename Use>
  void collect(const PendingExchange& p, Use use);
  PendingExchange take_pending(bool message);
  template <typename T>
  void sum_slice(Buffer data, ReduceOp op);

  std::shared_ptr<LocalGroup> group_;
  int rank_;
  std::uint64_t exchanges_ = 0;
  std::unique_ptr<PendingExchange> pending_;
};

// Runs fn on `nodes` threads, each with its own LocalCommunicator (rank = thread index), and
// waits for all. If a node throws, the nodes waiting on it are woken with a CommunicationError
// and, once all threads have ended, the first failure is rethrown with its rank in the message.
void run_local(int nodes, const std::function<void(Communicator&)>& fn,
               std::chrono::milliseconds timeout = default_timeout());

}  // namespace decent::comm
