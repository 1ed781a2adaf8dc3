#include "comm/local.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "comm/exchange.hpp"
#include "core/error.hpp"
#include "core/vector_ops.hpp"

namespace decent::comm {
namespace {

// The hand-over point between nodes on a device: their earlier work there is done (nothing to
// wait for on the CPU).
void sync(const Device& d) {
  device_backend(d.kind).synchronize_device(d);
}

void copy_bytes(const Device& d, void* to, const void* from, std::size_t bytes) {
  if (bytes > 0) device_backend(d.kind).copy(d, to, from, bytes, false, false, nullptr);
}

void check_same_device(const char* what, int rank, const Device& mine, int other_rank,
                       const Device& theirs) {
  if (!(mine == theirs))
    throw CommunicationError(fmt::format(
        "{}: ranks {} and {} have buffers on different devices ({} and {}); in-process nodes "
        "share host memory or one device",
        what, rank, other_rank, to_string(mine), to_string(theirs)));
}

}  // namespace

// State shared by the nodes of one in-process run. Everything is guarded by `mutex`, except the
// snapshot contents, whose hand-over is ordered by the published/consumed counters.
class LocalGroup {
 public:
  struct Node {
    std::vector<unsigned char> snapshot[2];  // bytes of the exchange's values (host buffers)
    DeviceMemory device_snapshot[2];         // ... or on the buffers' device
    Device snapshot_device[2];
    ExchangeHeader header[2];
    std::vector<int> readers[2];  // who reads snapshot[p] (out-neighbours at its step)
    std::uint64_t published = 0;  // exchanges whose snapshot is ready
    std::uint64_t consumed = 0;   // exchanges this node has finished mixing
    std::uint64_t arrivals = 0;   // rendezvous (collective phases) reached
    const void* data = nullptr;   // the buffer offered to the current collective
    std::size_t count = 0;
    DataType type = DataType::f32;
    Device device{};
    bool left = false;  // fn returned or threw: it will not arrive again
  };

  explicit LocalGroup(int size)
      : nodes(static_cast<std::size_t>(size)),
        wakeups(std::make_unique<std::condition_variable[]>(static_cast<std::size_t>(size))) {}
  int size() const { return static_cast<int>(nodes.size()); }

  // Each node sleeps on its own condition variable, and a change wakes only the nodes that can
  // be waiting for it: with many nodes on few cores, waking everyone costs more than the work.
  void wake(int rank) { wakeups[static_cast<std::size_t>(rank)].notify_one(); }
  void wake_all() {
    for (int r = 0; r < size(); ++r) wake(r);
  }

