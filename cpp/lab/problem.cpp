#include "lab/problem.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.hpp"

namespace decent::lab {
namespace {

// Standard normal from two uniforms (Box-Muller): portable, unlike std::normal_distribution.
double normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform();  // in (0, 1]
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

std::uint64_t stream(std::uint64_t seed, std::uint64_t which) {
  return seed ^ (0x9E3779B97F4A7C15ULL * (which + 1));
}

// log(1 + exp(t)) without overflow.
double softplus(double t) {
  return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t));
}
double sigmoid(double t) {
  return t >= 0 ? 1 / (1 + std::exp(-t)) : std::exp(t) / (1 + std::exp(t));
}

double dot(const double* a, std::span<const double> x) {
  double s = 0;
  for (std::size_t j = 0; j < x.size(); ++j) s += a[j] * x[j];
  return s;
}

void check(const ProblemOptions& o) {
  if (o.nodes < 1) throw InvalidArgument(fmt::format("nodes {}: expected at least 1", o.nodes));
  if (o.dimension < 1) throw InvalidArgument("dimension 0: expected at least 1");
  if (o.samples < 1) throw InvalidArgument("samples 0: expected at least 1 row per node");
  if (!(o.regularization >= 0)) throw InvalidArgument("regularization: expected >= 0");
  if (o.kind == ProblemKind::logistic && !(o.regularization > 0))
    throw InvalidArgument(
        "logistic regression needs regularization > 0 (separable data has no minimum)");
}

}  // namespace

ProblemKind problem_kind_from_name(const std::string& name) {
  if (name == "logistic") return ProblemKind::logistic;
  if (name == "least-squares" || name == "least_squares") return ProblemKind::least_squares;
  throw InvalidArgument(
      fmt::format("problem \"{}\": unknown; expected logistic or least-squares", name));
}

LocalProblem::LocalProblem(const ProblemOptions& o, int node)
    : kind_(o.kind), d_(o.dimension), m_(o.samples), lambda_(o.regularization) {
  check(o);
  Rng shared(stream(o.seed, 0));
  std::vector<double> model(d_);
  for (auto& v : model) v = normal(shared);
  Rng rng(stream(o.seed, static_cast<std::uint64_t>(node) + 1));
  // Heterogeneous nodes differ in their model and in their features' scales, so that their
  // Hessians differ too: with one shared Hessian the average of the nodes would move exactly
  // like parallel SGD, whatever their disagreement.
  std::vector<double> scale(d_, 1.0);
  if (o.heterogeneous) {
    for (auto& v : model) v += o.heterogeneity * normal(rng);
    for (auto& s : scale) s = 0.5 + rng.uniform();
  }
  a_.resize(m_ * d_);
  b_.resize(m_);
  for (std::size_t r = 0; r < m_; ++r) {
    for (std::size_t j = 0; j < d_; ++j) a_[r * d_ + j] = scale[j] * normal(rng);
    const double z = dot(&a_[r * d_], model) + o.noise * normal(rng);
    b_[r] = kind_ == ProblemKind::least_squares ? z : (z >= 0 ? 1.0 : -1.0);
  }
}

double LocalProblem::row_loss(double z, double target) const {
  return kind_ == ProblemKind::least_squares ? 0.5 * (z - target) * (z - target)
                                             : softplus(-target * z);
}

double LocalProblem::regularizer(std::span<const double> x) const {
  double s = 0;
  for (double v : x) s += v * v;
  return 0.5 * lambda_ * s;
}

double LocalProblem::loss(std::span<const double> x) const {
  double s = 0;
  for (std::size_t r = 0; r < m_; ++r) s += row_loss(dot(&a_[r * d_], x), b_[r]);
  return s / static_cast<double>(m_) + regularizer(x);
}

double LocalProblem::gradient(std::span<const double> x, std::span<double> g, std::size_t batch,
                              Rng& rng, bool with_loss) const {
  for (std::size_t j = 0; j < d_; ++j) g[j] = 0;
  const std::size_t rows = batch == 0 ? m_ : batch;
  double loss = 0;
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t r = batch == 0 ? k : static_cast<std::size_t>(rng.next_u64() % m_);
    const double* a = &a_[r * d_];
    const double z = dot(a, x);
    const double scale =
        kind_ == ProblemKind::least_squares ? z - b_[r] : -b_[r] * sigmoid(-b_[r] * z);
    for (std::size_t j = 0; j < d_; ++j) g[j] += scale * a[j];
    if (with_loss) loss += row_loss(z, b_[r]);
  }
  for (std::size_t j = 0; j < d_; ++j) g[j] = g[j] / static_cast<double>(rows) + lambda_ * x[j];
  return with_loss ? loss / static_cast<double>(rows) + regularizer(x)
                   : std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> solve_reference(const ProblemOptions& o) {
  check(o);
  const auto d = static_cast<Eigen::Index>(o.dimension);
  std::vector<LocalProblem> nodes;
  for (int i = 0; i < o.nodes; ++i) nodes.emplace_back(o, i);
  const double rows = static_cast<double>(o.nodes) * static_cast<double>(o.samples);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(d);
  // Least squares is one Newton step from anywhere; logistic regression converges quadratically.
  const int newton_steps = o.kind == ProblemKind::least_squares ? 1 : 50;
  for (int it = 0; it < newton_steps; ++it) {
    Eigen::MatrixXd h = o.regularization * Eigen::MatrixXd::Identity(d, d);
    Eigen::VectorXd g = o.regularization * x;
    for (const auto& p : nodes) {
      const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
          a(p.features().data(), static_cast<Eigen::Index>(p.samples()), d);
      const Eigen::Map<const Eigen::VectorXd> b(p.targets().data(),
                                                static_cast<Eigen::Index>(p.samples()));
      const Eigen::VectorXd z = a * x;
      if (o.kind == ProblemKind::least_squares) {
        h += a.transpose() * a / rows;
        g += a.transpose() * (z - b) / rows;
      } else {
        Eigen::VectorXd s(z.size()), c(z.size());
        for (Eigen::Index r = 0; r < z.size(); ++r) {
          const double p_r = sigmoid(-b(r) * z(r));
          s(r) = -b(r) * p_r;
          c(r) = p_r * (1 - p_r);
        }
        h += a.transpose() * c.asDiagonal() * a / rows;
        g += a.transpose() * s / rows;
      }
    }
    const Eigen::VectorXd step = h.ldlt().solve(g);
    x -= step;
    if (step.norm() < 1e-15 * (1 + x.norm())) break;
  }
  return {x.data(), x.data() + x.size()};
}

double global_loss(const ProblemOptions& o, std::span<const double> x) {
  double s = 0;
  for (int i = 0; i < o.nodes; ++i) s += LocalProblem(o, i).loss(x);
  return s / o.nodes;
}

}  // namespace decent::lab
