// Communication-efficient algorithms (docs/compression.md) against independent reasons:
// CHOCO-SGD with the identity compressor and gamma 1 is D-SGD (ATC and AWC) iterate for
// iterate; CHOCO-Gossip with top-k reaches consensus in at most 1/omega times the uncompressed
// iterations (the paper's rate is linear in omega; top-k does better); CHOCO-SGD with a decaying
// step converges to x*; bytes_sent is the wire's count worked out by hand; push-sum is D-SGD on
// regular graphs and averages exactly where plain gossip is biased; the outer Nesterov step
// (diloco) is local SGD and pga at outer lr 1, momentum 0, and follows a loop written here from
// DiLoCo's equations otherwise; every state resumes exactly.
#include <doctest/doctest.h>

#include <cmath>
#include <mutex>
#include <vector>

#include "algo/algorithm.hpp"
#include "algo/consensus_step.hpp"
#include "comm/local.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "lab/lab.hpp"
#include "topology/topology.hpp"

using namespace decent;

namespace {

struct Run {
  std::vector<lab::LabRecord> records;     // node 0's view
  std::vector<std::vector<double>> final;  // every node's final x
};

Run run_lab(const topology::Topology& t, lab::LabOptions o) {
  o.problem.nodes = t.nodes();
  Run r;
  r.final.resize(static_cast<std::size_t>(t.nodes()));
  comm::run_local(t.nodes(), [&](comm::Communicator& c) {
    auto result = lab::run_lab(c, t, o);
    r.final[static_cast<std::size_t>(c.rank())] = result.x;
    if (c.rank() == 0) r.records = result.records;
  });
  return r;
}

lab::LabOptions hetero(const char* algorithm, std::int64_t iterations, std::size_t dim = 10) {
  lab::LabOptions o;
  o.problem.kind = lab::ProblemKind::least_squares;
  o.problem.heterogeneous = true;
  o.problem.dimension = dim;
  o.problem.seed = 3;
  o.algorithm.name = algorithm;
  o.algorithm.lr = 0.3;
  o.iterations = iterations;
  return o;
}

double max_difference(const std::vector<std::vector<double>>& a,
                      const std::vector<std::vector<double>>& b) {
  double e = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j) e = std::max(e, std::abs(a[i][j] - b[i][j]));
  return e;
}

bool bitwise_equal(const Run& a, const Run& b) {
  return a.final == b.final;
}

const algo::GradientFn<double> zero_gradient = [](std::span<const double>, std::span<double> g) {
  for (auto& v : g) v = 0;
  return 0.0;
};

}  // namespace

TEST_CASE("choco with the identity compressor and gamma 1 is D-SGD, ATC and AWC") {
  for (const char* spec : {"ring", "exp", "torus:2x4"}) {
    const topology::Topology t(spec, 8);
    for (bool awc : {false, true}) {
      auto d = hetero("dsgd", 200);
      d.algorithm.awc = awc;
      auto c = hetero("choco", 200);
      c.algorithm.awc = awc;
      c.algorithm.compressor = "identity";
      c.algorithm.consensus_step = 1;
      const auto dsgd = run_lab(t, d), choco = run_lab(t, c);
      CAPTURE(spec);
      CAPTURE(awc);
      // The same iterates up to rounding: x + (W x - x) is not W x to the last bit.
      CHECK(max_difference(dsgd.final, choco.final) < 1e-12);
      for (std::size_t k = 0; k < dsgd.records.size(); ++k)
        CHECK(choco.records[k].error ==
              doctest::Approx(dsgd.records[k].error).epsilon(1e-9).scale(1e-12));
      // A weaker consensus step is not D-SGD: the equality above can fail.
      c.algorithm.consensus_step = 0.5;
      CHECK(max_difference(dsgd.final, run_lab(t, c).final) > 1e-3);
    }
  }
}

TEST_CASE("choco refuses time-varying graphs and bad options, naming them") {
  const topology::Topology one_peer("one-peer-exp", 4), ring("ring", 4);
  auto o = hetero("choco", 5);
  CHECK_THROWS_WITH_AS(run_lab(one_peer, o), doctest::Contains("is time-varying"), InvalidArgument);
  o.algorithm.consensus_step = 3;
  CHECK_THROWS_WITH_AS(run_lab(ring, o), doctest::Contains("consensus step 3"), InvalidArgument);
  o.algorithm.consensus_step = 0;
  o.algorithm.compressor = "topk:0.1";
  CHECK_THROWS_WITH_AS(run_lab(ring, o), doctest::Contains("did you mean top-k"), InvalidArgument);
}