  // Waits until first_missing() returns -1 (no rank missing). Fails at once if the run was
  // aborted or the missing rank has left, and after `timeout` otherwise, naming the rank.
  template <typename FirstMissing, typename Describe>
  void wait(std::unique_lock<std::mutex>& lock, int rank, std::chrono::milliseconds timeout,
            FirstMissing first_missing, Describe describe) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (aborted) throw CommunicationError(*aborted);
      const int missing = first_missing();
      if (missing < 0) return;
      if (nodes[static_cast<std::size_t>(missing)].left)
        throw CommunicationError(
            fmt::format("{}, but rank {} has left the run", describe(missing), missing));
      if (wakeups[static_cast<std::size_t>(rank)].wait_until(lock, deadline) ==
              std::cv_status::timeout &&
          first_missing() >= 0 && !aborted)
        throw TimeoutError(fmt::format("{}: no answer within {:.3g} s", describe(first_missing()),
                                       static_cast<double>(timeout.count()) / 1000.0));
    }
  }

  // All ranks meet; each must have called rendezvous the same number of times.
  void rendezvous(std::unique_lock<std::mutex>& lock, int rank, std::chrono::milliseconds timeout,
                  const char* what) {
    auto& me = nodes[static_cast<std::size_t>(rank)];
    const auto target = ++me.arrivals;
    auto first_missing = [&] {
      for (int r = 0; r < size(); ++r)
        if (nodes[static_cast<std::size_t>(r)].arrivals < target) return r;
      return -1;
    };
    if (first_missing() < 0) wake_all();  // the last to arrive releases everyone
    wait(lock, rank, timeout, first_missing,
         [&](int r) { return fmt::format("{}: rank {} waited for rank {}", what, rank, r); });
  }

  // Offers this rank's buffer to a collective, meets the others, and checks that all offered
  // the same count.
  void offer(std::unique_lock<std::mutex>& lock, int rank, const Buffer& data,
             std::chrono::milliseconds timeout, const char* what) {
    auto& me = nodes[static_cast<std::size_t>(rank)];
    me.data = data.data;
    me.count = data.count;
    me.type = data.type;
    me.device = data.device;
    rendezvous(lock, rank, timeout, what);
    for (int r = 0; r < size(); ++r) {
      const auto& other = nodes[static_cast<std::size_t>(r)];
      check_same_device(what, rank, data.device, r, other.device);
      if (other.type != data.type)
        throw CommunicationError(fmt::format(
            "{}: ranks {} and {} disagree on the value type: rank {} has {}, rank {} has {}", what,
            rank, r, r, data_type_name(other.type), rank, data_type_name(data.type)));
      check_same_count(what, rank, data.count, r, other.count);
    }
  }

  std::mutex mutex;
  std::vector<Node> nodes;
  std::unique_ptr<std::condition_variable[]> wakeups;
  std::vector<unsigned char> scratch;  // allreduce result, in the reduced type
  DeviceMemory device_scratch;         // ... for buffers on a device
  std::optional<std::string> aborted;
};

LocalCommunicator::LocalCommunicator(std::shared_ptr<LocalGroup> group, int rank)
    : group_(std::move(group)), rank_(rank) {}

LocalCommunicator::~LocalCommunicator() = default;

bool LocalCommunicator::takes(const Device& device) const {
  return device.is_cpu() || has_device_backend(device.kind);
}

int LocalCommunicator::size() const {
  return group_->size();
}

// Rank r sums slice r over all ranks in rank order: deterministic, and the work is shared. On
// the host or on the buffers' device alike: zero, add each rank's slice in rank order (y += 1 x
// is exactly y + x), divide for the average.
template <typename T>
void LocalCommunicator::sum_slice(Buffer data, ReduceOp op) {
  auto& g = *group_;
  T* result = static_cast<T*>(data.device.is_cpu() ? static_cast<void*>(g.scratch.data())
                                                   : g.device_scratch.data());
  const std::size_t n = static_cast<std::size_t>(size());
  const std::size_t begin = data.count * static_cast<std::size_t>(rank_) / n;
  const std::size_t end = data.count * (static_cast<std::size_t>(rank_) + 1) / n;
  if (end == begin) return;
  const auto& ops = vector_ops_for<T>(data.device);
  device_backend(data.device.kind)
      .fill_zero(data.device, result + begin, (end - begin) * sizeof(T), nullptr);
  for (std::size_t r = 0; r < n; ++r)
    ops.axpy(end - begin, T{1}, static_cast<const T*>(g.nodes[r].data) + begin, result + begin);
  if (op == ReduceOp::average) ops.divide(end - begin, static_cast<T>(n), result + begin);
}

void LocalCommunicator::allreduce_buffer(Buffer data, ReduceOp op) {
  auto& g = *group_;
  const bool host = data.device.is_cpu();
  sync(data.device);  // the values are final before the others read them
  std::unique_lock lock(g.mutex);
  g.offer(lock, rank_, data, timeout_, "allreduce");
  if (rank_ == 0) {
    if (host)
      g.scratch.resize(data.bytes());
    else
      g.device_scratch.ensure(data.device, data.bytes());
  }
  g.rendezvous(lock, rank_, timeout_, "allreduce");
  lock.unlock();
  if (data.type == DataType::f32)
    sum_slice<float>(data, op);
  else
    sum_slice<double>(data, op);
  sync(data.device);
  lock.lock();
  g.rendezvous(lock, rank_, timeout_, "allreduce");
  lock.unlock();
  copy_bytes(data.device, data.data, host ? g.scratch.data() : g.device_scratch.data(),
             data.bytes());
  sync(data.device);
  lock.lock();
  g.rendezvous(lock, rank_, timeout_, "allreduce");  // scratch is free again
}

