// decent_comm_*: validates arguments and forwards to cpp/comm.
#include <chrono>
#include <cmath>

#include "api_guard.hpp"
#include "comm/local.hpp"
#include "handles.hpp"
#include "live_handles.hpp"
#if DECENT_HAVE_MPI
#include "comm/mpi.hpp"
#endif

namespace {

using decent::capi::require;

decent::comm::Communicator& comm_of(const decent_comm* c) {
  auto& h = decent::capi::live(c, "decent_comm", "comm");
  if (h.impl == nullptr)
    throw decent::InvalidArgument("argument 'comm' is not a live communicator");
  return *h.impl;
}

decent::comm::ReduceOp op_of(decent_reduce_op op) {
  if (op == DECENT_REDUCE_SUM) return decent::comm::ReduceOp::sum;
  if (op == DECENT_REDUCE_AVERAGE) return decent::comm::ReduceOp::average;
  throw decent::InvalidArgument(
      fmt::format("op {}: expected DECENT_REDUCE_SUM (0) or "
                  "DECENT_REDUCE_AVERAGE (1)",
                  static_cast<int>(op)));
}

// The error for a node function that returned `returned` != 0: the status and message of the
// last decent call that failed on the node's thread, else the returned value when it is a
// status (a node may `return decent_comm_allreduce(...)`), else DECENT_ERR_INTERNAL.
decent::Error node_failure(int rank, int returned) {
  const decent_status own = decent::capi::last_status();
  if (own != DECENT_OK)
    return decent::Error(static_cast<decent::Status>(own),
                         fmt::format("node {} failed: {}", rank, decent_last_error()));
  const bool is_status = returned > DECENT_OK && returned <= DECENT_ERR_INTERNAL;
  return decent::Error(
      is_status ? static_cast<decent::Status>(returned) : decent::Status::internal,
      fmt::format("node {} returned {} without a failed decent call", rank, returned));
}

// Runs a collective on a communicator handle, remembering its first failure on the handle.
template <typename Body>
decent_status collective(decent_comm* comm, const char* function, Body body) noexcept {
  try {
    body();
    return DECENT_OK;
  } catch (...) {
    const decent_status s = decent::capi::handle_exception(function);
    if (decent::capi::is_live(comm, "decent_comm") && comm->failure == DECENT_OK) {
      comm->failure = s;
      try {
        comm->failure_message = decent_last_error();
      } catch (...) {  // out of memory: the status is kept
      }
    }
    return s;
  }
}

// The topology of a neighbour average on `c` at `step`, after checking both fit.
const decent::topology::Topology& topology_for(const decent::comm::Communicator& c,
                                               const decent_topology* topology, int64_t step) {
  const auto& t = decent::capi::live(topology, "decent_topology", "topology").impl;
  if (t.nodes() != c.size())
    throw decent::InvalidArgument(
        fmt::format("the topology has {} nodes; the communicator {}", t.nodes(), c.size()));
  if (step < 0) throw decent::OutOfRange(fmt::format("step {}: expected >= 0", step));
  return t;
}

template <typename T>
T* data_of(T* data, std::size_t count) {
  return count == 0 ? data : &require(data, "data");
}

// The collectives, once for float and double: the _f64 entry points differ only in the type.
template <typename T>
decent_status allreduce(decent_comm* comm, T* data, size_t count, decent_reduce_op op,
                        const char* function) {
  return collective(comm, function, [&] {
    auto& c = comm_of(comm);
    c.allreduce(data_of(data, count), count, op_of(op));
  });
}

template <typename T>
decent_status broadcast(decent_comm* comm, T* data, size_t count, int root, const char* function) {
  return collective(comm, function,
                    [&] { comm_of(comm).broadcast(data_of(data, count), count, root); });
}

template <typename T>
decent_status neighbor_average(decent_comm* comm, const decent_topology* topology, int64_t step,
                               T* data, size_t count, const char* function) {
  return collective(comm, function, [&] {
    auto& c = comm_of(comm);
    c.neighbor_average(data_of(data, count), count, topology_for(c, topology, step), step);
  });
}

template <typename T>
decent_status neighbor_average_start(decent_comm* comm, const decent_topology* topology,
                                     int64_t step, T* data, size_t count, const char* function) {
  return collective(comm, function, [&] {
    auto& c = comm_of(comm);
    c.start_neighbor_average(data_of(data, count), count, topology_for(c, topology, step), step);
  });
}

}  // namespace

