// Hierarchical graphs (topology/hierarchical.hpp): every step's W equals, entry for entry and bit
// for bit, the Kronecker product the definition gives, built here from a separately built outer
// topology: I_M (x) 11^T/G inside machines, W_o^(s) (x) I_G across them.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "topology_helpers.hpp"

using namespace decent::topology;
using decent::test::dense_from_queries;

namespace {

using Dense = std::vector<double>;

// A (x) B for a of size p x p and b of size q x q, row-major.
Dense kronecker(const Dense& a, int p, const Dense& b, int q) {
  const int n = p * q;
  Dense c(static_cast<std::size_t>(n) * n);
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j)
      for (int k = 0; k < q; ++k)
        for (int l = 0; l < q; ++l)
          c[static_cast<std::size_t>((i * q + k) * n + j * q + l)] =
              a[static_cast<std::size_t>(i * p + j)] * b[static_cast<std::size_t>(k * q + l)];
  return c;
}

Dense identity(int n) {
  Dense d(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) d[static_cast<std::size_t>(i * n + i)] = 1.0;
  return d;
}

Dense averaging(int n) {
  return Dense(static_cast<std::size_t>(n) * n, 1.0 / n);
}

}  // namespace

TEST_CASE("hierarchical W: exact averages inside machines, the outer graph node l to node l") {
  for (const std::string outer : {"one-peer-exp", "ring", "base:k=1", "directed-ring", "exp"})
    for (const int g : {1, 2, 3, 4})
      for (const int machines : {1, 2, 3, 5, 6}) {
        CAPTURE(outer);
        CAPTURE(g);
        CAPTURE(machines);
        const Topology t("hier:" + std::to_string(g) + ":" + outer, machines * g);
        const Topology o(outer, machines);
        std::vector<Dense> expected;
        const Dense inside = kronecker(identity(machines), machines, averaging(g), g);
        if (machines == 1) {
          expected = {inside};
        } else {
          for (int s = 0; s < o.period(); ++s) {
            if (g > 1) expected.push_back(inside);
            expected.push_back(kronecker(dense_from_queries(o, s), machines, identity(g), g));
          }
        }
        REQUIRE(t.period() == static_cast<int>(expected.size()));
        for (int s = 0; s < t.period(); ++s) {
          CAPTURE(s);
          CHECK(dense_from_queries(t, s) == expected[static_cast<std::size_t>(s)]);
        }
        // Across machines each node talks to the same node of its outer peers only.
        if (machines > 1) CHECK(t.at(g > 1 ? 1 : 0).max_degree() == o.at(0).max_degree());
      }
}

TEST_CASE("hierarchical specs: the canonical name rebuilds it, and bad machine sizes are refused") {
  const Topology t("hier:4:base:k=1", 12);
  CHECK(t.name() == "hier:4:base:n=3,k=1");
  CHECK(Topology(t.name(), 0).fingerprint() == t.fingerprint());
  CHECK(Topology("hier:2", 8).name() == "hier:2:one-peer-exp:n=4,weights=uniform");
  CHECK_THROWS_WITH_AS(Topology("hier:4:ring", 10), doctest::Contains("multiple of G"),
                       decent::InvalidArgument);
  CHECK_THROWS_WITH_AS(Topology("hier:ring", 8), doctest::Contains("nodes per machine not given"),
                       decent::InvalidArgument);
  CHECK_THROWS_WITH_AS(Topology("hier:0:ring", 8), doctest::Contains("positive integer"),
                       decent::InvalidArgument);
  CHECK_THROWS_AS(Topology("hier:2:hypercube", 12), decent::InvalidArgument);  // 6 machines
}