void LocalCommunicator::broadcast_buffer(Buffer data, int root) {
  auto& g = *group_;
  sync(data.device);
  std::unique_lock lock(g.mutex);
  g.offer(lock, rank_, data, timeout_, "broadcast");
  const auto& from = g.nodes[static_cast<std::size_t>(root)];
  lock.unlock();
  if (rank_ != root) copy_bytes(data.device, data.data, from.data, data.bytes());
  sync(data.device);
  lock.lock();
  g.rendezvous(lock, rank_, timeout_, "broadcast");
}

void LocalCommunicator::barrier() {
  std::unique_lock lock(group_->mutex);
  group_->rendezvous(lock, rank_, timeout_, "barrier");
}

void LocalCommunicator::start_exchange(Buffer x, const topology::Topology& topology,
                                       std::int64_t step) {
  if (pending_) throw InvalidArgument("neighbour average: an exchange is already pending");
  check_exchange_arguments(x, topology, size(), step);
  publish(x, topology, step);
}

void LocalCommunicator::start_messages(Buffer message, const topology::Topology& topology,
                                       std::int64_t step) {
  if (pending_) throw InvalidArgument("message exchange: an exchange is already pending");
  check_exchange_arguments(message, topology, size(), step);
  publish(message, topology, step);
}

// Copies x into this node's snapshot of the exchange's parity (once the readers of that
// parity's previous snapshot, exchange round - 2, are done with it) and publishes it.
void LocalCommunicator::publish(Buffer x, const topology::Topology& topology, std::int64_t step) {
  auto& g = *group_;
  auto& me = g.nodes[static_cast<std::size_t>(rank_)];
  const std::uint64_t round = exchanges_;
  const std::size_t parity = round & 1;
  const ExchangeHeader header = make_header(x, topology, step, round);

  std::unique_lock lock(g.mutex);
  const auto readers = me.readers[parity];
  g.wait(
      lock, rank_, timeout_,
      [&] {
        for (int r : readers)
          if (g.nodes[static_cast<std::size_t>(r)].consumed + 1 < round) return r;
        return -1;
      },
      [&](int r) {
        return fmt::format("neighbour average: rank {} waited for rank {} to finish exchange {}",
                           rank_, r, round - 2);
      });
  lock.unlock();
  if (x.device.is_cpu()) {
    const auto* bytes = static_cast<const unsigned char*>(x.data);
    me.snapshot[parity].assign(bytes, bytes + x.bytes());
  } else {
    sync(x.device);  // x is final
    me.device_snapshot[parity].ensure(x.device, x.bytes());
    copy_bytes(x.device, me.device_snapshot[parity].data(), x.data, x.bytes());
    sync(x.device);  // the snapshot is complete before it is published
  }
  me.snapshot_device[parity] = x.device;
  std::vector<int> next_readers;
  for (const auto& e : topology.at(step).out_neighbors(rank_)) next_readers.push_back(e.node);
  lock.lock();
  me.header[parity] = header;
  me.readers[parity] = next_readers;
  me.published = round + 1;
  for (int r : next_readers) g.wake(r);  // they may wait for these values
  pending_ = std::make_unique<PendingExchange>(PendingExchange{x, &topology, step, header});
}

