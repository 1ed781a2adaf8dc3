// EquiTopo graphs (topology/equi_topo.hpp). The expected figures are derived from the definition
// B_a = I/n + ((n-1)/n) P_a with a uniform in 1..n-1, not from the code:
// - OD-EquiDyn: for any x with mean 0, E_a ||((1-eta) I + eta B_a) x||^2 =
//   ((1-eta)^2 + eta^2 (1 - 2/n)) ||x||^2, because sum over all n shifts of P_a x = 0 gives
//   E_a <x, P_a x> = -||x||^2 / (n-1). Measured on random vectors over 2000 steps.
// - D-EquiStatic: the paper's bound (Song et al. 2022, Theorem for EquiStatic): with
//   M >= 8 ln(2n/p) / (3 eps^2) shifts, ||W - 11^T/n||_2 <= eps with probability >= 1 - p.
//   W is circulant, so its rho is the largest |sum_d c_d w^(jd)|, j != 0, computed here.
// - OU-EquiDyn: its measured rate stays between 1/2 and 0.6 from n = 16 to 1024 and differs by
//   less than 0.01 between n = 64 and n = 1024 (measured 0.526, 0.555, 0.556, 0.558); a ring's
//   rate approaches 1 as n grows.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <string>

#include "core/error.hpp"
#include "topology/topology.hpp"

using namespace decent::topology;

namespace {

// Mean over steps of ||x_(t+1) - mean||^2 / ||x_t - mean||^2, for 4 random vectors at once.
double measured_rate(const Topology& t, int steps) {
  const int n = t.nodes();
  constexpr std::size_t kColumns = 4;
  std::mt19937_64 gen(7);
  std::normal_distribution<double> normal;
  std::vector<double> x(static_cast<std::size_t>(n) * kColumns), next(x.size());
  auto deviation = [&](std::vector<double>& v) {  // recentres v, returns ||v||^2
    double energy = 0;
    for (std::size_t c = 0; c < kColumns; ++c) {
      double mean = 0;
      for (int i = 0; i < n; ++i) mean += v[static_cast<std::size_t>(i) * kColumns + c];
      mean /= n;
      for (int i = 0; i < n; ++i) {
        auto& e = v[static_cast<std::size_t>(i) * kColumns + c];
        e -= mean;
        energy += e * e;
      }
    }
    return energy;
  };
  double sum = 0;
  for (int s = 0; s < steps; ++s) {
    if (s % 8 == 0)  // fresh vectors now and then, so that rounding never dominates
      for (auto& e : x) e = normal(gen);
    const double before = deviation(x);
    t.at(s).apply(x.data(), next.data(), kColumns);
    x.swap(next);
    sum += deviation(x) / before;
  }
  return sum / steps;
}

// rho of a circulant W (node i receives from i + d with weight c_d), from its eigenvalues.
double circulant_rho(const MixingMatrix& w) {
  const int n = w.nodes();
  std::vector<double> c(static_cast<std::size_t>(n), 0.0);
  c[0] = w.self_weight(0);
  for (const auto& e : w.in_neighbors(0)) c[static_cast<std::size_t>(e.node)] += e.weight;
  double rho = 0;
  for (int j = 1; j < n; ++j) {
    std::complex<double> lambda = 0;
    for (int d = 0; d < n; ++d)
      lambda += c[static_cast<std::size_t>(d)] *
                std::polar(1.0, 2 * std::numbers::pi * j * d / static_cast<double>(n));
    rho = std::max(rho, std::abs(lambda));
  }
  return rho;
}

}  // namespace

