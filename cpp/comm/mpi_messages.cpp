// The MPI backend's message exchange (compressed gossip): each node's message goes whole to its
// out-neighbours after the same 5-word header as a neighbour average (same tag, so a node that
// averages where its neighbour sends a message is diagnosed by check_header, not left waiting);
// a receiver learns the message's length from the header and then posts its receive.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "comm/mpi.hpp"
#include "core/error.hpp"

namespace decent::comm {
namespace {

constexpr int kHeaderTag = 7101;  // shared with the neighbour average (mpi.cpp)
constexpr int kMessageTag = 7104;

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw CommunicationError(
      fmt::format("{} failed: {}", call, std::string(text, static_cast<std::size_t>(length))));
}

std::string ranks_text(const std::vector<int>& ranks) {
  std::string s;
  for (std::size_t i = 0; i < ranks.size(); ++i) s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s;
}

}  // namespace

void MpiCommunicator::start_messages(Buffer message, const topology::Topology& topology,
                                     std::int64_t step) {
  ensure_usable();
  if (pending_) throw InvalidArgument("message exchange: an exchange is already pending");
  check_exchange_arguments(message, topology, size_, step);
  if (message.count > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw NotSupported(fmt::format(
        "message exchange: a message of {} bytes; MPI counts stop at 2^31 - 1 (compress more)",
        message.count));
  const auto& w = topology.at(step);
  p_ = {message, &topology, step, make_header(message, topology, step, exchanges_)};
  const auto in = w.in_neighbors(rank_);
  received_headers_.resize(in.size());
  if (slots_.size() < in.size()) slots_.resize(in.size());
  requests_.clear();
  request_info_.clear();
  for (std::size_t k = 0; k < in.size(); ++k) {
    requests_.emplace_back();
    request_info_.push_back({in[k].node, false, true, k});
    check(MPI_Irecv(&received_headers_[k], kHeaderWords, MPI_UINT64_T, in[k].node, kHeaderTag,
                    comm_, &requests_.back()),
          "MPI_Irecv");
  }
  for (const auto& e : w.out_neighbors(rank_)) {
    requests_.emplace_back();
    request_info_.push_back({e.node, true, true, 0});
    check(MPI_Isend(&p_.header, kHeaderWords, MPI_UINT64_T, e.node, kHeaderTag, comm_,
                    &requests_.back()),
          "MPI_Isend");
    requests_.emplace_back();
    request_info_.push_back({e.node, true, false, 0});
    check(MPI_Isend(message.data, static_cast<int>(message.count), MPI_BYTE, e.node, kMessageTag,
                    comm_, &requests_.back()),
          "MPI_Isend");
  }
  pending_ = true;
  message_pending_ = true;
}

std::vector<std::vector<unsigned char>> MpiCommunicator::finish_messages() {
  if (!pending_ || !message_pending_)
    throw InvalidArgument(pending_ ? "message exchange: the pending exchange is a neighbour average"
                                   : "message exchange: finish without a pending exchange");
  pending_ = message_pending_ = false;
  const auto in = p_.topology->at(p_.step).in_neighbors(rank_);
  std::vector<int> finished(requests_.size());
  std::vector<MPI_Status> statuses(requests_.size());
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  bool outstanding = true;
  while (outstanding && std::chrono::steady_clock::now() <= deadline) {
    finished.resize(requests_.size());
    statuses.resize(requests_.size());
    int count = 0;
    const int code = MPI_Testsome(static_cast<int>(requests_.size()), requests_.data(), &count,
                                  finished.data(), statuses.data());
    if (code != MPI_SUCCESS && code != MPI_ERR_IN_STATUS) {
      broken_ = true;
      check(code, "message exchange (MPI_Testsome)");
    }
    if (count == MPI_UNDEFINED) {
      outstanding = false;
      break;
    }
    for (int f = 0; f < count; ++f) {
      const auto i = static_cast<std::size_t>(finished[static_cast<std::size_t>(f)]);
      const Request info = request_info_[i];
      if (code == MPI_ERR_IN_STATUS &&
          statuses[static_cast<std::size_t>(f)].MPI_ERROR != MPI_SUCCESS)
        fail_exchange(statuses[static_cast<std::size_t>(f)].MPI_ERROR, info);
      if (info.send || !info.header) continue;
      const auto& theirs = received_headers_[info.index];
      try {  // names a neighbour on another topology, step or kind of exchange
        check_header(p_.header, rank_, theirs, info.peer, *p_.topology);
      } catch (const CommunicationError&) {
        broken_ = true;
        cancel_outstanding();
        throw;
      }
      auto& into = slots_[info.index];
      into.resize(static_cast<std::size_t>(theirs.count));
      requests_.emplace_back();
      request_info_.push_back({info.peer, false, false, info.index});
      check(MPI_Irecv(into.data(), static_cast<int>(into.size()), MPI_BYTE, info.peer, kMessageTag,
                      comm_, &requests_.back()),
            "MPI_Irecv");
    }
    if (count == 0) std::this_thread::yield();
  }
  if (outstanding) {
    broken_ = true;
    std::vector<int> silent, not_taking;
    for (std::size_t i = 0; i < requests_.size(); ++i)
      if (requests_[i] != MPI_REQUEST_NULL) {
        auto& list = request_info_[i].send ? not_taking : silent;
        if (std::find(list.begin(), list.end(), request_info_[i].peer) == list.end())
          list.push_back(request_info_[i].peer);
      }
    cancel_outstanding();
    throw TimeoutError(fmt::format(
        "message exchange at step {}: rank {} waited {:.3g} s;{}{} (a peer that is stuck, gone, "
        "or on another topology or step)",
        p_.step, rank_, static_cast<double>(timeout_.count()) / 1000.0,
        silent.empty() ? "" : fmt::format(" nothing arrived from rank {}", ranks_text(silent)),
        not_taking.empty()
            ? ""
            : fmt::format(" rank {} did not take its message", ranks_text(not_taking))));
  }
  ++exchanges_;
  std::vector<std::vector<unsigned char>> received(in.size());
  for (std::size_t k = 0; k < in.size(); ++k) received[k] = std::move(slots_[k]);
  return received;
}

}  // namespace decent::comm