// Waits for the in-neighbours' snapshots of the pending exchange, checks their headers and
// calls use(peers, weights) with the snapshots (in the topology's order) outside the lock; then
// marks the exchange consumed.
template <typename Use>
void LocalCommunicator::collect(const PendingExchange& p, Use use) {
  auto& g = *group_;
  const std::size_t parity = p.header.round & 1;
  const auto& w = p.topology->at(p.step);
  const auto in = w.in_neighbors(rank_);

  std::unique_lock lock(g.mutex);
  g.wait(
      lock, rank_, timeout_,
      [&] {
        for (const auto& e : in)
          if (g.nodes[static_cast<std::size_t>(e.node)].published <= p.header.round) return e.node;
        return -1;
      },
      [&](int r) {
        return fmt::format(
            "neighbour average: rank {} waited for the values of rank {} at step {} (exchange "
            "{}); rank {} has offered {} exchanges",
            rank_, r, p.step, p.header.round, r, g.nodes[static_cast<std::size_t>(r)].published);
      });
  std::vector<const LocalGroup::Node*> senders;
  std::vector<double> weights;
  for (const auto& e : in) {
    const auto& node = g.nodes[static_cast<std::size_t>(e.node)];
    check_header(p.header, rank_, node.header[parity], e.node, *p.topology);
    check_same_device("neighbour average", rank_, p.x.device, e.node, node.snapshot_device[parity]);
    senders.push_back(&node);
    weights.push_back(e.weight);
  }
  lock.unlock();
  use(senders, weights, parity);
  lock.lock();
  g.nodes[static_cast<std::size_t>(rank_)].consumed = p.header.round + 1;
  ++exchanges_;
  for (const auto& e : in) g.wake(e.node);  // they may wait to reuse the snapshots just read
}

PendingExchange LocalCommunicator::take_pending(bool message) {
  const char* what = message ? "message exchange" : "neighbour average";
  if (!pending_) throw InvalidArgument(fmt::format("{}: finish without a pending exchange", what));
  if ((pending_->x.type == DataType::bytes) != message)
    throw InvalidArgument(fmt::format("{}: the pending exchange is {}", what,
                                      message ? "a neighbour average" : "a message exchange"));
  const auto p = *pending_;
  pending_.reset();
  return p;
}

void LocalCommunicator::finish_exchange() {
  const auto p = take_pending(false);
  collect(p, [&](const std::vector<const LocalGroup::Node*>& senders,
                 const std::vector<double>& weights, std::size_t parity) {
    std::vector<const void*> peers;
    for (const auto* node : senders)
      peers.push_back(p.x.device.is_cpu() ? node->snapshot[parity].data()
                                          : node->device_snapshot[parity].data());
    mix(p.x, 0, p.x.count, p.topology->at(p.step).self_weight(rank_), weights, peers);
    sync(p.x.device);
  });
}

std::vector<std::vector<unsigned char>> LocalCommunicator::finish_messages() {
  const auto p = take_pending(true);
  std::vector<std::vector<unsigned char>> received;
  collect(p, [&](const std::vector<const LocalGroup::Node*>& senders, const std::vector<double>&,
                 std::size_t parity) {
    for (const auto* node : senders) received.push_back(node->snapshot[parity]);
  });
  return received;
}

void run_local(int nodes, const std::function<void(Communicator&)>& fn,
               std::chrono::milliseconds timeout) {
  if (nodes < 1)
    throw InvalidArgument(fmt::format("local run: {} nodes; expected at least 1", nodes));
  auto group = std::make_shared<LocalGroup>(nodes);
  std::mutex failure_mutex;
  std::exception_ptr first_failure;
  int first_rank = -1;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(nodes));
  for (int rank = 0; rank < nodes; ++rank)
    threads.emplace_back([&, rank] {
      LocalCommunicator comm(group, rank);
      comm.set_timeout(timeout);
      try {
        fn(comm);
      } catch (...) {
        std::string what = "unknown error";
        try {
          throw;
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        {
          std::lock_guard lock(failure_mutex);
          if (!first_failure) first_failure = std::current_exception(), first_rank = rank;
        }
        std::lock_guard lock(group->mutex);
        if (!group->aborted) group->aborted = fmt::format("rank {} failed: {}", rank, what);
      }
      std::lock_guard lock(group->mutex);
      group->nodes[static_cast<std::size_t>(rank)].left = true;
      group->wake_all();
    });
  for (auto& t : threads) t.join();
  if (!first_failure) return;
  try {
    std::rethrow_exception(first_failure);
  } catch (const Error& e) {
    rethrow_with_context(e, fmt::format("rank {}: ", first_rank));
  }
}

}  // namespace decent::comm
