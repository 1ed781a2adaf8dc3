// The consensus experiment and `decent consensus`: the error decays at the rate rho of the
// topology (the second-largest |eigenvalue| of a symmetric W, a theorem of linear algebra), the
// one-peer exponential graph reaches consensus in log2 n steps, and the CLI's outputs and errors.
#include "lab/consensus.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "../common/skip.hpp"
#include "cli/cli.hpp"
#include "comm/local.hpp"

using namespace decent;

namespace {

std::vector<double> consensus_errors(const char* spec, int n, std::int64_t iterations) {
  const topology::Topology t(spec, n);
  lab::ConsensusOptions options;
  options.iterations = iterations;
  options.dimension = 256;
  options.seed = 1;
  std::vector<double> errors;
  comm::run_local(n, [&](comm::Communicator& c) {
    auto e = lab::run_consensus(c, t, options);
    if (c.rank() == 0) errors = e;
  });
  return errors;
}

}  // namespace

TEST_CASE("consensus error decays asymptotically at rate rho") {
  // Ring, n = 16: rho = 1/3 + 2/3 cos(2 pi/16); the next eigenvalue (0.8047) has died out by
  // iteration 150 (ratio 0.848^150 ~ 1e-11).
  const auto e = consensus_errors("ring", 16, 160);
  const double rho = 1.0 / 3 + 2.0 / 3 * std::cos(2 * std::numbers::pi / 16);
  CHECK(e[0] == 1.0);
  CHECK(e[160] / e[159] == doctest::Approx(rho).epsilon(1e-3));
  for (std::size_t k = 1; k < e.size(); ++k) CHECK(e[k] <= e[k - 1] * (1 + 1e-9));  // never grows
}

TEST_CASE("one-peer exponential consensus is exact after log2 n steps (to float precision)") {
  const auto e = consensus_errors("one-peer-exp", 16, 6);
  CHECK(e[3] > 1e-3);  // not yet after 3 of the 4 steps
  CHECK(e[4] < 1e-6);
}

TEST_CASE("decent consensus: table, JSON Lines and errors") {
  std::ostringstream out, err;
  CHECK(cli::run_cli({"consensus", "-t", "ring", "-n", "4", "-i", "3", "-f", "json"}, out, err) ==
        0);
  std::istringstream lines(out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    CHECK(j["iter"] == count);
    if (count == 0) CHECK(j["error"] == 1.0);
    ++count;
  }
  CHECK(count == 4);

  out.str("");
  CHECK(cli::run_cli({"consensus", "--topology", "one-peer-exp", "--nodes", "8", "--iters", "3"},
                     out, err) == 0);
  CHECK(out.str().find("# consensus over one-peer-exp:n=8") == 0);
  CHECK(out.str().find("     3  ") != std::string::npos);

  err.str("");
  CHECK(cli::run_cli({"consensus", "-n", "4"}, out, err) == cli::kExitFailure);
  CHECK(err.str().find("--topology is required") != std::string::npos);
  CHECK(cli::run_cli({"consensus", "-t", "hypercube", "-n", "6"}, out, err) == cli::kExitFailure);
  CHECK(cli::run_cli({"consensus", "-t", "ring", "-n", "4", "--backend", "tcp"}, out, err) ==
        cli::kExitUsage);
  CHECK(cli::run_cli({"consensus", "-t", "ring", "-n", "4", "--dim", "0"}, out, err) ==
        cli::kExitUsage);
}

TEST_CASE("decent consensus --plot writes a PNG") {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0)
    decent::test::skip_test("gnuplot is not installed (apt-get install gnuplot-nox)");
  std::ostringstream out, err;
  const std::string png = "consensus_test_plot.png";
  std::remove(png.c_str());
  CHECK(cli::run_cli({"consensus", "-t", "ring", "-n", "6", "-i", "10", "--plot", png}, out, err) ==
        0);
  std::ifstream file(png, std::ios::binary);
  char signature[8] = {};
  file.read(signature, 8);
  CHECK(std::string(signature + 1, 3) == "PNG");
  std::remove(png.c_str());
}
