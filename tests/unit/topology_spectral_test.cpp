// rho = ||W - 11^T/n||_2 against closed forms, and the one-peer exponential period product
// against its exact value. Eigenvalues of circulant matrices are computed here from their
// definition (lambda_k = sum_d c_d omega^(k d)), independently of the Eigen solvers in the code.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <set>

#include "core/error.hpp"
#include "topology/spectral.hpp"
#include "topology_helpers.hpp"

using namespace decent::topology;
using std::numbers::pi;

namespace {

// rho of a circulant W with (x W)_i = sum_d c_d x_(i+d): max over k != 0 of |lambda_k|, exact
// because circulant matrices are normal.
double circulant_rho(int n, const std::vector<std::pair<long long, double>>& offsets) {
  double rho = 0;
  for (int k = 1; k < n; ++k) {
    std::complex<double> lambda = 0;
    for (auto [d, c] : offsets)
      lambda += c * std::polar(1.0, 2 * pi * static_cast<double>(k * d % n) / n);
    rho = std::max(rho, std::abs(lambda));
  }
  return rho;
}

double max_abs_deviation_from_average(const std::vector<double>& m, int n) {
  double e = 0;
  for (double v : m) e = std::max(e, std::abs(v - 1.0 / n));
  return e;
}

int ceil_log2(int n) {
  return static_cast<int>(std::ceil(std::log2(n)));
}

}  // namespace

TEST_CASE("ring with weights 1/3: rho = 1/3 + 2/3 cos(2 pi / n)") {
  for (int n = 3; n <= 65; ++n) {
    CAPTURE(n);
    CHECK(rho(Topology("ring", n)) ==
          doctest::Approx(1.0 / 3 + 2.0 / 3 * std::cos(2 * pi / n)).epsilon(1e-12));
  }
}

TEST_CASE("directed ring with weights 1/2: rho = |1/2 + 1/2 e^(2 pi i/n)| = cos(pi/n)") {
  for (int n = 2; n <= 40; ++n) {
    CAPTURE(n);
    CHECK(rho(Topology("directed-ring", n)) == doctest::Approx(std::cos(pi / n)).epsilon(1e-12));
  }
}

TEST_CASE("static exponential graph: rho = 1 - 2/(1 + log2 n) for n a power of 2") {
  for (int n = 2; n <= 1024; n *= 2) {
    CAPTURE(n);
    CHECK(rho(Topology("exp", n)) == doctest::Approx(1 - 2.0 / (1 + std::log2(n))).epsilon(1e-10));
  }
}

TEST_CASE("static and symmetric exponential graphs: rho equals the circulant eigenvalue bound") {
  for (int n = 3; n <= 65; ++n) {
    const int tau = ceil_log2(n);
    std::vector<std::pair<long long, double>> directed = {{0, 1.0 / (tau + 1)}};
    std::set<long long> both;
    for (int j = 0; j < tau; ++j) {
      directed.push_back({1LL << j, 1.0 / (tau + 1)});
      both.insert((1LL << j) % n), both.insert(((n - (1LL << j)) % n + n) % n);
    }
    both.erase(0);
    const double weight = 1.0 / (static_cast<double>(both.size()) + 1);
    std::vector<std::pair<long long, double>> symmetric = {{0, weight}};
    for (long long d : both) symmetric.push_back({d, weight});
    CAPTURE(n);
    CHECK(rho(Topology("exp", n)) == doctest::Approx(circulant_rho(n, directed)).epsilon(1e-10));
    CHECK(rho(Topology("sym-exp", n)) ==
          doctest::Approx(circulant_rho(n, symmetric)).epsilon(1e-10));
    // For even n the eigenvalue at k = n/2 is (tau - 1)/(tau + 1): the gap is at most 2/(1+tau).
    if (n % 2 == 0) CHECK(rho(Topology("exp", n)) >= (tau - 1.0) / (tau + 1) - 1e-12);
  }
}

TEST_CASE("hypercube with weights 1/(1+log2 n): rho = 1 - 2/(1 + log2 n)") {
  for (int n = 2; n <= 1024; n *= 2) {
    CAPTURE(n);
    CHECK(rho(Topology("hypercube", n)) ==
          doctest::Approx(1 - 2.0 / (1 + std::log2(n))).epsilon(1e-10));
  }
}

