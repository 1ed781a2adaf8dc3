// The Communicator: how a node talks to the others. One interface over three engines: local
// (threads of one process), mpi (OpenMPI) and nccl (GPUs). Every node of a run holds its own
// Communicator and calls the same operations in the same order (SPMD).
//
// Values are float (model parameters) or double (the convergence lab, metrics). The typed
// templates below forward to type-erased virtual functions, so each backend is written once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/device.hpp"
#include "topology/topology.hpp"

namespace decent::comm {

enum class ReduceOp { sum, average };

// Element types a communicator moves; the value is the element size in bytes. `bytes` is a
// compressed message (start_message_exchange), whose length may differ from node to node.
enum class DataType : std::uint8_t { bytes = 1, f32 = 4, f64 = 8 };
std::string_view data_type_name(DataType type);

// A typed view of a caller's array.
struct Buffer {
  void* data = nullptr;
  std::size_t count = 0;
  DataType type = DataType::f32;
  Device device{};  // where data lives
  std::size_t element_size() const { return static_cast<std::size_t>(type); }
  std::size_t bytes() const { return count * element_size(); }
};

template <typename T>
Buffer buffer_of(T* data, std::size_t count, Device device = {}) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "communicators move float or double values");
  return {data, count, std::is_same_v<T, float> ? DataType::f32 : DataType::f64, device};
}

// Throws InvalidArgument "WHAT: buffer is NULL" for a NULL pointer with a non-zero count.
void check_not_null(const Buffer& data, const char* what);

// How long a node waits for a peer before it gives up with a TimeoutError naming that peer.
// Overridable per communicator and by the environment variable DECENT_COMM_TIMEOUT_S.
std::chrono::milliseconds default_timeout();

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string_view backend() const = 0;

  // The kind of memory this backend moves (local and MPI: host memory; NCCL: CUDA devices).
  // Every call names its buffer's device; another kind is refused before anything is read.
  virtual DeviceKind memory() const { return DeviceKind::cpu; }
  // Whether it moves buffers on `device` (by default: those in memory()).
  virtual bool takes(const Device& device) const { return device.kind == memory(); }

  // In-place reduction of `count` values over all ranks; every rank gets the result.
  template <typename T>
  void allreduce(T* data, std::size_t count, ReduceOp op, Device device = {}) {
    const Buffer buffer = buffer_of(data, count, device);
    check_buffer(buffer, "allreduce");
    allreduce_buffer(buffer, op);
  }
  // Copies root's `count` values to every rank.
  template <typename T>
  void broadcast(T* data, std::size_t count, int root, Device device = {}) {
    const Buffer buffer = buffer_of(data, count, device);
    check_root(root, "broadcast");
    check_buffer(buffer, "broadcast");
    broadcast_buffer(buffer, root);
  }
  virtual void barrier() = 0;

  // Starts x_i <- w_ii x_i + sum_j w_ij x_j with W = topology.at(step), over `count` values.
  // x and the topology must stay alive, and x unmodified (it may be read), until
  // finish_neighbor_average(), which writes the result into x. The result is exactly W x of the
  // values at the start, never a mix of old and new. One exchange may be pending at a time.
  template <typename T>
  void start_neighbor_average(T* x, std::size_t count, const topology::Topology& topology,
                              std::int64_t step, Device device = {}) {
    const Buffer buffer = buffer_of(x, count, device);
    check_memory(buffer, "neighbor_average");
    start_exchange(buffer, topology, step);
  }
  void finish_neighbor_average() { finish_exchange(); }

  // Both halves, for callers with nothing to overlap.
  template <typename T>
  void neighbor_average(T* x, std::size_t count, const topology::Topology& topology,
                        std::int64_t step, Device device = {}) {
    start_neighbor_average(x, count, topology, step, device);
    finish_neighbor_average();
  }

  // Compressed gossip: sends the `bytes` bytes at `message` (host memory) to every out-neighbour
  // of W^(step) and receives one message from every in-neighbour; nodes' messages may differ in
  // length. `message` must stay alive and unchanged until finish_message_exchange(), which
  // returns the in-neighbours' messages in the order of topology.at(step).in_neighbors(rank()).
  // One exchange of either kind may be pending at a time; both kinds are checked alike (topology,
  // step, exchange count), and a node that sends a message where its neighbour averages is named.
  void start_message_exchange(const void* message, std::size_t bytes,
                              const topology::Topology& topology, std::int64_t step);
  std::vector<std::vector<unsigned char>> finish_message_exchange() { return finish_messages(); }
  std::vector<std::vector<unsigned char>> exchange_messages(const void* message, std::size_t bytes,
                                                            const topology::Topology& topology,
                                                            std::int64_t step) {
    start_message_exchange(message, bytes, topology, step);
    return finish_message_exchange();
  }

  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 protected:
  // Throws OutOfRange unless 0 <= root < size().
  void check_root(int root, const char* what) const;
  // check_not_null and check_memory.
  void check_buffer(const Buffer& data, const char* what) const;
  // Throws NotSupported when the buffer is not in memory() (naming both).
  void check_memory(const Buffer& data, const char* what) const;

  // Backends implement these; the arguments have been checked.
  virtual void allreduce_buffer(Buffer data, ReduceOp op) = 0;
  virtual void broadcast_buffer(Buffer data, int root) = 0;
  virtual void start_exchange(Buffer x, const topology::Topology& topology, std::int64_t step) = 0;
  virtual void finish_exchange() = 0;
  // The message exchange; by default NotSupported (naming the backend).
  virtual void start_messages(Buffer message, const topology::Topology& topology,
                              std::int64_t step);
  virtual std::vector<std::vector<unsigned char>> finish_messages();

  std::chrono::milliseconds timeout_ = default_timeout();
};

}  // namespace decent::comm
