#include "cli/run_nodes.hpp"

#include <fmt/format.h>

#include "comm/local.hpp"
#include "core/error.hpp"
#if DECENT_HAVE_MPI
#include "comm/mpi.hpp"
#endif

namespace decent::cli {

void run_on_nodes(const std::string& backend, const std::string& spec, int nodes,
                  std::chrono::milliseconds timeout, const NodeFn& fn) {
  if (backend == "local") {
    const topology::Topology t(spec, nodes);
    comm::run_local(
        t.nodes(), [&](comm::Communicator& c) { fn(c, t); }, timeout);
    return;
  }
#if DECENT_HAVE_MPI
  comm::MpiSession session(nullptr, nullptr);
  comm::MpiCommunicator c;
  c.set_timeout(timeout);
  if (nodes != 0 && nodes != c.size())
    throw InvalidArgument(fmt::format("--nodes {} but mpirun started {} ranks", nodes, c.size()));
  const topology::Topology t(spec, c.size());
  fn(c, t);
#else
  throw NotSupported("--backend mpi: this decent was built without MPI (DECENT_WITH_MPI=OFF)");
#endif
}

}  // namespace decent::cli
