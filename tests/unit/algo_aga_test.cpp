// aga (Gossip-AGA): the period of the global average follows the training loss,
// H <- ceil(sqrt(F_init / F) * H0) (docs/algorithms.md). The schedules below are worked out by
// hand from scripted losses; the rest checks that aga is pga until its period first changes,
// that its state resumes exactly, and that it refuses what it cannot use.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <vector>

#include "algo/algorithm.hpp"
#include "comm/local.hpp"
#include "core/error.hpp"
#include "lab/lab.hpp"
#include "topology/topology.hpp"

using namespace decent;

namespace {

// The loss every node reports at its `step`-th gradient call (1-based), before the per-node
// factor: piecewise constant, from {last step of the piece, loss} pairs.
using Script = std::vector<std::pair<std::int64_t, double>>;

double scripted(const Script& s, std::int64_t step) {
  for (const auto& [last, loss] : s)
    if (step <= last) return loss;
  return s.back().second;
}

// Runs aga for `steps` steps on 4 nodes over the ring, every node with x = {0} and the gradient
// -(rank + 1), so that the nodes never agree unless the step ends with an exact global average.
// Node i reports the scripted loss times (0.5 + i/3): the factors average to 1, so the mean
// over nodes is the script. Returns the (1-based) steps that ended in a global average.
std::set<std::int64_t> averaging_steps(const Script& script, std::int64_t period,
                                       std::int64_t warmup, std::int64_t steps) {
  constexpr int n = 4;
  const topology::Topology ring("ring", n);
  std::vector<std::vector<double>> x_after(n, std::vector<double>(static_cast<std::size_t>(steps)));
  std::vector<std::int64_t> averages(n);
  comm::run_local(n, [&](comm::Communicator& c) {
    algo::AlgorithmOptions o;
    o.name = "aga";
    o.lr = 1;
    o.period = period;
    o.warmup = warmup;
    auto aga = algo::make_algorithm<double>(o, 1);
    REQUIRE(aga->needs_loss());
    std::vector<double> x = {0};
    std::int64_t calls = 0;
    const algo::GradientFn<double> gradient = [&](std::span<const double>, std::span<double> g) {
      g[0] = -(c.rank() + 1.0);
      return scripted(script, ++calls) * (0.5 + c.rank() / 3.0);
    };
    for (std::int64_t k = 0; k < steps; ++k) {
      aga->step(x, gradient, c, ring, k);
      x_after[static_cast<std::size_t>(c.rank())][static_cast<std::size_t>(k)] = x[0];
    }
    averages[static_cast<std::size_t>(c.rank())] = aga->global_averages();
  });
  std::set<std::int64_t> result;
  for (std::int64_t k = 0; k < steps; ++k) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& node : x_after) {
      lo = std::min(lo, node[static_cast<std::size_t>(k)]);
      hi = std::max(hi, node[static_cast<std::size_t>(k)]);
    }
    if (hi - lo < 1e-12) result.insert(k + 1);
  }
  for (auto a : averages) CHECK(a == static_cast<std::int64_t>(result.size()));
  return result;
}

// Heterogeneous logistic regression on `nodes` nodes (exact gradients unless batch is set).
lab::LabOptions heterogeneous_logistic(double lr, std::int64_t period, int nodes) {
  lab::LabOptions o;
  o.problem.kind = lab::ProblemKind::logistic;
  o.problem.heterogeneous = true;
  o.problem.nodes = nodes;
  o.algorithm.lr = lr;
  o.algorithm.period = period;
  return o;
}

}  // namespace

TEST_CASE("aga: the period follows sqrt(F_init / F) * H0, worked out by hand") {
  // H0 = 2, F_init = mean loss of steps 1-2 = 4. Then, after each global average, with F the
  // mean loss since the previous one:
  //   step 4:  F = 1     -> H = ceil(sqrt(4) * 2)       = 4  (next at 8)
  //   step 8:  F = 0.25  -> H = ceil(sqrt(16) * 2)      = 8  (next at 16)
  //   step 16: F = 4     -> H = ceil(1 * 2)             = 2  (the loss rose: back to H0; 18)
  //   step 18: F = 4/9   -> H = ceil(3 * 2)             = 6  (24)
  //   step 24: F = 1.5   -> H = ceil(1.633 * 2)         = 4  (28)
  const Script script = {{2, 4}, {4, 1}, {8, 0.25}, {16, 4}, {18, 4.0 / 9}, {24, 1.5}, {30, 1}};
  CHECK(averaging_steps(script, 2, 0, 30) == std::set<std::int64_t>{2, 4, 8, 16, 18, 24, 28});

  // An explicit warm-up of 3 steps: the average at step 2 does not adapt (still warming up);
  // F_init = mean of steps 1-3 = 4; at step 4, F = mean of step 4 alone = 1 -> H = 4 (8);
  // at step 8, F = 0.25 -> H = 8 (16).
  const Script warm = {{3, 4}, {4, 1}, {20, 0.25}};
  CHECK(averaging_steps(warm, 2, 3, 20) == std::set<std::int64_t>{2, 4, 8, 16});

  // A flat loss keeps the period at H0: aga is pga.
  CHECK(averaging_steps({{40, 0.7}}, 5, 0, 40) ==
        std::set<std::int64_t>{5, 10, 15, 20, 25, 30, 35, 40});
}