TEST_CASE("OD-EquiDyn contracts by its closed-form rate on random vectors, whatever n") {
  for (const int n : {16, 64, 256, 1024})
    for (const double eta : {0.5, 1.0}) {
      CAPTURE(n);
      CAPTURE(eta);
      const Topology t(fmt::format("od-equi-dyn:eta={},steps=2000,seed=3", eta), n);
      const double expected = (1 - eta) * (1 - eta) + eta * eta * (1 - 2.0 / n);
      CHECK(measured_rate(t, 2000) == doctest::Approx(expected).epsilon(0.05));
      for (int s = 0; s < 20; ++s)
        for (int i = 0; i < n; ++i) {
          CHECK(t.at(s).in_neighbors(i).size() == 1);
          CHECK(t.at(s).out_neighbors(i).size() == 1);
        }
    }
}

TEST_CASE("OU-EquiDyn is a matching per step and contracts at the same rate from 16 to 1024") {
  std::vector<double> rates;
  for (const int n : {16, 64, 256, 1024}) {
    CAPTURE(n);
    const Topology t("ou-equi-dyn:steps=2000,seed=5", n);
    CHECK(t.symmetric());
    CHECK(t.max_degree() == 1);
    rates.push_back(measured_rate(t, 2000));
    CHECK(rates.back() > 0.5);  // pairs, damped by eta (n-1)/n, not more
    CHECK(rates.back() < 0.6);
  }
  CHECK(std::abs(rates[1] - rates.back()) < 0.01);  // n = 64 against n = 1024
}

TEST_CASE("EquiStatic meets the paper's bound on rho with its M, at every n") {
  // eps = 1/2 with probability 1 - p = 0.9: M = ceil(8 ln(20 n) / 0.75); five seeds each.
  for (const int n : {16, 64, 256, 1024}) {
    const int m = static_cast<int>(std::ceil(8 * std::log(2 * n / 0.1) / (3 * 0.25)));
    for (const std::string kind : {"equi-static", "u-equi-static"})
      for (int seed = 0; seed < 5; ++seed) {
        CAPTURE(n);
        CAPTURE(kind);
        CAPTURE(seed);
        const Topology t(fmt::format("{}:m={},seed={}", kind, m, seed), n);
        CHECK(circulant_rho(t.at(0)) <= 0.5);
        CHECK(t.max_degree() <= (kind == "equi-static" ? m : 2 * m));
      }
  }
  // One shift alone (M = 1) is a damped cyclic shift: rho is |1/n + (n-1)/n w^(ja)|, near 1.
  CHECK(circulant_rho(Topology("equi-static:m=1", 64).at(0)) > 0.9);
}

TEST_CASE("EquiTopo schedules: the same spec gives the same schedule, another seed another") {
  for (const std::string kind : {"equi-static", "u-equi-static", "od-equi-dyn", "ou-equi-dyn"}) {
    CAPTURE(kind);
    const Topology a(kind + ":seed=11", 48), b(kind + ":seed=11", 48), c(kind + ":seed=12", 48);
    CHECK(a.fingerprint() == b.fingerprint());
    CHECK(a.fingerprint() != c.fingerprint());
    CHECK(Topology(a.name(), 0).fingerprint() == a.fingerprint());  // the name rebuilds it
  }
  CHECK(Topology("equi-static", 100).name() == "equi-static:n=100,m=5,seed=0");
  CHECK(Topology("od-equi-dyn", 10).name() == "od-equi-dyn:n=10,eta=0.5,steps=256,seed=0");
  CHECK(Topology("od-equi-dyn", 10).period() == 256);
  CHECK_THROWS_WITH_AS(Topology("od-equi-dyn:eta=0", 10), doctest::Contains("(0, 1]"),
                       decent::InvalidArgument);
  CHECK_THROWS_WITH_AS(Topology("equi-static:eta=0.5", 10), doctest::Contains("expected n"),
                       decent::InvalidArgument);
  CHECK_THROWS_WITH_AS(Topology("ou-equi-dyn:steps=100000", 1000),
                       doctest::Contains("fewer steps="), decent::InvalidArgument);
  CHECK_THROWS_WITH_AS(Topology("u-equi-static:weights=uniform", 10),
                       doctest::Contains("part of its construction"), decent::InvalidArgument);
}
