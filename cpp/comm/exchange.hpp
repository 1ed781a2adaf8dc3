// Pieces every backend shares for neighbour averaging: the header that lets a receiver check it
// agrees with the sender, and the mixing kernel. Using one kernel, with the neighbours in the
// topology's order, makes the local and MPI backends give bit-identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "comm/communicator.hpp"
#include "core/vector_ops.hpp"
#include "topology/topology.hpp"

namespace decent::comm {

// Sent ahead of the values; five 64-bit words.
struct ExchangeHeader {
  std::uint64_t count = 0;     // values in the buffer
  std::uint64_t type = 0;      // element size in bytes (DataType)
  std::uint64_t topology = 0;  // Topology::fingerprint(): its name and every weight
  std::int64_t step = 0;       // the step whose W is applied
  std::uint64_t round = 0;     // how many exchanges this rank had started before
};
inline constexpr int kHeaderWords = sizeof(ExchangeHeader) / sizeof(std::uint64_t);

ExchangeHeader make_header(const Buffer& x, const topology::Topology& topology, std::int64_t step,
                           std::uint64_t round);

// Throws CommunicationError naming both ranks and what differs, if `theirs` (sent by
// their_rank) does not match `mine`.
void check_header(const ExchangeHeader& mine, int my_rank, const ExchangeHeader& theirs,
                  int their_rank, const topology::Topology& topology);

// x[begin, begin+length) <- self_weight * x + sum_k weights[k] * peers[k][0, length), in the
// buffer's type, by the VectorOps of the buffer's device (on the CPU in blocks that stay in the
// L1 cache, so that each input is read from memory once). peers[k] points at the neighbour's
// values for the same range, in the same device's memory.
void mix(const Buffer& x, std::size_t begin, std::size_t length, double self_weight,
         std::span<const double> weights, std::span<const void* const> peers);
// The same with the given ops (code that queues work on a stream of its own: NCCL).
void mix(const Buffer& x, std::size_t begin, std::size_t length, double self_weight,
         std::span<const double> weights, std::span<const void* const> peers,
         const VectorOps<float>& f32, const VectorOps<double>& f64);

// The exchange a node has started and not yet finished.
struct PendingExchange {
  Buffer x;
  const topology::Topology* topology = nullptr;
  std::int64_t step = 0;
  ExchangeHeader header;
};

// Throws CommunicationError "WHAT: ranks a and b disagree on the size: ..." when a collective's
// participants pass different counts.
void check_same_count(const char* what, int my_rank, std::size_t mine, int their_rank,
                      std::size_t theirs);

// Checks the arguments every backend's start_exchange() receives.
void check_exchange_arguments(const Buffer& x, const topology::Topology& topology, int size,
                              std::int64_t step);

}  // namespace decent::comm