TEST_CASE("2-D torus RxC with weights 1/5: rho from its product eigenvalues") {
  for (auto [r, c] :
       std::vector<std::pair<int, int>>{{3, 3}, {3, 5}, {4, 4}, {4, 6}, {5, 7}, {8, 8}}) {
    double expected = 0;
    for (int a = 0; a < r; ++a)
      for (int b = 0; b < c; ++b)
        if (a || b)
          expected = std::max(
              expected,
              std::abs((1 + 2 * std::cos(2 * pi * a / r) + 2 * std::cos(2 * pi * b / c)) / 5));
    CAPTURE(r);
    CAPTURE(c);
    const Topology t("torus:" + std::to_string(r) + "x" + std::to_string(c), 0);
    CHECK(rho(t) == doctest::Approx(expected).epsilon(1e-10));
    if (r == c && r >= 4)  // docs/algorithms.md: 1 - rho = 4/5 sin^2(pi / side)
      CHECK(1 - rho(t) == doctest::Approx(0.8 * std::pow(std::sin(pi / r), 2)).epsilon(1e-10));
  }
}

TEST_CASE("star with Metropolis weights: rho = 1 - 1/n, and fully connected: rho = 0") {
  for (int n = 3; n <= 40; ++n) {
    CAPTURE(n);
    CHECK(rho(Topology("star", n)) == doctest::Approx(1 - 1.0 / n).epsilon(1e-10));
  }
  for (int n = 1; n <= 65; ++n) CHECK(rho(Topology("full", n)) < 1e-12);
}

TEST_CASE("rho of W^s equals rho^s for a static symmetric graph") {
  const Topology t("ring", 10);
  const double r = rho(t);
  CHECK(rho(t, 0, 3) == doctest::Approx(r * r * r).epsilon(1e-10));
}

TEST_CASE(
    "one-peer exponential: tau = log2 n steps average exactly, for n = 2..1024, from any step") {
  for (int n = 2; n <= 1024; n *= 2) {
    const Topology t("one-peer-exp", n);
    const int tau = ceil_log2(n);
    REQUIRE(t.period() == tau);
    for (int start : {0, 1, tau - 1, 7}) {
      CAPTURE(n);
      CAPTURE(start);
      CHECK(max_abs_deviation_from_average(product(t, start, tau), n) < 1e-12);
    }
  }
}

TEST_CASE("one-peer exponential, n not a power of 2: the period product is 2^-tau sum_m S^m") {
  // Each step is (I + S^(2^j))/2 with S the cyclic shift, so the product over j < tau expands to
  // 2^-tau (I + S + ... + S^(2^tau - 1)): entry (i, i+m mod n) gets 2^-tau for each m < 2^tau.
  for (int n = 3; n <= 65; ++n) {
    if (decent::test::is_power_of_two(n)) continue;
    const int tau = ceil_log2(n);
    const long long terms = 1LL << tau;
    std::vector<double> expected(static_cast<std::size_t>(n * n), 0.0);
    for (int i = 0; i < n; ++i)
      for (long long m = 0; m < terms; ++m)
        expected[static_cast<std::size_t>(i * n + (i + m) % n)] += 1.0 / static_cast<double>(terms);
    const Topology t("one-peer-exp", n);
    const auto p = product(t, 0, tau);
    CAPTURE(n);
    for (std::size_t e = 0; e < p.size(); ++e)
      CHECK(p[e] == doctest::Approx(expected[e]).epsilon(1e-12));
    // Its contraction: max over k != 0 of |2^-tau sum_m omega^(k m)|, below 1 since the sum covers
    // every residue at least once.
    std::vector<std::pair<long long, double>> offsets;
    for (long long m = 0; m < terms; ++m) offsets.push_back({m, 1.0 / static_cast<double>(terms)});
    const double contraction = rho(t);
    CHECK(contraction == doctest::Approx(circulant_rho(n, offsets)).epsilon(1e-10));
    CHECK(contraction < 1.0);
    CHECK(contraction <= static_cast<double>(terms - n) / static_cast<double>(terms) + 1e-12);
  }
  for (int n : {6, 12, 24})  // docs/algorithms.md: max entry error 1/(2n)
    CHECK(max_abs_deviation_from_average(product(Topology("one-peer-exp", n), 0, ceil_log2(n)),
                                         n) == doctest::Approx(1.0 / (2 * n)).epsilon(1e-12));
}

TEST_CASE("dense queries check their arguments") {
  const Topology t("ring", 8);
  CHECK_THROWS_AS(product(t, -1, 1), decent::OutOfRange);
  CHECK_THROWS_AS(product(t, 0, 0), decent::OutOfRange);
  CHECK_THROWS_AS(deviation_norm(std::vector<double>(10), 3), decent::InvalidArgument);
  CHECK_THROWS_AS(product(Topology("ring", 5000), 0, 1), decent::NotSupported);
}

