// Structure of every generator: doubly stochastic matrices, the edges each kind is defined by,
// the weight rules, and the errors for node counts a kind does not allow.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "topology/generators.hpp"
#include "topology_helpers.hpp"

using namespace decent::topology;
using decent::test::dense_from_queries;
using decent::test::make;

namespace {

int mod(long long a, int n) {
  return static_cast<int>(((a % n) + n) % n);
}

std::set<int> in_set(const Topology& t, int i, std::int64_t step = 0) {
  std::set<int> s;
  for (const auto& e : t.at(step).in_neighbors(i)) s.insert(e.node);
  return s;
}

}  // namespace

TEST_CASE("every kind gives doubly stochastic non-negative W for n = 1..65 where it allows n") {
  for (const auto& kind : all_kinds()) {
    for (int n = 1; n <= 65; ++n) {
      CAPTURE(kind.name);
      CAPTURE(n);
      if (!decent::test::kind_allows(kind.kind, n)) {
        CHECK_THROWS_AS(make(kind.kind, n), decent::InvalidArgument);
        continue;
      }
      const auto t = make(kind.kind, n);
      REQUIRE(t.nodes() == n);
      for (int k = 0; k < t.period(); ++k) {
        const auto w = dense_from_queries(t, k);
        for (int i = 0; i < n; ++i) {
          double row = 0, col = 0;
          for (int j = 0; j < n; ++j) {
            const double wij = w[static_cast<std::size_t>(i * n + j)];
            CHECK(wij >= 0);
            row += wij;
            col += w[static_cast<std::size_t>(j * n + i)];
          }
          CHECK(row == doctest::Approx(1.0).epsilon(1e-12));
          CHECK(col == doctest::Approx(1.0).epsilon(1e-12));
        }
      }
    }
  }
}