TEST_CASE("aga: the same iterates as pga until its period first changes") {
  auto o = heterogeneous_logistic(0.2, 4, 8);
  o.problem.batch = 4;
  o.iterations = 8;  // the first adaptation follows the average at step 8
  const topology::Topology ring("ring", 8);
  auto final_x = [&](const char* name) {
    o.algorithm.name = name;
    std::vector<std::vector<double>> x(8);
    comm::run_local(8, [&](comm::Communicator& c) {
      x[static_cast<std::size_t>(c.rank())] = lab::run_lab(c, ring, o).x;
    });
    return x;
  };
  CHECK(final_x("aga") == final_x("pga"));
}

TEST_CASE("aga: on a falling loss it averages less often than pga, and its state resumes exactly") {
  // Heterogeneous logistic regression with exact gradients: the loss falls, so the period grows.
  auto o = heterogeneous_logistic(0.5, 2, 8);
  o.iterations = 400;
  o.log_every = 400;
  const topology::Topology ring("ring", 8);
  auto run = [&](const char* name) {
    o.algorithm.name = name;
    lab::LabRecord last;
    comm::run_local(8, [&](comm::Communicator& c) {
      auto r = lab::run_lab(c, ring, o);
      if (c.rank() == 0) last = r.records.back();
    });
    return last;
  };
  const auto aga = run("aga"), pga = run("pga");
  CHECK(pga.global_averages == 200);
  CHECK(aga.global_averages < pga.global_averages);
  CHECK(aga.global_averages > 0);

  // Checkpoint round trip in float: run 13 steps, copy the state into a fresh aga, and both
  // continue identically (the loss sums are kept bit for bit).
  std::mutex m;
  std::vector<float> straight_x, resumed_x;
  comm::run_local(4, [&](comm::Communicator& c) {
    algo::AlgorithmOptions a;
    a.name = "aga";
    a.lr = 0.1;
    a.period = 3;
    const topology::Topology t("ring", 4);
    double calls = 0;
    const algo::GradientFn<float> gradient = [&](std::span<const float> x, std::span<float> g) {
      for (std::size_t j = 0; j < g.size(); ++j) g[j] = x[j] - static_cast<float>(c.rank() + j);
      calls += 1;
      return 10.0 / (calls + c.rank()) + 1e-3;  // falling, with bits beyond float's precision
    };
    auto first = algo::make_algorithm<float>(a, 2), second = algo::make_algorithm<float>(a, 2);
    std::vector<float> x = {0, 0};
    for (std::int64_t k = 0; k < 13; ++k) first->step(x, gradient, c, t, k);
    second->set_state(first->state());
    std::vector<float> y = x;
    const double calls_at_copy = calls;
    for (std::int64_t k = 13; k < 60; ++k) first->step(x, gradient, c, t, k);
    calls = calls_at_copy;
    for (std::int64_t k = 13; k < 60; ++k) second->step(y, gradient, c, t, k);
    if (c.rank() == 0) {
      std::lock_guard lock(m);
      straight_x = x, resumed_x = y;
    }
  });
  CHECK(straight_x == resumed_x);
}

TEST_CASE("aga: refuses a missing loss, a negative warm-up and a foreign state") {
  algo::AlgorithmOptions o;
  o.name = "aga";
  o.warmup = -1;
  CHECK_THROWS_WITH_AS(algo::make_algorithm<double>(o, 3), doctest::Contains("warm-up -1"),
                       InvalidArgument);
  o.warmup = 0;
  auto aga = algo::make_algorithm<double>(o, 3);
  CHECK_THROWS_WITH_AS(aga->set_state({{1.0, 2.0}}), doctest::Contains("aga state"),
                       InvalidArgument);
  std::vector<double> bad(aga->state()[0].size(), 0.0);  // period 0: not something aga wrote
  CHECK_THROWS_WITH_AS(aga->set_state({bad}), doctest::Contains("not a state aga wrote"),
                       InvalidArgument);
  algo::AlgorithmOptions pga;
  pga.name = "pga";
  CHECK_FALSE(algo::make_algorithm<double>(pga, 3)->needs_loss());

  // An oracle that does not know its loss (NaN) is named, with the step.
  comm::run_local(2, [&](comm::Communicator& c) {
    auto a = algo::make_algorithm<double>(o, 1);
    std::vector<double> x = {0};
    const algo::GradientFn<double> no_loss = [](std::span<const double>, std::span<double> g) {
      g[0] = 0;
      return std::numeric_limits<double>::quiet_NaN();
    };
    CHECK_THROWS_WITH_AS(a->step(x, no_loss, c, topology::Topology("ring", 2), 0),
                         doctest::Contains("gradient oracle returned nan at step 0"),
                         InvalidArgument);
  });
}
