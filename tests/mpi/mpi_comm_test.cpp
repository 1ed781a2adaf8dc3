// The MPI communicator, on every rank of `mpirun -np N`: neighbour averaging equals the dense
// W x for every topology kind and buffer size, the one-peer graph averages exactly, collectives
// work, results match the local backend bit for bit, and mismatched or missing ranks end in an
// error that names them, within the timeout.
#include <doctest/doctest.h>
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "../common/comm_reference.hpp"
#include "../common/kind_spec.hpp"
#include "../common/message_exchange.hpp"
#include "comm/local.hpp"
#include "comm/mpi.hpp"
#include "comm/mpi_hosts.hpp"
#include "core/error.hpp"
#include "lab/consensus.hpp"
#include "lab/lab.hpp"

using namespace decent;

namespace {

int world_size() {
  int n = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

bool allows(topology::Kind kind, int n) {
  const auto counts = test::node_counts_for(kind);
  return std::find(counts.begin(), counts.end(), n) != counts.end();
}

}  // namespace

TEST_CASE("mpi: three steps of neighbour averaging equal W^(2) W^(1) W^(0) x for every kind") {
  const int n = world_size();
  comm::MpiCommunicator c;
  c.set_chunk(100000);  // so that 10^6 values go as several messages
  for (const auto& kind : topology::all_kinds()) {
    if (!allows(kind.kind, n)) continue;
    const topology::Topology t(test::default_spec(kind.kind), n);
    for (std::size_t count :
         {std::size_t{0}, std::size_t{1}, std::size_t{1001}, std::size_t{1000000}}) {
      const auto x0 = test::start_vectors(n, count, 42);
      const auto expected = test::reference_after(t, x0, 3);
      auto x = x0[static_cast<std::size_t>(c.rank())];
      for (int k = 0; k < 3; ++k) c.neighbor_average(x.data(), x.size(), t, k);
      CAPTURE(t.name());
      CAPTURE(count);
      CHECK(test::max_abs_difference(x, expected[static_cast<std::size_t>(c.rank())]) < 1e-6);
    }
  }
}

TEST_CASE("mpi: in double precision, neighbour averaging equals W x to 1e-12, as locally") {
  const int n = world_size();
  comm::MpiCommunicator c;
  c.set_chunk(10000);  // 10^5 values: ten messages per neighbour, slots reused
  for (const auto& kind : topology::all_kinds()) {
    if (!allows(kind.kind, n)) continue;
    const topology::Topology t(test::default_spec(kind.kind), n);
    const auto x0 = test::start_vectors<double>(n, 100000, 23);
    const auto expected = test::reference_after(t, x0, 3);
    auto x = x0[static_cast<std::size_t>(c.rank())];
    for (int k = 0; k < 3; ++k) c.neighbor_average(x.data(), x.size(), t, k);
    CAPTURE(t.name());
    CHECK(test::max_abs_difference(x, expected[static_cast<std::size_t>(c.rank())]) < 1e-12);
    // The local backend computes the same values bit for bit (same kernel, same order).
    std::vector<std::vector<double>> local(static_cast<std::size_t>(n));
    comm::run_local(n, [&](comm::Communicator& l) {
      auto y = x0[static_cast<std::size_t>(l.rank())];
      for (int k = 0; k < 3; ++k) l.neighbor_average(y.data(), y.size(), t, k);
      local[static_cast<std::size_t>(l.rank())] = std::move(y);
    });
    CHECK(local[static_cast<std::size_t>(c.rank())] == x);
  }
}

TEST_CASE("mpi: the one-peer exponential graph averages exactly in log2 n steps") {
  const int n = world_size();
  if ((n & (n - 1)) != 0) return;
  comm::MpiCommunicator c;
  const topology::Topology t("one-peer-exp", n);
  const auto x0 = test::start_vectors(n, 333, 5);
  std::vector<double> mean(333, 0.0);
  for (const auto& v : x0)
    for (std::size_t i = 0; i < v.size(); ++i) mean[i] += static_cast<double>(v[i]) / n;
  auto x = x0[static_cast<std::size_t>(c.rank())];
  for (int k = 0; k < t.period(); ++k) c.neighbor_average(x.data(), x.size(), t, k);
  CHECK(test::max_abs_difference(x, mean) < 1e-6);
}

TEST_CASE("mpi: with a progress thread an exchange travels while the caller computes") {
  // On by default when the ranks span hosts (tests/cluster); DECENT_MPI_PROGRESS=1 on one host.
  comm::MpiCommunicator c;
  const int n = world_size();
  const topology::Topology t("ring", n);
  const auto x0 = test::start_vectors(n, 300'000, 11);  // 37 chunks of 8 Ki floats
  auto x = x0[static_cast<std::size_t>(c.rank())];
  c.start_neighbor_average(x.data(), x.size(), t, 0);
  // "Computing": no MPI call for 300 ms, enough for the whole exchange many times over.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  c.finish_neighbor_average();
  const auto& w = t.at(0);
  for (std::size_t i = 0; i < x.size(); i += 997) {
    double expected = w.self_weight(c.rank()) * x0[static_cast<std::size_t>(c.rank())][i];
    for (const auto& e : w.in_neighbors(c.rank()))
      expected += e.weight * x0[static_cast<std::size_t>(e.node)][i];
    CHECK(x[i] == doctest::Approx(expected).epsilon(1e-6));
  }
  CAPTURE(c.exchange_requests());
  if (c.progress_thread()) {
    // Every send and receive completed in the background.
    CHECK(c.completed_in_background() == c.exchange_requests());
  } else {
    CHECK(c.completed_in_background() == 0);
  }
  MESSAGE("progress thread: ", std::string(c.progress_thread() ? "on" : "off"),
          ", completed in background ", c.completed_in_background(), " of ", c.exchange_requests());
}

TEST_CASE("mpi: the same numbers as the local backend") {
  const int n = world_size();
  for (const char* spec : {"ring", "exp", "one-peer-exp"}) {
    const topology::Topology t(spec, n);
    lab::ConsensusOptions options;
    options.iterations = 12;
    options.dimension = 500;
    options.seed = 9;
    comm::MpiCommunicator c;
    const auto over_mpi = lab::run_consensus(c, t, options);
    std::vector<double> in_process;
    comm::run_local(n, [&](comm::Communicator& local) {
      auto e = lab::run_consensus(local, t, options);
      if (local.rank() == 0) in_process = e;
    });
    REQUIRE(over_mpi.size() == in_process.size());
    for (std::size_t k = 0; k < over_mpi.size(); ++k)
      CHECK(over_mpi[k] == in_process[k]);  // bit-identical, as docs/communication.md says
  }
}

TEST_CASE("mpi: allreduce is bit-identical to the local backend where the order of sums matters") {
  const int n = world_size();
  // Values of very different magnitudes and signs: their float sum depends on the order.
  auto values = [](int rank, std::size_t count) {
    std::vector<float> v(count);
    for (std::size_t i = 0; i < count; ++i)
      v[i] = static_cast<float>(std::ldexp(1.0 + 0.37 * static_cast<double>((rank * 31 + i) % 17),
                                           static_cast<int>((rank * 7 + i * 3) % 40) - 20)) *
             (((rank + i) % 3 == 0) ? -1.0f : 1.0f);
    return v;
  };
  comm::MpiCommunicator c;
  for (auto op : {comm::ReduceOp::sum, comm::ReduceOp::average}) {
    for (std::size_t count : {std::size_t{1}, std::size_t{7}, std::size_t{4099}}) {
      auto mine = values(c.rank(), count);
      c.allreduce(mine.data(), mine.size(), op);
      std::vector<float> in_process;
      comm::run_local(n, [&](comm::Communicator& l) {
        auto v = values(l.rank(), count);
        l.allreduce(v.data(), v.size(), op);
        if (l.rank() == 0) in_process = v;
      });
      CHECK(mine == in_process);
    }
  }
}

TEST_CASE("mpi: allreduce, broadcast and barrier") {
  const int n = world_size();
  comm::MpiCommunicator c;
  std::vector<float> f(2049);
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(c.rank() + 1);
  c.allreduce(f.data(), f.size(), comm::ReduceOp::sum);
  for (float v : f) CHECK(v == static_cast<float>(n * (n + 1) / 2));
  double d = c.rank();
  c.allreduce(&d, 1, comm::ReduceOp::average);
  CHECK(d == doctest::Approx((n - 1) / 2.0));
  std::vector<float> b(5, static_cast<float>(c.rank()));
  c.broadcast(b.data(), b.size(), n - 1);
  for (float v : b) CHECK(v == static_cast<float>(n - 1));
  c.barrier();
  CHECK_THROWS_AS(c.set_chunk(0), InvalidArgument);
  CHECK_THROWS_AS(c.broadcast(b.data(), b.size(), n), OutOfRange);
}

TEST_CASE("mpi: different buffer sizes are named by the ranks that see them") {
  const int n = world_size();
  if (n < 3) return;
  comm::MpiCommunicator c;
  const topology::Topology ring("ring", n);
  std::vector<float> x(c.rank() == 0 ? 11 : 10, 1.0f);
  std::string message = "no error";
  try {
    c.neighbor_average(x.data(), x.size(), ring, 0);
  } catch (const CommunicationError& e) {
    message = e.what();
  }
  CAPTURE(message);
  const bool neighbour_of_0 = c.rank() == 0 || c.rank() == 1 || c.rank() == n - 1;
  if (neighbour_of_0) {
    CHECK(contains(message, "disagree on the buffer size"));
    CHECK(contains(message, "ranks"));
  } else {
    CHECK(message == "no error");
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST_CASE("mpi: a rank that never arrives is named, within the timeout") {
  const int n = world_size();
  if (n < 3) return;
  {
    comm::MpiCommunicator c;
    c.set_timeout(std::chrono::milliseconds(1000));
    const topology::Topology ring("ring", n);
    std::vector<float> x(10, 1.0f);
    std::string message = "no error";
    const auto start = std::chrono::steady_clock::now();
    if (c.rank() != n - 1) try {
        c.neighbor_average(x.data(), x.size(), ring, 0);
      } catch (const TimeoutError& e) {
        message = e.what();
      }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (c.rank() == 0 || c.rank() == n - 2) {  // they receive from rank n-1
      CHECK(contains(message, "nothing arrived from rank " + std::to_string(n - 1)));
      CHECK(elapsed < std::chrono::seconds(5));
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  {
    comm::MpiCommunicator c;
    c.set_timeout(std::chrono::milliseconds(1000));
    std::string message = "no error";
    if (c.rank() != 1) try {
        c.barrier();
      } catch (const TimeoutError& e) {
        message = e.what();
      }
    if (c.rank() != 1)
      CHECK(contains(message, "barrier: rank " + std::to_string(c.rank()) +
                                  " waited 1 s; rank 1 did not arrive"));
    MPI_Barrier(MPI_COMM_WORLD);
  }
}

TEST_CASE("mpi: the convergence lab gives the same numbers as in-process, same seed") {
  const int n = world_size();
  for (const char* algorithm : {"dsgd", "gradient_tracking", "exact_diffusion", "psgd", "aga"}) {
    lab::LabOptions o;
    o.problem.nodes = n;
    o.problem.heterogeneous = true;
    o.problem.batch = 4;  // stochastic: the minibatch draws must match too
    o.problem.seed = 5;
    o.algorithm.name = algorithm;
    o.algorithm.lr = 0.1;
    o.algorithm.period = 3;  // aga: its period adapts from step 6 on, from all-reduced losses
    o.iterations = 40;
    const topology::Topology t(n >= 2 ? "one-peer-exp" : "ring", n);
    comm::MpiCommunicator c;
    const auto over_mpi = lab::run_lab(c, t, o);
    std::vector<lab::LabRecord> in_process;
    comm::run_local(n, [&](comm::Communicator& l) {
      auto r = lab::run_lab(l, t, o);
      if (l.rank() == 0) in_process = r.records;
    });
    REQUIRE(over_mpi.records.size() == in_process.size());
    CAPTURE(algorithm);
    for (std::size_t k = 0; k < in_process.size(); ++k) {
      CHECK(over_mpi.records[k].error == in_process[k].error);  // bit-identical
      CHECK(over_mpi.records[k].loss == in_process[k].loss);
      CHECK(over_mpi.records[k].global_averages == in_process[k].global_averages);
    }
  }
}

TEST_CASE("mpi: hier: topologies take the machine size from the ranks each host runs") {
  // OpenMPI's launcher tells each rank how many ranks its host runs; the shared-memory split
  // must find the same (all n on one machine; 1 on the emulated hosts of tests/cluster).
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  REQUIRE_MESSAGE(local != nullptr, "these tests run under OpenMPI's mpirun (tests/CMakeLists)");
  const int n = world_size(), g = std::atoi(local);
  CHECK(comm::ranks_per_host(MPI_COMM_WORLD) == g);
  topology::TopologySpec spec = topology::parse_spec("hier:ring");
  spec.per_machine = comm::ranks_per_host(MPI_COMM_WORLD);
  const topology::Topology t(spec, n);
  if (g == n) {
    CHECK(t.period() == 1);  // one machine: the exact average, every step
    CHECK(t.at(0).max_degree() == n - 1);
  } else {
    CHECK(t.name().starts_with("hier:" + std::to_string(g) + ":ring:n=" + std::to_string(n / g)));
  }
}

TEST_CASE("mpi: messages of any length reach the in-neighbours, in the topology's order") {
  comm::MpiCommunicator c;
  const auto errors = test::message_exchange_errors(c);
  CHECK(errors.empty());
  if (!errors.empty()) MESSAGE(errors.front());
}

TEST_CASE("mpi: a rank that averages where its neighbour sends a message is named") {
  const int n = world_size();
  if (n < 2) return;
  comm::MpiCommunicator c;
  const topology::Topology ring("ring", n);
  std::vector<float> x(4, 1.0f);
  std::string message = "no error";
  try {
    if (c.rank() == 0)
      c.neighbor_average(x.data(), x.size(), ring, 0);
    else
      c.exchange_messages(x.data(), 16, ring, 0);
  } catch (const Error& e) {
    message = e.what();
  }
  CAPTURE(message);
  const bool neighbour_of_0 = c.rank() == 0 || c.rank() == 1 || c.rank() == n - 1;
  if (neighbour_of_0)
    CHECK(contains(message, "disagree on the exchange"));
  else
    CHECK(message == "no error");
  MPI_Barrier(MPI_COMM_WORLD);
}