TEST_CASE("CHOCO-Gossip with top-k: consensus in at most 1/omega times the exact iterations") {
  // Koloskova et al. 2019, Theorem 2: CHOCO-Gossip converges linearly at a rate linear in the
  // compression quality omega = k/d, so reaching a given error takes at most ~1/omega times as
  // many iterations. Measured (ring of 8, 200 values, gamma tuned): f = 1: 51, 0.5: 50,
  // 0.25: 104, 0.1: 213, 0.05: 442 iterations to 1e-10 of the start (ring of 16: 203, 202, 418,
  // 862, 1233): better than linear.
  const int n = 8;
  const std::size_t d = 200;
  const topology::Topology ring("ring", n);
  std::vector<int> needed;
  const std::vector<double> fractions = {1.0, 0.5, 0.25, 0.1, 0.05};
  for (double f : fractions) {
    algo::AlgorithmOptions o;
    o.name = "choco";
    o.compressor = "top-k:" + std::to_string(f);
    std::vector<double> error(3001, 0.0);
    comm::run_local(n, [&](comm::Communicator& c) {
      auto a = algo::make_algorithm<double>(o, d);
      Rng rng(static_cast<std::uint64_t>(c.rank()) + 1);
      std::vector<double> x(d);
      for (auto& v : x) v = rng.uniform();
      for (std::size_t k = 0; k < error.size(); ++k) {
        std::vector<double> mean = x;
        c.allreduce(mean.data(), d, comm::ReduceOp::average);
        double e = 0;
        for (std::size_t j = 0; j < d; ++j) e += (x[j] - mean[j]) * (x[j] - mean[j]);
        c.allreduce(&e, 1, comm::ReduceOp::sum);
        if (c.rank() == 0) error[k] = e;
        static thread_local double first = 0;
        if (k == 0) first = e;
        if (e < 1e-10 * first) break;  // every node knows e: all stop together
        if (k + 1 < error.size()) a->step(x, zero_gradient, c, ring, static_cast<std::int64_t>(k));
      }
    });
    int hit = -1;
    for (std::size_t k = 0; k < error.size() && hit < 0; ++k)
      if (error[k] > 0 && error[k] < 1e-10 * error[0]) hit = static_cast<int>(k);
    needed.push_back(hit);
  }
  CAPTURE(needed);
  for (std::size_t i = 0; i < fractions.size(); ++i) {
    REQUIRE(needed[i] > 0);  // converged within 3000 iterations
    CHECK(needed[i] * fractions[i] <= needed[0] * 1.0);
    if (i > 0) CHECK(needed[i] >= needed[i - 1] - 5);  // compression never speeds it up
  }
  CHECK(needed.back() > 3 * needed.front());  // and it does slow it down
}

TEST_CASE("CHOCO-SGD with top-k and a decaying step converges to x*") {
  // gamma_k = 0.3 * 100 / (100 + k): the error of the average falls as 1/k for D-SGD and CHOCO
  // alike; compression adds a higher-order term (measured at 4000: D-SGD 7.4e-4, top-k 10%
  // 8.2e-3, from 2.6e-2 at 2000).
  const topology::Topology ring("ring", 8);
  auto o = hetero("choco", 4000, 50);
  o.algorithm.compressor = "top-k:0.1";
  o.lr_decay = 100;
  o.log_every = 1000;
  const auto r = run_lab(ring, o);
  const double at2000 = r.records[2].error, at4000 = r.records[4].error;
  CAPTURE(at2000);
  CAPTURE(at4000);
  CHECK(at4000 < 0.02);
  CHECK(at2000 / at4000 > 1.5);  // still falling: not stalled at a floor
  // And it sends a fifth of D-SGD's bytes (k = 5 values and indices of 50, a 24-byte header).
  CHECK(r.records[4].bytes_sent == 2 * 8 * 50 + 4000.0 * 2 * (24 + 5 * 12));
}

