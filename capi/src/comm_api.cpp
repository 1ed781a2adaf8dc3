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
  if (h.impl == nullptr) throw decent::InvalidArgument("argument 'comm' is not a live communicator");
  return *h.impl;
}

decent::comm::ReduceOp op_of(decent_reduce_op op) {
  if (op == DECENT_REDUCE_SUM) return decent::comm::ReduceOp::sum;
  if (op == DECENT_REDUCE_AVERAGE) return decent::comm::ReduceOp::average;
  throw decent::InvalidArgument(fmt::format("op {}: expected DECENT_REDUCE_SUM (0) or "
                                            "DECENT_REDUCE_AVERAGE (1)", static_cast<int>(op)));
}

float* data_of(float* data, std::size_t count) {
  return count == 0 ? data : &require(data, "data");
}

}  // namespace

extern "C" {

decent_status decent_comm_run_local(int nodes, double timeout_s, decent_node_fn fn, void* user) {
  DECENT_API_BEGIN();
  require(fn, "fn");
  if (nodes < 1 || nodes > 4096)
    throw decent::InvalidArgument(fmt::format("nodes {}: expected 1 to 4096", nodes));
  if (std::isnan(timeout_s)) throw decent::InvalidArgument("timeout_s is NaN");
  const auto timeout = timeout_s > 0 ? std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000))
                                     : decent::comm::default_timeout();
  decent::comm::run_local(nodes, [&](decent::comm::Communicator& c) {
    decent_comm handle;
    handle.impl = &c;
    handle.lent = true;
    decent::capi::register_handle(&handle, "decent_comm");
    struct Unregister {
      decent_comm* h;
      ~Unregister() { decent::capi::unregister_handle(h); }
    } unregister{&handle};
    if (fn(&handle, c.rank(), user) != 0)
      throw decent::Error(decent::Status::invalid_argument,
                          fmt::format("node {} failed: {}", c.rank(), decent_last_error()));
  }, timeout);
  DECENT_API_END();
}

decent_status decent_comm_mpi_create(decent_comm** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
#if DECENT_HAVE_MPI
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
  try {
    decent::capi::require_live(comm, "decent_comm", "comm");  // before reading comm->lent
  } catch (...) {
    return;  // NULL, freed or foreign: nothing to do
  }
  if (!comm->lent) decent::capi::retire(comm);
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
  DECENT_API_BEGIN();
  auto& c = comm_of(comm);
  c.allreduce(data_of(data, count), count, op_of(op));
  DECENT_API_END();
}

decent_status decent_comm_broadcast(decent_comm* comm, float* data, size_t count, int root) {
  DECENT_API_BEGIN();
  comm_of(comm).broadcast(data_of(data, count), count, root);
  DECENT_API_END();
}

decent_status decent_comm_neighbor_average(decent_comm* comm, const decent_topology* topology,
                                           int64_t step, float* data, size_t count) {
  DECENT_API_BEGIN();
  auto& c = comm_of(comm);
  const auto& t = decent::capi::live(topology, "decent_topology", "topology").impl;
  if (t.nodes() != c.size())
    throw decent::InvalidArgument(fmt::format("the topology has {} nodes; the communicator {}",
                                              t.nodes(), c.size()));
  if (step < 0) throw decent::OutOfRange(fmt::format("step {}: expected >= 0", step));
  c.neighbor_average(data_of(data, count), count, t, step);
  DECENT_API_END();
}

}  // extern "C"