namespace {

// The growth factor of momentum gossip x <- W x + beta (x - x_prev) for a circulant W: per
// Fourier mode k the recursion is z^2 - (lambda_k + beta) z + beta = 0 with lambda_k the
// eigenvalue of W - 11^T/n (lambda_0 = 0 once the average is taken out), so the factor is the
// largest root modulus over all modes.
double circulant_momentum_growth(int n, const std::vector<std::pair<long long, double>>& offsets,
                                 double beta) {
  double growth = 0;
  for (int k = 0; k < n; ++k) {
    std::complex<double> lambda = 0;
    if (k != 0)
      for (auto [d, c] : offsets)
        lambda += c * std::polar(1.0, 2 * pi * static_cast<double>(k * d % n) / n);
    const std::complex<double> b = lambda + beta, root = std::sqrt(b * b - 4.0 * beta);
    growth = std::max({growth, std::abs((b + root) / 2.0), std::abs((b - root) / 2.0)});
  }
  return growth;
}

}  // namespace

TEST_CASE("momentum gossip: growth factor of circulant graphs from their Fourier modes") {
  for (int n : {3, 8, 16, 33}) {
    const int tau = ceil_log2(n);
    std::vector<std::pair<long long, double>> exp = {{0, 1.0 / (tau + 1)}};
    for (int j = 0; j < tau; ++j) exp.push_back({1LL << j, 1.0 / (tau + 1)});
    const std::vector<std::pair<long long, double>> directed_ring = {{0, 0.5}, {1, 0.5}};
    const std::vector<std::pair<long long, double>> ring = {
        {0, 1.0 / 3}, {1, 1.0 / 3}, {n - 1, 1.0 / 3}};
    for (double beta : {0.0, 0.3, 0.5, 0.9}) {
      CAPTURE(n);
      CAPTURE(beta);
      CHECK(momentum_gossip_radius(Topology("exp", n), beta) ==
            doctest::Approx(circulant_momentum_growth(n, exp, beta)).epsilon(1e-6));
      CHECK(momentum_gossip_radius(Topology("directed-ring", n), beta) ==
            doctest::Approx(circulant_momentum_growth(n, directed_ring, beta)).epsilon(1e-6));
      // A symmetric W contracts for every beta < 1 (its modes are real and in (-1, 1)).
      CHECK(momentum_gossip_radius(Topology("ring", n), beta) ==
            doctest::Approx(circulant_momentum_growth(n, ring, beta)).epsilon(1e-6));
      CHECK(momentum_gossip_radius(Topology("ring", n), beta) < 1);
    }
    // Without momentum it is the consensus factor rho (a circulant W is normal).
    CHECK(momentum_gossip_radius(Topology("exp", n), 0) ==
          doctest::Approx(rho(Topology("exp", n))).epsilon(1e-9));
  }
  // The directed graphs grow their disagreement at the usual momentum 0.9.
  CHECK(momentum_gossip_radius(Topology("exp", 32), 0.9) > 1.2);
  CHECK_THROWS_AS(momentum_gossip_radius(Topology("ring", 8), 1.0), decent::InvalidArgument);
  CHECK_THROWS_AS(momentum_gossip_radius(Topology("ring", 300), 0.5), decent::NotSupported);
}

TEST_CASE(
    "momentum gossip over one-peer exponential graphs: the growth factor a simulation shows") {
  // Time-varying: the factor comes from the product over a period; check it against the
  // disagreement of the iteration itself, run from a fixed start.
  for (double beta : {0.3, 0.9}) {
    const Topology t("one-peer-exp", 8);
    std::vector<double> x(8), previous, next(8);
    for (int i = 0; i < 8; ++i) x[static_cast<std::size_t>(i)] = std::sin(1.0 + 3.7 * i);
    previous = x;
    auto disagreement = [](const std::vector<double>& v) {
      double mean = 0, s = 0;
      for (double e : v) mean += e / static_cast<double>(v.size());
      for (double e : v) s += (e - mean) * (e - mean);
      return std::sqrt(s);
    };
    const int from = 30, to = 90;  // whole periods (tau = 3), past the start-up transient
    double at_from = 0;
    for (int k = 0; k < to; ++k) {
      if (k == from) at_from = disagreement(x);
      t.at(k).apply(x.data(), next.data(), 1);
      for (std::size_t i = 0; i < x.size(); ++i) next[i] += beta * (x[i] - previous[i]);
      previous = x;
      x = next;
    }
    const double measured = std::pow(disagreement(x) / at_from, 1.0 / (to - from));
    CAPTURE(beta);
    CHECK(momentum_gossip_radius(t, beta) == doctest::Approx(measured).epsilon(0.03));
  }
}
