// Sweeps of the convergence lab over algorithms x topologies x node counts, with the transient
// iterations of each algorithm against parallel SGD at the same n.
//
// Transient iterations: the first logged iteration after which the algorithm's error
// ||x_bar - x*||^2 stays within `factor` (default 1.5) of parallel SGD's at the same n, both
// averaged over the repeats (same data and minibatch seeds) and smoothed by a centred moving
// average over `smoothing` logged points. -1 when the algorithm is still above at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lab/lab.hpp"

namespace decent::lab {

// Centred moving average over `window` points (window 1: unchanged).
std::vector<double> smooth(const std::vector<double>& values, std::size_t window);

// See the header comment; errors are on the same logged iterations as `iterations`.
std::int64_t transient_iterations(const std::vector<std::int64_t>& iterations,
                                  const std::vector<double>& errors,
                                  const std::vector<double>& reference, double factor);

struct SweepOptions {
  LabOptions base;  // problem, iterations, logging, learning rate...
  std::vector<std::string> algorithms = {"dsgd"};
  std::vector<std::string> topologies = {"ring"};
  std::vector<int> nodes = {8};
  int repeats = 1;
  double factor = 1.5;
  std::size_t smoothing = 1;
};

struct SweepRow {
  std::string algorithm, topology;  // topology: canonical name
  int nodes = 0;
  double rho = 0;              // over one period
  double final_error = 0;      // mean over the last 10% of logged points
  double reference_error = 0;  // the same for parallel SGD
  std::int64_t transient = -1;
};

// Runs every combination on in-process nodes; calls on_row as each row is ready.
std::vector<SweepRow> run_sweep(const SweepOptions& options,
                                const std::function<void(const SweepRow&)>& on_row = {});

}  // namespace decent::lab
