// The convergence lab: runs one algorithm on one node of a decentralized problem and records,
// per logged iteration, the error of the average ||x_bar - x*||^2, the consensus distance
// (1/n) sum_i ||x_i - x_bar||^2, and the loss F(x_bar). Call it on every node (SPMD); the records
// are identical on every node.
#pragma once

#include <cstdint>
#include <vector>

#include "algo/algorithm.hpp"
#include "comm/communicator.hpp"
#include "lab/problem.hpp"

namespace decent::lab {

struct LabOptions {
  ProblemOptions problem;
  algo::AlgorithmOptions algorithm;
  std::int64_t iterations = 500;
  std::int64_t log_every = 1;
  // 0: constant step. T > 0: gamma_k = gamma_0 * T / (T + k), the O(1/k) decay under which the
  // transient stage of the theory is stated.
  double lr_decay = 0;
};

struct LabRecord {
  std::int64_t iter = 0;
  double error = 0;                  // ||x_bar - x*||^2
  double consensus = 0;              // (1/n) sum_i ||x_i - x_bar||^2
  double loss = 0;                   // F(x_bar) = (1/n) sum_i f_i(x_bar)
  std::int64_t global_averages = 0;  // exact global averages of x so far (pga, aga, local_sgd)
  double bytes_sent = 0;  // bytes a node sent for the algorithm's exchanges so far (mean of nodes)
};

struct LabResult {
  std::vector<LabRecord> records;  // iteration 0 (x = 0 everywhere), then every log_every
  std::vector<double> x;           // this node's final parameters
  std::vector<double> optimum;     // x*
};

LabResult run_lab(comm::Communicator& comm, const topology::Topology& topology,
                  const LabOptions& options);

}  // namespace decent::lab
