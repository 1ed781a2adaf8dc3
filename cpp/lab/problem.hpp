// The convergence lab's problems: l2-regularised least squares and logistic regression on
// synthetic data generated per node, so that every node (and every backend) builds the same data
// from (seed, node) alone.
//
//   least squares: f_i(x) = 1/(2m) ||A_i x - b_i||^2 + lambda/2 ||x||^2
//   logistic:      f_i(x) = 1/m sum_r log(1 + exp(-y_r a_r^T x)) + lambda/2 ||x||^2
//
// iid: every node's rows come from one model x_true. Heterogeneous: node i's labels come from
// its own x_true + h * N(0, I) and its features are scaled per coordinate by U[0.5, 1.5], so
// the local optima and the local Hessians differ (gradient dissimilarity b^2 > 0).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/rng.hpp"

namespace decent::lab {

enum class ProblemKind { least_squares, logistic };

struct ProblemOptions {
  ProblemKind kind = ProblemKind::logistic;
  int nodes = 8;
  std::size_t dimension = 10;
  std::size_t samples = 200;  // rows per node
  bool heterogeneous = false;
  double heterogeneity = 1.0;    // h: spread of the per-node models
  double regularization = 0.01;  // lambda
  double noise = 0.1;
  std::size_t batch = 0;  // minibatch rows per gradient; 0 = the full local data
  std::uint64_t seed = 0;
};

ProblemKind problem_kind_from_name(const std::string& name);

class LocalProblem {
 public:
  LocalProblem(const ProblemOptions& options, int node);

  // f_i(x).
  double loss(std::span<const double> x) const;
  // The gradient of f_i at x over all rows, or over `batch` rows drawn (with replacement) from
  // `rng` when batch > 0. With `with_loss`, returns the loss over the same rows (with the l2
  // term) at x; otherwise NaN (the loss costs a log and an exp per row).
  double gradient(std::span<const double> x, std::span<double> g, std::size_t batch, Rng& rng,
                  bool with_loss = false) const;

  std::size_t dimension() const { return d_; }
  std::size_t samples() const { return m_; }
  const std::vector<double>& features() const { return a_; }  // m x d, row-major
  const std::vector<double>& targets() const { return b_; }   // b (least squares) or y = +-1

 private:
  double row_loss(double z, double target) const;
  double regularizer(std::span<const double> x) const;

  ProblemKind kind_;
  std::size_t d_, m_;
  double lambda_;
  std::vector<double> a_, b_;
};

// x* of F = (1/n) sum_i f_i over all nodes' data (rebuilt here), to near machine precision:
// the normal equations for least squares, Newton's method for logistic regression.
std::vector<double> solve_reference(const ProblemOptions& options);

// F(x) = (1/n) sum_i f_i(x), computed centrally (for tests).
double global_loss(const ProblemOptions& options, std::span<const double> x);

}  // namespace decent::lab
