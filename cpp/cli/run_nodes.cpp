#include "cli/run_nodes.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/cli.hpp"
#include "comm/local.hpp"
#include "core/error.hpp"
#if DECENT_HAVE_MPI
#include "comm/mpi.hpp"
#include "comm/mpi_hosts.hpp"
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

// This process's rank as the launcher gave it (-1 when not known).
int launched_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* v = std::getenv(name)) return std::atoi(v);
  return -1;
}

// MPI_Init waits for every rank of the job without a time limit: a rank that never starts (its
// program stuck before MPI, its host unreachable) would keep the others there for ever. After
// `timeout` this ends the process with an error; mpirun then ends the job.
class StartupWatchdog {
 public:
  explicit StartupWatchdog(std::chrono::milliseconds timeout)
      : thread_([this, timeout] {
          std::unique_lock lock(m_);
          if (cv_.wait_for(lock, timeout, [this] { return arrived_; })) return;
          std::fprintf(stderr,
                       "decent: rank %d of %d: error: MPI start-up did not complete within %.3g s: "
                       "a rank of this job never arrived (it did not start, stopped before MPI, "
                       "or its host cannot be reached)\ndecent: aborting all ranks\n",
                       launched_rank(), launched_ranks(),
                       std::chrono::duration<double>(timeout).count());
          std::fflush(stderr);
          std::_Exit(kExitFailure);
        }) {}
  ~StartupWatchdog() {
    {
      std::lock_guard lock(m_);
      arrived_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  StartupWatchdog(const StartupWatchdog&) = delete;
  StartupWatchdog& operator=(const StartupWatchdog&) = delete;

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool arrived_ = false;
  std::thread thread_;
};

}  // namespace

std::string with_nodes_per_machine(const std::string& spec, int per_machine) {
  if (per_machine == 0) return spec;
  if (per_machine < 0)
    throw InvalidArgument(
        fmt::format("--nodes-per-machine {}: expected a positive count", per_machine));
  auto parsed = topology::parse_spec(spec);
  if (parsed.kind != topology::Kind::hierarchical) {
    topology::TopologySpec hier;
    hier.kind = topology::Kind::hierarchical;
    hier.inner = {parsed};
    parsed = hier;
  }
  if (parsed.per_machine != 0 && parsed.per_machine != per_machine)
    throw InvalidArgument(fmt::format("--nodes-per-machine {} but the topology \"{}\" has {}",
                                      per_machine, spec, parsed.per_machine));
  parsed.per_machine = per_machine;
  return topology::to_string(parsed);
}

std::chrono::milliseconds comm_timeout(double seconds) {
  return seconds > 0 ? std::chrono::milliseconds(static_cast<long long>(seconds * 1000))
                     : comm::default_timeout();
}

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
  auto watchdog = std::make_unique<StartupWatchdog>(timeout);
  comm::MpiSession session(nullptr, nullptr);
  comm::MpiCommunicator c;  // collective: every rank is here once it returns
  watchdog.reset();
  c.set_timeout(timeout);
  if (nodes != 0 && nodes != c.size())
    throw InvalidArgument(fmt::format("--nodes {} but mpirun started {} ranks", nodes, c.size()));
  try {
    auto parsed = topology::parse_spec(spec);
    if (parsed.kind == topology::Kind::hierarchical && parsed.per_machine == 0)
      parsed.per_machine = comm::ranks_per_host(c.handle());  // collective: before any throw
    const topology::Topology t(parsed, c.size());
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
