// The Base-(k+1) and Simple Base-(k+1) graphs (topology/base_graph.hpp): for every n = 1..100
// and k = 1..4 the product of one period's matrices is exactly 11^T/n (checked as a dense product
// in double, rebuilt from the neighbour queries), the period is at most 2 log_(k+1)(n) + 2, every
// node talks to at most k peers per step, and the edges are symmetric.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "topology_helpers.hpp"

using namespace decent::topology;
using decent::test::dense_from_queries;

namespace {

// C = A B for n x n row-major matrices.
std::vector<double> multiply(const std::vector<double>& a, const std::vector<double>& b, int n) {
  const auto m = static_cast<std::size_t>(n);
  std::vector<double> c(m * m, 0.0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t l = 0; l < m; ++l)
      for (std::size_t j = 0; j < m; ++j) c[i * m + j] += a[i * m + l] * b[l * m + j];
  return c;
}

}  // namespace

TEST_CASE("base graphs average exactly in one period for every n up to 100 and k up to 4") {
  for (const std::string kind : {"base", "simple-base"})
    for (int k = 1; k <= 4; ++k)
      for (int n = 1; n <= 100; ++n) {
        CAPTURE(kind);
        CAPTURE(k);
        CAPTURE(n);
        const Topology t(kind + ":k=" + std::to_string(k), n);
        REQUIRE(t.nodes() == n);
        // The period bound of the construction: log_(k+1)(n) rounds of the largest group's own
        // hyper-hypercube (+1 for its leading digit), one merge, log_(k+1)(n) rounds in blocks.
        const double bound = 2 * std::log(static_cast<double>(n)) / std::log(k + 1.0) + 2;
        CHECK(t.period() <= bound + 1e-9);
        auto product = dense_from_queries(t, 0);
        for (int s = 1; s < t.period(); ++s)
          product = multiply(dense_from_queries(t, s), product, n);
        double worst = 0;
        for (double v : product) worst = std::max(worst, std::abs(v - 1.0 / n));
        CHECK(worst < 1e-12);
        for (int s = 0; s < t.period(); ++s)
          for (int i = 0; i < n; ++i) {
            CHECK(t.at(s).in_neighbors(i).size() <= static_cast<std::size_t>(k));
            CHECK(t.at(s).out_neighbors(i).size() <= static_cast<std::size_t>(k));
          }
        CHECK(t.symmetric());
        CHECK(t.max_degree() <= k);
      }
}

TEST_CASE("base graphs on n with small prime factors are the k-peer hyper-hypercube") {
  // 12 = 3 x 2 x 2 with k = 2: three rounds, cliques of 3 then pairs (weights 1/3, 1/2);
  // 16 with k = 1: the one-peer hypercube, 4 rounds of pairs i ~ i xor 2^r.
  const Topology a("base:k=2", 12);
  REQUIRE(a.period() == 3);
  CHECK(a.at(0).self_weight(0) == doctest::Approx(1.0 / 3));
  CHECK(a.at(0).in_neighbors(0).size() == 2);
  CHECK(a.at(1).in_neighbors(0).size() == 1);
  CHECK(a.at(1).self_weight(0) == 0.5);
  const Topology h("base:k=1", 16);
  REQUIRE(h.period() == 4);
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < 16; ++i) {
      REQUIRE(h.at(r).in_neighbors(i).size() == 1);
      CHECK(h.at(r).in_neighbors(i)[0].node == (i ^ (1 << r)));
      CHECK(h.at(r).in_neighbors(i)[0].weight == 0.5);
    }
}

TEST_CASE("the Base-(k+1) graph's periods: the paper's construction, never above the simple one") {
  // Counted by hand from the construction (Takezawa et al., Sec. 4): n = p q with p the largest
  // divisor made of primes <= k+1; q rounds of the Simple Base-(k+1) graph on q nodes, then the
  // hyper-hypercube on p. n = 6, k = 1: 6 = 2 x 3; Simple Base-2 on 3 = 2 + 1 takes 1 + 1 + 1
  // rounds, then one round of pairs: 4 (the Simple Base-2 graph on 6 = 4 + 2 takes 2 + 1 + 2 = 5).
  // n = 12: 3 + 2 = 5 (simple 3 + 1 + 3 = 7); n = 24: 3 + 3 = 6 (simple 9); n = 100 = 4 x 25:
  // 25 = 16 + 8 + 1 takes 4 + 1 + 4 = 9, + 2 = 11 (simple on 64 + 32 + 4: 6 + 1 + 6 = 13).
  const std::vector<std::array<int, 3>> expected = {
      {6, 4, 5}, {12, 5, 7}, {24, 6, 9}, {100, 11, 13}};
  for (const auto& [n, base, simple] : expected) {
    CAPTURE(n);
    CHECK(Topology("base:k=1", n).period() == base);
    CHECK(Topology("simple-base:k=1", n).period() == simple);
  }
  for (int k = 1; k <= 4; ++k)
    for (int n = 1; n <= 100; ++n) {
      CAPTURE(k);
      CAPTURE(n);
      const auto ks = ":k=" + std::to_string(k);
      CHECK(Topology("base" + ks, n).period() <= Topology("simple-base" + ks, n).period());
    }
}

TEST_CASE("base graph specs: k from 1 to 8, no weight rule, and the canonical name") {
  CHECK(Topology("base", 6).name() == "base:n=6,k=1");
  CHECK(Topology("base:k=3", 10).name() == "base:n=10,k=3");
  CHECK(Topology("simple-base:k=2", 10).name() == "simple-base:n=10,k=2");
  CHECK_THROWS_WITH_AS(Topology("base:k=9", 10), doctest::Contains("expected 1 to 8"),
                       decent::InvalidArgument);
  CHECK_THROWS_WITH_AS(Topology("base:k=2,weights=uniform", 10),
                       doctest::Contains("weights are part of its construction"),
                       decent::InvalidArgument);
  CHECK_THROWS_AS(Topology("base:p=0.5", 10), decent::InvalidArgument);
}
