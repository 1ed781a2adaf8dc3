// `decent topology` run in-process: JSON fields checked against closed forms, the text and dot
// outputs, and the exit codes and messages of bad usage.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "cli/cli.hpp"

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = decent::cli::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

nlohmann::json run_json(std::vector<std::string> args) {
  args.insert(args.end(), {"--format", "json"});
  const auto r = run(args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  return nlohmann::json::parse(r.out);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

using std::numbers::pi;

}  // namespace

TEST_CASE("topology --format json: ring") {
  const auto j = run_json({"topology", "--kind", "ring", "--nodes", "8"});
  CHECK(j["kind"] == "ring");
  CHECK(j["nodes"] == 8);
  CHECK(j["rho"].get<double>() == doctest::Approx(1.0 / 3 + 2.0 / 3 * std::cos(2 * pi / 8)));
  CHECK(j["directed"] == false);
  CHECK(j["max_degree"] == 2);
  const auto& w = j["weights"];
  REQUIRE(w.size() == 8);
  for (int i = 0; i < 8; ++i) {
    REQUIRE(w[i].size() == 8);
    double sum = 0;
    for (int c = 0; c < 8; ++c) sum += w[i][c].get<double>();
    CHECK(sum == doctest::Approx(1.0));
    CHECK(w[i][(i + 1) % 8].get<double>() == doctest::Approx(1.0 / 3));
    CHECK(w[i][(i + 4) % 8].get<double>() == 0.0);
  }
}

TEST_CASE("topology --format json: one-peer exponential over a period and over single steps") {
  const auto j = run_json({"topology", "--kind", "one-peer-exp", "--nodes", "16"});
  CHECK(j["time_varying"] == true);
  CHECK(j["period"] == 4);
  CHECK(j["steps"] == 4);
  CHECK(j["rho"].get<double>() < 1e-12);
  for (const auto& row : j["weights"])
    for (const auto& v : row) CHECK(v.get<double>() == doctest::Approx(1.0 / 16));
  // W^(0) = (I + S)/2 has eigenvalues (1 + omega^k)/2: rho = cos(pi/n). W^(1) = (I + S^2)/2 has
  // the eigenvalue 1 at k = n/2: a single step of it does not contract.
  const auto first = run_json({"topology", "-k", "one-peer-exp", "-n", "16", "--steps", "1"});
  CHECK(first["rho"].get<double>() == doctest::Approx(std::cos(pi / 16)));
  const auto second =
      run_json({"topology", "-k", "one-peer-exp", "-n", "16", "--steps", "1", "--start", "1"});
  CHECK(second["rho"].get<double>() == doctest::Approx(1.0));
  CHECK(second["weights"][0][2].get<double>() == 0.5);  // node 0 receives from 0 + 2^1
}

TEST_CASE("topology spec and --weights combine, and conflicts are reported") {
  const auto j = run_json({"topology", "-k", "ring", "-n", "6", "--weights", "metropolis"});
  CHECK(j["weight_rule"] == "metropolis");
  const auto r = run({"topology", "-k", "ring:weights=uniform", "-n", "6", "-w", "metropolis"});
  CHECK(r.code == decent::cli::kExitFailure);
  CHECK(contains(r.err, "contradicts"));
  const auto torus = run_json({"topology", "-k", "torus:4x4"});
  CHECK(torus["nodes"] == 16);
  CHECK(torus["rows"] == 4);
}

TEST_CASE("topology text output shows the matrix for small n only") {
  auto r = run({"topology", "-k", "star", "-n", "4"});
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "rho        0.75"));  // star, Metropolis: 1 - 1/n
  CHECK(contains(r.out, "   0 0.2500 0.2500 0.2500 0.2500"));
  CHECK(contains(r.out, "   1 0.2500 0.7500      .      ."));
  r = run({"topology", "-k", "ring", "-n", "40"});
  CHECK(contains(r.out, "printed up to 16 nodes"));
}

TEST_CASE("topology --format dot: one line per undirected pair, arrows per step otherwise") {
  auto r = run({"topology", "-k", "ring", "-n", "8", "--format", "dot"});
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("graph \"ring:n=8,weights=uniform\" {", 0) == 0);
  std::size_t lines = 0;
  for (std::size_t at = r.out.find(" -- "); at != std::string::npos;
       at = r.out.find(" -- ", at + 1))
    ++lines;
  CHECK(lines == 8);
  r = run({"topology", "-k", "one-peer-exp", "-n", "8", "--format", "dot"});
  CHECK(r.out.rfind("digraph", 0) == 0);
  CHECK(contains(r.out, "1 -> 0 [label=\"k=0 0.5\"]"));  // node 0 receives from 1 at step 0
  CHECK(contains(r.out, "4 -> 0 [label=\"k=2 0.5\"]"));  // and from 4 at step 2
}

TEST_CASE("bad usage: exit codes and messages") {
  auto r = run({"topology", "--kind", "rign", "--nodes", "4"});
  CHECK(r.code == decent::cli::kExitFailure);
  CHECK(contains(r.err,
                 "decent topology: error: topology \"rign\": unknown kind (did you mean ring?)"));
  r = run({"topology", "--kind", "ring", "--nodes", "4", "--format", "xml"});
  CHECK(r.code == decent::cli::kExitUsage);
  CHECK(contains(r.err, "xml"));
  r = run({"topology", "--nodes", "4"});
  CHECK(r.code == decent::cli::kExitFailure);
  CHECK(contains(r.err, "--kind is required"));
  r = run({"topology", "--kind", "ring", "--nodes", "0"});
  CHECK(r.code == decent::cli::kExitUsage);
  r = run({"topology", "--kind", "hypercube", "--nodes", "12"});
  CHECK(contains(r.err, "power of 2"));
  r = run({});
  CHECK(r.code == decent::cli::kExitUsage);
  r = run({"frobnicate"});
  CHECK(r.code == decent::cli::kExitUsage);
  r = run({"topology", "--help"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "--kind"));
  r = run({"topology", "--list"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "one-peer-exp"));
  CHECK(contains(r.out, "hypercube"));
}