TEST_CASE("bytes_sent counts what each algorithm hands to the network") {
  const topology::Topology ring("ring", 4), exp("exp", 4);
  auto count = [&](const topology::Topology& t, lab::LabOptions o) {
    o.log_every = 10;
    return run_lab(t, o).records.back().bytes_sent;
  };
  // 10 values of 8 bytes to each of 2 neighbours per step, 10 steps.
  CHECK(count(ring, hetero("dsgd", 10)) == 10 * 2 * 80);
  // exp on 4 nodes: 2 out-neighbours; gradient tracking sends x and y.
  CHECK(count(exp, hetero("gradient_tracking", 10)) == 10 * 2 * 2 * 80);
  // psgd: an all-reduce of the gradient sends 2 (n - 1) / n of it.
  CHECK(count(ring, hetero("psgd", 10)) == 10 * (2 * 3 * 80 / 4));
  // choco top-k 20%: x^0 once, then a 24-byte header and 2 (index, value) pairs per message.
  auto c = hetero("choco", 10);
  c.algorithm.compressor = "top-k:0.2";
  CHECK(count(ring, c) == 2 * 80 + 10 * 2 * (24 + 2 * 12));
  c.algorithm.compressor = "qsgd:4";  // one 512-value chunk: its norm, then 10 values of 4 bits
  CHECK(count(ring, c) == 2 * 80 + 10 * 2 * (24 + 8 + 5));
}

TEST_CASE("sgp on regular graphs is ATC D-SGD bit for bit (its push-sum weight stays 1)") {
  for (const char* spec : {"ring", "one-peer-exp", "exp"}) {
    const topology::Topology t(spec, 8);
    const auto dsgd = run_lab(t, hetero("dsgd", 100)), sgp = run_lab(t, hetero("sgp", 100));
    CAPTURE(spec);
    CHECK(bitwise_equal(dsgd, sgp));
  }
}

TEST_CASE(
    "push-sum averages exactly on a directed time-varying graph where plain gossip is "
    "biased") {
  // 5 nodes, two steps per period, edges sender -> receiver; in- and out-degrees differ, so no
  // doubly stochastic W follows these edges with the weights a node can know by itself.
  const int n = 5;
  const std::vector<std::vector<std::pair<int, int>>> steps = {
      {{0, 1}, {0, 2}, {1, 2}, {2, 3}, {3, 4}, {4, 0}}, {{1, 0}, {2, 0}, {3, 0}, {4, 3}, {0, 4}}};
  // Plain gossip: each node averages what it receives with its own value (row-stochastic).
  std::vector<topology::MixingMatrix> phases;
  for (const auto& edges : steps) {
    std::vector<std::vector<topology::Neighbor>> in(n);
    for (auto [from, to] : edges) in[static_cast<std::size_t>(to)].push_back({from, 0});
    std::vector<double> self(n);
    for (int i = 0; i < n; ++i) {
      auto& list = in[static_cast<std::size_t>(i)];
      const double w = 1.0 / (1.0 + static_cast<double>(list.size()));
      self[static_cast<std::size_t>(i)] = w;
      for (auto& e : list) e.weight = w;
    }
    phases.push_back(topology::MixingMatrix::from_weights(self, in));
  }
  const topology::Topology graph(phases, "test-digraph");
  const double mean = (0 + 1 + 2 + 3 + 4) / 5.0;
  std::vector<double> plain(n), pushed(n);
  comm::run_local(n, [&](comm::Communicator& c) {
    const auto r = static_cast<std::size_t>(c.rank());
    double x = static_cast<double>(r);
    for (int k = 0; k < 400; ++k) c.neighbor_average(&x, 1, graph, k);
    plain[r] = x;
    algo::AlgorithmOptions o;
    o.name = "sgp";
    auto sgp = algo::make_algorithm<double>(o, 1);
    std::vector<double> z = {static_cast<double>(r)};
    for (int k = 0; k < 400; ++k) sgp->step(z, zero_gradient, c, graph, k);
    pushed[r] = z[0];
  });
  for (int i = 0; i < n; ++i) {
    CHECK(std::abs(plain[static_cast<std::size_t>(i)] - plain[0]) < 1e-9);  // agreed ...
    CHECK(std::abs(pushed[static_cast<std::size_t>(i)] - mean) < 1e-12);    // exact
  }
  CHECK(std::abs(plain[0] - mean) > 0.05);  // ... on a biased value
}

