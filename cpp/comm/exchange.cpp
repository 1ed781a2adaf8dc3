#include "comm/exchange.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "core/vector_ops.hpp"

namespace decent::comm {

std::string_view data_type_name(DataType type) {
  switch (type) {
    case DataType::bytes: return "message";
    case DataType::f32: return "float32";
    default: return "float64";
  }
}

ExchangeHeader make_header(const Buffer& x, const topology::Topology& topology, std::int64_t step,
                           std::uint64_t round) {
  return {x.count, x.element_size(), topology.fingerprint(), step, round};
}

void check_header(const ExchangeHeader& mine, int my_rank, const ExchangeHeader& theirs,
                  int their_rank, const topology::Topology& topology) {
  if (theirs.topology != mine.topology)
    throw CommunicationError(
        fmt::format("ranks {} and {} use different topologies (rank {} has \"{}\"{})", my_rank,
                    their_rank, my_rank, topology.name(),
                    topology.kind() == topology::Kind::file
                        ? "; the same file name with other weights counts as another topology"
                        : ""));
  const auto message = static_cast<std::uint64_t>(DataType::bytes);
  if ((theirs.type == message) != (mine.type == message))
    throw CommunicationError(fmt::format(
        "ranks {} and {} disagree on the exchange: rank {} sent {}, rank {} expects {} (do all "
        "nodes run the same algorithm and compressor?)",
        my_rank, their_rank, their_rank,
        theirs.type == message ? "a compressed message" : "values to average", my_rank,
        mine.type == message ? "a compressed message" : "values to average"));
  if (theirs.type != mine.type)
    throw CommunicationError(fmt::format(
        "ranks {} and {} disagree on the value type: rank {} sent {}-byte values, rank {} has "
        "{}-byte values",
        my_rank, their_rank, their_rank, theirs.type, my_rank, mine.type));
  if (theirs.count != mine.count && mine.type != message)  // messages differ in length
    throw CommunicationError(fmt::format(
        "ranks {} and {} disagree on the buffer size: rank {} sent {} values, rank {} has {}",
        my_rank, their_rank, their_rank, theirs.count, my_rank, mine.count));
  if (theirs.step != mine.step || theirs.round != mine.round)
    throw CommunicationError(fmt::format(
        "ranks {} and {} are out of step: rank {} is at step {} (exchange {}), rank {} at step "
        "{} (exchange {})",
        my_rank, their_rank, their_rank, theirs.step, theirs.round, my_rank, mine.step,
        mine.round));
}

namespace {
template <typename T>
void mix_typed(const VectorOps<T>& ops, T* x, std::size_t length, T self_weight,
               std::span<const double> weights, std::span<const void* const> peers) {
  std::vector<const T*> typed(peers.size());
  for (std::size_t k = 0; k < peers.size(); ++k) typed[k] = static_cast<const T*>(peers[k]);
  ops.mix(length, x, self_weight, typed, weights);
}
}  // namespace

void mix(const Buffer& x, std::size_t begin, std::size_t length, double self_weight,
         std::span<const double> weights, std::span<const void* const> peers,
         const VectorOps<float>& f32, const VectorOps<double>& f64) {
  if (x.type == DataType::f32)
    mix_typed(f32, static_cast<float*>(x.data) + begin, length, static_cast<float>(self_weight),
              weights, peers);
  else
    mix_typed(f64, static_cast<double*>(x.data) + begin, length, self_weight, weights, peers);
}

void mix(const Buffer& x, std::size_t begin, std::size_t length, double self_weight,
         std::span<const double> weights, std::span<const void* const> peers) {
  mix(x, begin, length, self_weight, weights, peers, vector_ops_for<float>(x.device),
      vector_ops_for<double>(x.device));
}

void check_same_count(const char* what, int my_rank, std::size_t mine, int their_rank,
                      std::size_t theirs) {
  if (mine != theirs)
    throw CommunicationError(fmt::format(
        "{}: ranks {} and {} disagree on the size: rank {} has {} values, rank {} has {}", what,
        my_rank, their_rank, their_rank, theirs, my_rank, mine));
}

void check_exchange_arguments(const Buffer& x, const topology::Topology& topology, int size,
                              std::int64_t step) {
  check_not_null(x, "neighbour average");
  if (topology.nodes() != size)
    throw InvalidArgument(fmt::format(
        "neighbour average: topology \"{}\" has {} nodes but the communicator has {} ranks",
        topology.name(), topology.nodes(), size));
  if (step < 0) throw OutOfRange(fmt::format("neighbour average: step {}: expected >= 0", step));
}

}  // namespace decent::comm
