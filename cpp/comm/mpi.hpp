// The `mpi` backend: one rank per process over OpenMPI, on one or many machines.
//
// Neighbour averaging posts non-blocking sends of x to every out-neighbour and receives from
// every in-neighbour (a 32-byte header, then the values in chunks), so directed and time-varying
// graphs cannot deadlock and buffers of any size work. Completion is polled against the
// communicator's timeout; collectives are the non-blocking MPI-3 ones, polled the same way, so a
// rank that never arrives produces an error naming it instead of a hang. The all-reduce sums in
// rank order, exactly as the local backend does, so that both give bit-identical results.
#pragma once

#include <mpi.h>

#include <memory>
#include <utility>
#include <vector>

#include "comm/background_poller.hpp"
#include "comm/communicator.hpp"
#include "comm/exchange.hpp"

namespace decent::comm {

// Initialises MPI for this process if nobody has (thread level FUNNELED) and finalises it on
// destruction if it did. Create one in main() before any MpiCommunicator.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

 private:
  bool owns_ = false;
};

class MpiCommunicator final : public Communicator {
 public:
  // Duplicates `comm` so that decent's messages never match the application's. Collective over
  // `comm`. MPI must be initialised.
  explicit MpiCommunicator(MPI_Comm comm = MPI_COMM_WORLD);
  ~MpiCommunicator() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string_view backend() const override { return "mpi"; }

  void barrier() override;

  // Largest message, in values (1 to INT_MAX; default 64 Ki when every rank is on one host, 8 Ki
  // when they span hosts); larger buffers go as several messages. Not while an exchange is
  // pending.
  void set_chunk(std::size_t values);
  std::size_t chunk() const { return chunk_; }
  // Whether some rank runs on another host (MPI_COMM_TYPE_SHARED splits the ranks).
  bool spans_hosts() const { return spans_hosts_; }
  // Whether a thread moves the data of a started exchange while the caller computes (so that
  // AWC's exchange overlaps the gradient): with MPI_THREAD_MULTIPLE, when the ranks span hosts
  // or DECENT_MPI_PROGRESS=1 (0: never).
  bool progress_thread() const { return poller_ != nullptr; }
  // Of the last finished exchange: how many of its requests the progress thread completed, of
  // how many (the rest completed inside finish_neighbor_average()).
  std::size_t completed_in_background() const { return background_done_; }
  std::size_t exchange_requests() const { return requests_.size(); }
  // The duplicated MPI communicator, for bootstrapping other engines (NCCL).
  MPI_Comm handle() const { return comm_; }

 private:
  struct Request {
    int peer;
    bool send;
    bool header;
    std::size_t index;  // data: chunk index; header receives: in-neighbour index
  };
  static constexpr std::size_t kSlots = 4;  // receive slots per neighbour on one host
  void post_slot_receive(std::size_t neighbor, std::size_t chunk);
  // One MPI_Testsome over the pending exchange's requests, appending what completed to polled_
  // (the progress thread's work, and finish_exchange()'s loop). False once nothing is
  // outstanding, or on an error (in polled_code_).
  bool poll_exchange();
  void allreduce_buffer(Buffer data, ReduceOp op) override;
  void broadcast_buffer(Buffer data, int root) override;
  void start_exchange(Buffer x, const topology::Topology& topology, std::int64_t step) override;
  void finish_exchange() override;
  // Compressed gossip (mpi_messages.cpp): messages whole, after the same header.
  void start_messages(Buffer message, const topology::Topology& topology,
                      std::int64_t step) override;
  std::vector<std::vector<unsigned char>> finish_messages() override;
  // Polls one collective request until done; on timeout names the ranks that did not arrive.
  void wait_collective(MPI_Request& request, const char* what);
  // Checks sizes, then for each chunk of `data`: copies it into staging_, calls run(count),
  // which leaves the chunk's result in staging_, and copies that back.
  template <typename Run>
  void collective_in_chunks(const Buffer& data, const char* what, Run run);
  // Every rank must pass the same count and type to a collective.
  void check_sizes(const Buffer& data, const char* what);
  void ensure_usable() const;
  // Throws the most precise error for a failed exchange request (header mismatch if any).
  [[noreturn]] void fail_exchange(int code, const Request& request);

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  // Values per message (mixed while still in cache): the default depends on where the ranks are.
  static constexpr std::size_t kChunkOnOneHost = std::size_t{1} << 16;
  static constexpr std::size_t kChunkAcrossHosts = std::size_t{1} << 13;
  std::size_t chunk_ = kChunkOnOneHost;
  bool spans_hosts_ = false;  // some rank on another host (not in one shared-memory domain)
  // Across hosts every chunk has a receive slot (a whole copy of x per in-neighbour), so that the
  // transfer can complete while the caller computes; on one host a ring of kSlots, read while
  // still in cache.
  bool whole_receives_ = false;
  std::size_t slots_per_neighbor_ = kSlots;  // of the pending exchange
  // A progress thread during an exchange (MPI_THREAD_MULTIPLE and ranks on other hosts, or
  // DECENT_MPI_PROGRESS=1): see BackgroundPoller.
  std::unique_ptr<BackgroundPoller> poller_;
  std::vector<std::pair<std::size_t, int>> polled_;  // (request, MPI_ERROR) completed
  int polled_code_ = 0;                              // MPI_SUCCESS, or poll_exchange()'s failure
  std::size_t background_done_ = 0;
  // Per-phase totals, printed at destruction when DECENT_COMM_PHASES is set (BENCHMARKS.md).
  double start_seconds_ = 0, finish_seconds_ = 0;
  std::size_t background_total_ = 0, requests_total_ = 0;
  std::vector<int> poll_indices_;
  std::vector<MPI_Status> poll_statuses_;
  std::uint64_t exchanges_ = 0;
  bool broken_ = false;  // after a failed operation the message state is unknown

  // The pending neighbour exchange (of values, or a message exchange).
  bool pending_ = false;
  bool message_pending_ = false;
  PendingExchange p_;
  std::vector<ExchangeHeader> received_headers_;
  std::vector<std::vector<unsigned char>> slots_;  // kSlots chunks per in-neighbour (bytes)
  std::vector<std::size_t> slot_request_;          // position in requests_ of slot (neighbor, s)
  std::vector<MPI_Request> requests_;
  std::vector<Request> request_info_;

  // Every buffer an MPI request may still write into after a timeout: a collective cannot be
  // cancelled, and a late peer completes it later (even inside MPI_Finalize). Collectives work on
  // these instead of the caller's memory, and a broken communicator leaks them on destruction
  // instead of freeing memory that MPI may still write (0.1.0 crashed in MPI_Finalize).
  std::vector<std::uint64_t> sizes_mine_, sizes_all_;  // check_sizes
  std::vector<unsigned char> staging_;                 // allreduce and broadcast values
  std::vector<unsigned char> gathered_, slice_;        // allreduce: everybody's slice, its sum
  // Cancels and frees the outstanding exchange requests (after a failure).
  void cancel_outstanding();
};

}  // namespace decent::comm