TEST_CASE("diloco at outer lr 1 and momentum 0 is local SGD (and pga with inner gossip)") {
  const topology::Topology ring("ring", 6);
  auto d = hetero("diloco", 60);
  d.algorithm.period = 5;
  d.algorithm.outer_lr = 1;
  d.algorithm.outer_momentum = 0;
  auto l = hetero("local_sgd", 60);
  l.algorithm.period = 5;
  CHECK(bitwise_equal(run_lab(ring, d), run_lab(ring, l)));
  d.algorithm.inner_gossip = true;
  l.algorithm.name = "pga";
  CHECK(bitwise_equal(run_lab(ring, d), run_lab(ring, l)));
  // Other outer settings are not local SGD.
  d.algorithm.inner_gossip = false;
  d.algorithm.outer_lr = 0.7;
  l.algorithm.name = "local_sgd";
  CHECK(max_difference(run_lab(ring, d).final, run_lab(ring, l).final) > 1e-6);
}

TEST_CASE("diloco follows DiLoCo's outer Nesterov step, written here as plain loops") {
  // 4 nodes, one parameter, node i's gradient the constant i + 1, lr 0.1, H = 3, three outer
  // steps with eta = 0.7 and mu = 0.9; the reference below is DiLoCo's Algorithm 1 with
  // Nesterov momentum as torch.optim.SGD(nesterov=True) defines it.
  const int n = 4, H = 3, outer_steps = 3;
  const double lr = 0.1, eta = 0.7, mu = 0.9;
  double anchor = 2.0, momentum = 0;
  for (int t = 0; t < outer_steps; ++t) {
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += anchor - H * lr * (i + 1);  // H local steps
    const double delta = anchor - sum / n;                         // outer gradient
    momentum = mu * momentum + delta;
    anchor -= eta * (delta + mu * momentum);
  }
  for (bool gossip_outer : {false, true}) {
    // On the complete graph, gossip is the exact average: both outer modes give the reference.
    const topology::Topology full("full", n);
    std::vector<double> got(n);
    comm::run_local(n, [&](comm::Communicator& c) {
      algo::AlgorithmOptions o;
      o.name = "diloco";
      o.lr = lr;
      o.period = H;
      o.outer_lr = eta;
      o.outer_momentum = mu;
      o.outer_gossip = gossip_outer;
      auto a = algo::make_algorithm<double>(o, 1);
      const double gi = c.rank() + 1.0;
      const algo::GradientFn<double> constant = [&](std::span<const double>, std::span<double> g) {
        g[0] = gi;
        return 0.0;
      };
      std::vector<double> x = {2.0};
      for (int k = 0; k < H * outer_steps; ++k) a->step(x, constant, c, full, k);
      got[static_cast<std::size_t>(c.rank())] = x[0];
    });
    for (double v : got) CHECK(v == doctest::Approx(anchor).epsilon(1e-13));
  }
  algo::AlgorithmOptions bad;
  bad.name = "diloco";
  bad.outer_lr = 0;
  CHECK_THROWS_WITH_AS(algo::make_algorithm<double>(bad, 1), doctest::Contains("outer learning"),
                       InvalidArgument);
  bad.outer_lr = 0.7;
  bad.outer_momentum = 1;
  CHECK_THROWS_WITH_AS(algo::make_algorithm<double>(bad, 1), doctest::Contains("outer momentum"),
                       InvalidArgument);
}

TEST_CASE("choco, sgp and diloco resume exactly from their state") {
  const topology::Topology ring("ring", 4);
  for (const char* name : {"choco", "sgp", "diloco"}) {
    algo::AlgorithmOptions o;
    o.name = name;
    o.lr = 0.05;
    o.period = 3;
    o.compressor = "qsgd:4";  // random choices too: they come from (seed, rank, step)
    std::vector<std::vector<double>> straight(4), resumed(4);
    comm::run_local(4, [&](comm::Communicator& c) {
      const auto r = static_cast<std::size_t>(c.rank());
      const algo::GradientFn<double> pull = [&](std::span<const double> x, std::span<double> g) {
        for (std::size_t j = 0; j < g.size(); ++j) g[j] = x[j] - static_cast<double>(r + j);
        return 0.0;
      };
      auto a = algo::make_algorithm<double>(o, 6);
      std::vector<double> x(6, 1.0);
      std::vector<std::vector<double>> state;
      std::vector<double> x_then;
      for (int k = 0; k < 20; ++k) {
        if (k == 10) state = a->state(), x_then = x;
        a->step(x, pull, c, ring, k);
      }
      straight[r] = x;
      auto b = algo::make_algorithm<double>(o, 6);
      b->set_state(state);
      for (int k = 10; k < 20; ++k) b->step(x_then, pull, c, ring, k);
      resumed[r] = x_then;
    });
    CAPTURE(name);
    CHECK(straight == resumed);
  }
}