extern "C" {

decent_status decent_comm_run_local(int nodes, double timeout_s, decent_node_fn fn, void* user) {
  DECENT_API_BEGIN();
  require(fn, "fn");
  if (nodes < 1 || nodes > 4096)
    throw decent::InvalidArgument(fmt::format("nodes {}: expected 1 to 4096", nodes));
  if (std::isnan(timeout_s)) throw decent::InvalidArgument("timeout_s is NaN");
  const auto timeout = timeout_s > 0
                           ? std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000))
                           : decent::comm::default_timeout();
  decent::comm::run_local(
      nodes,
      [&](decent::comm::Communicator& c) {
        decent_comm handle;
        handle.impl = &c;
        handle.lent = true;
        decent::capi::register_handle(&handle, "decent_comm");
        struct Unregister {
          decent_comm* h;
          ~Unregister() { decent::capi::unregister_handle(h); }
        } unregister{&handle};
        decent::capi::clear_last_error();  // a message from before this node is not its failure
        const int returned = fn(&handle, c.rank(), user);
        if (returned != 0) throw node_failure(c.rank(), returned);
        if (handle.failure != DECENT_OK)
          throw decent::Error(static_cast<decent::Status>(handle.failure),
                              fmt::format("node {} returned 0 after a failed collective: {}",
                                          c.rank(), handle.failure_message));
      },
      timeout);
  DECENT_API_END();
}

decent_status decent_comm_mpi_create(decent_comm** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
#if DECENT_HAVE_MPI
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized)
    throw decent::CommunicationError(
        "MPI has been finalized in this process (by the last decent_comm_free, or by the "
        "application) and cannot be started again: create one communicator and keep it for the "
        "whole program");
  struct Owned {
    decent::comm::MpiSession session{nullptr, nullptr};
    decent::comm::MpiCommunicator comm;
  };
  auto owned = std::make_shared<Owned>();
  auto h = std::make_unique<decent_comm>();
  h->impl = &owned->comm;
  h->owned = owned;
  *out = decent::capi::publish(std::move(h), "decent_comm");
#else
  throw decent::NotSupported("this libdecent was built without MPI (DECENT_WITH_MPI=OFF)");
#endif
  DECENT_API_END();
}

void decent_comm_free(decent_comm* comm) {
  if (comm == nullptr) return;
  try {
    decent::capi::require_live(comm, "decent_comm", "comm");  // before reading comm->lent
    if (comm->lent)
      throw decent::InvalidArgument(
          "argument 'comm' belongs to a decent_comm_run_local run, which frees it: not freed");
  } catch (...) {
    decent::capi::handle_exception(__func__);
    return;
  }
  decent::capi::retire(comm, "decent_comm", __func__);
}

decent_status decent_comm_rank(const decent_comm* comm, int* out) {
  DECENT_API_BEGIN();
  require(out, "out") = comm_of(comm).rank();
  DECENT_API_END();
}

decent_status decent_comm_size(const decent_comm* comm, int* out) {
  DECENT_API_BEGIN();
  require(out, "out") = comm_of(comm).size();
  DECENT_API_END();
}

decent_status decent_comm_backend(const decent_comm* comm, const char** out) {
  DECENT_API_BEGIN();
  require(out, "out") = comm_of(comm).backend().data();  // string literals of the backends
  DECENT_API_END();
}

decent_status decent_comm_allreduce(decent_comm* comm, float* data, size_t count,
                                    decent_reduce_op op) {
  return allreduce(comm, data, count, op, __func__);
}

decent_status decent_comm_allreduce_f64(decent_comm* comm, double* data, size_t count,
                                        decent_reduce_op op) {
  return allreduce(comm, data, count, op, __func__);
}

decent_status decent_comm_broadcast(decent_comm* comm, float* data, size_t count, int root) {
  return broadcast(comm, data, count, root, __func__);
}

decent_status decent_comm_broadcast_f64(decent_comm* comm, double* data, size_t count, int root) {
  return broadcast(comm, data, count, root, __func__);
}

decent_status decent_comm_neighbor_average(decent_comm* comm, const decent_topology* topology,
                                           int64_t step, float* data, size_t count) {
  return neighbor_average(comm, topology, step, data, count, __func__);
}

decent_status decent_comm_neighbor_average_f64(decent_comm* comm, const decent_topology* topology,
                                               int64_t step, double* data, size_t count) {
  return neighbor_average(comm, topology, step, data, count, __func__);
}

decent_status decent_comm_neighbor_average_start(decent_comm* comm, const decent_topology* topology,
                                                 int64_t step, float* data, size_t count) {
  return neighbor_average_start(comm, topology, step, data, count, __func__);
}

decent_status decent_comm_neighbor_average_start_f64(decent_comm* comm,
                                                     const decent_topology* topology, int64_t step,
                                                     double* data, size_t count) {
  return neighbor_average_start(comm, topology, step, data, count, __func__);
}

decent_status decent_comm_neighbor_average_finish(decent_comm* comm) {
  return collective(comm, __func__, [&] { comm_of(comm).finish_neighbor_average(); });
}

}  // extern "C"