TEST_CASE("node counts a kind does not allow are refused with a message that says why") {
  auto message = [](auto&& build) -> std::string {
    try {
      build();
    } catch (const decent::InvalidArgument& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(message([] { Topology("ring", -3); }).find("at least 1") != std::string::npos);
  CHECK(message([] { Topology("ring", 0); }).find("number of nodes not given") !=
        std::string::npos);
  CHECK(message([] { Topology("hypercube", 12); }).find("power of 2 (nearest: 8 or 16)") !=
        std::string::npos);
  CHECK(message([] { Topology("torus", 7); }).find("n is prime") != std::string::npos);
  CHECK(message([] { Topology("torus", 13); }).find("n is prime") != std::string::npos);
  CHECK(message([] { Topology("grid", 3); }).find("below 4") != std::string::npos);
  CHECK(message([] { Topology("torus:3x4", 16); }).find("has 12 nodes, not 16") !=
        std::string::npos);
  CHECK(message([] { Topology("ring:n=8", 9); }).find("n=8 but 9 nodes") != std::string::npos);
  CHECK(message([] { Topology("full", 5000); }).find("at most 4096") != std::string::npos);
  CHECK(message([] { Topology("rign", 4); }).find("did you mean ring?") != std::string::npos);
  CHECK_THROWS_AS(Topology("random:p=0.001,seed=1", 60), decent::InvalidArgument);
}

TEST_CASE("ring and directed ring have the neighbours and weights of their definition") {
  for (int n = 3; n <= 20; ++n) {
    const Topology ring("ring", n), dring("directed-ring", n);
    for (int i = 0; i < n; ++i) {
      CHECK(in_set(ring, i) == std::set<int>{mod(i - 1, n), mod(i + 1, n)});
      for (const auto& e : ring.at(0).in_neighbors(i)) CHECK(e.weight == doctest::Approx(1.0 / 3));
      CHECK(in_set(dring, i) == std::set<int>{mod(i + 1, n)});
      CHECK(dring.at(0).self_weight(i) == 0.5);
    }
    CHECK_FALSE(ring.directed());
    CHECK(dring.directed());
  }
}

TEST_CASE("static exponential: node i receives from i + 2^j, j < ceil(log2 n), weight 1/(tau+1)") {
  for (int n = 2; n <= 40; ++n) {
    const int tau = static_cast<int>(std::ceil(std::log2(n)));
    const Topology t("exp", n);
    for (int i = 0; i < n; ++i) {
      std::set<int> expected;
      for (int j = 0; j < tau; ++j) expected.insert(mod(i + (1LL << j), n));
      CHECK(in_set(t, i) == expected);
      CHECK(t.at(0).self_weight(i) == doctest::Approx(1.0 / (tau + 1)));
    }
  }
}

TEST_CASE("one-peer exponential: at step k node i receives only from i + 2^(k mod tau)") {
  for (int n : {2, 3, 5, 8, 12, 16}) {
    const int tau = static_cast<int>(std::ceil(std::log2(n)));
    const Topology t("one-peer-exp", n);
    CHECK(t.period() == tau);
    CHECK(t.max_degree() == 1);
    for (int k = 0; k < 3 * tau; ++k)
      for (int i = 0; i < n; ++i) {
        const int peer = mod(i + (1LL << (k % tau)), n);
        const auto in = t.at(k).in_neighbors(i);
        REQUIRE(in.size() == 1);
        CHECK(in[0].node == peer);
        CHECK(in[0].weight == 0.5);
        const auto out = t.at(k).out_neighbors(i);
        REQUIRE(out.size() == 1);
        CHECK(out[0].node == mod(i - (1LL << (k % tau)), n));
      }
  }
  CHECK(Topology("one-peer-exp", 1).period() == 1);
}

TEST_CASE("hypercube, torus, grid and star have the degrees of their definition") {
  for (int d = 0; d <= 10; ++d) {
    const Topology t("hypercube", 1 << d);
    for (int i = 0; i < t.nodes(); ++i)
      for (const auto& e : t.at(0).in_neighbors(i))
        CHECK(std::popcount(static_cast<unsigned>(e.node ^ i)) == 1);
    CHECK(t.max_degree() == d);
  }
  const Topology torus("torus:4x5", 0);
  for (int i = 0; i < 20; ++i) CHECK(torus.at(0).in_neighbors(i).size() == 4);
  const Topology grid("grid:3x4", 0);
  CHECK(grid.at(0).in_neighbors(0).size() == 2);  // corner
  CHECK(grid.at(0).in_neighbors(1).size() == 3);  // edge
  CHECK(grid.at(0).in_neighbors(5).size() == 4);  // interior (row 1, col 1)
  const Topology star("star", 9);
  CHECK(star.at(0).in_neighbors(0).size() == 8);
  for (int i = 1; i < 9; ++i) CHECK(in_set(star, i) == std::set<int>{0});
  CHECK(Topology("torus", 12).spec().rows == 3);  // the most square factorisation
}

TEST_CASE("Metropolis-Hastings weights are 1/(1 + max(d_i, d_j)) and symmetric") {
  for (const char* spec : {"star", "grid", "random:p=0.2,seed=3", "ring:weights=metropolis"}) {
    CAPTURE(spec);
    const Topology t(spec, 36);
    CHECK(t.symmetric());
    const auto& w = t.at(0);
    for (int i = 0; i < 36; ++i) {
      double others = 0;
      for (const auto& e : w.in_neighbors(i)) {
        const double di = static_cast<double>(w.in_neighbors(i).size());
        const double dj = static_cast<double>(w.in_neighbors(e.node).size());
        CHECK(e.weight == doctest::Approx(1.0 / (1.0 + std::max(di, dj))));
        others += e.weight;
      }
      CHECK(w.self_weight(i) == doctest::Approx(1.0 - others));
    }
  }
}

TEST_CASE("weight rules that cannot work are refused with the reason") {
  CHECK_THROWS_AS(Topology("star:weights=uniform", 5), decent::NumericalError);
  CHECK_THROWS_AS(Topology("exp:weights=metropolis", 5), decent::NotSupported);
  try {
    Topology("star:weights=uniform", 5);
  } catch (const decent::NumericalError& e) {
    const std::string m = e.what();
    CHECK(m.find("not doubly stochastic") != std::string::npos);
    CHECK(m.find("column sum 2.2 (node 0)") != std::string::npos);  // 1/5 + 4 * 1/2
    CHECK(m.find("use weights=metropolis") != std::string::npos);
  }
}

TEST_CASE("random graphs: reproducible per seed, connected, edge density about p") {
  const Topology a("random:p=0.3,seed=7", 64), b("random:p=0.3,seed=7", 64),
      c("random:p=0.3,seed=8", 64);
  std::size_t edges = 0;
  bool differs = false;
  for (int i = 0; i < 64; ++i) {
    CHECK(in_set(a, i) == in_set(b, i));
    differs = differs || in_set(a, i) != in_set(c, i);
    edges += a.at(0).in_neighbors(i).size();
  }
  CHECK(differs);
  // Edges ~ Binomial(2016, 0.3): mean 604.8, sd 20.6; allow 5 sd.
  CHECK(std::abs(static_cast<double>(edges / 2) - 604.8) < 5 * 20.6);
  // Connected: a breadth-first search from node 0 reaches everyone.
  std::set<int> seen = {0}, frontier = {0};
  while (!frontier.empty()) {
    std::set<int> next;
    for (int i : frontier)
      for (int j : in_set(a, i))
        if (seen.insert(j).second) next.insert(j);
    frontier = next;
  }
  CHECK(seen.size() == 64);
}

TEST_CASE("steps index the period and negative steps are refused") {
  const Topology t("one-peer-exp", 16);
  for (int k = 0; k < 8; ++k) CHECK(&t.at(k) == &t.at(k + t.period()));
  CHECK_THROWS_AS(t.at(-1), decent::OutOfRange);
  CHECK_THROWS_AS(t.check_node(16), decent::OutOfRange);
  CHECK_THROWS_AS(t.check_node(-1), decent::OutOfRange);
}
