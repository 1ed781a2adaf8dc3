#include "cli/run_nodes.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "cli/cli.hpp"
#include "comm/local.hpp"
#include "core/error.hpp"
#if DECENT_HAVE_MPI
#include "comm/mpi.hpp"
#endif

namespace decent::cli {

namespace {

// The rank count a launcher (mpirun: OpenMPI, PMIx, MPICH's PMI) gave this process; 0 when it
// was not started by one.
int launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(name)) return std::atoi(v);
  return 0;
}

}  // namespace

void run_on_nodes(const std::string& backend, const std::string& spec, int nodes,
                  std::chrono::milliseconds timeout, const NodeFn& fn) {
  if (backend == "local" && launched_ranks() > 1)
    throw InvalidArgument(fmt::format(
        "this process is one of {} ranks started by mpirun, but --backend is local: every rank "
        "would run a whole job of its own (into the same output); add --backend mpi to make each "
        "rank one node",
        launched_ranks()));
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
  try {
    const topology::Topology t(spec, c.size());
    fn(c, t);
  } catch (const std::exception& e) {
    if (c.size() == 1) throw;
    // The other ranks would wait for this one until their timeout, and a rank that stopped
    // (or was stopped) keeps MPI_Finalize from returning: end the whole job now.
    std::fprintf(stderr, "decent: rank %d of %d: error: %s\ndecent: aborting all ranks\n", c.rank(),
                 c.size(), e.what());
    std::fflush(stderr);
    MPI_Abort(c.handle(), kExitFailure);
  }
#else
  throw NotSupported("--backend mpi: this decent was built without MPI (DECENT_WITH_MPI=OFF)");
#endif
}

}  // namespace decent::cli
