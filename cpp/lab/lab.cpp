#include "lab/lab.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace decent::lab {
namespace {

LabRecord measure(comm::Communicator& comm, const LocalProblem& problem,
                  const std::vector<double>& x, const std::vector<double>& optimum,
                  std::int64_t iter, std::int64_t global_averages, std::uint64_t bytes_sent) {
  std::vector<double> mean = x;
  comm.allreduce(mean.data(), mean.size(), comm::ReduceOp::average);
  double local[3] = {0, problem.loss(mean), static_cast<double>(bytes_sent)};
  for (std::size_t j = 0; j < x.size(); ++j) local[0] += (x[j] - mean[j]) * (x[j] - mean[j]);
  comm.allreduce(local, 3, comm::ReduceOp::average);
  double error = 0;
  for (std::size_t j = 0; j < x.size(); ++j)
    error += (mean[j] - optimum[j]) * (mean[j] - optimum[j]);
  return {iter, error, local[0], local[1], global_averages, local[2]};
}

}  // namespace

LabResult run_lab(comm::Communicator& comm, const topology::Topology& topology,
                  const LabOptions& o) {
  if (o.iterations < 0)
    throw InvalidArgument(fmt::format("iterations {}: expected >= 0", o.iterations));
  if (o.log_every < 1)
    throw InvalidArgument(fmt::format("log every {}: expected >= 1", o.log_every));
  if (o.problem.nodes != comm.size())
    throw InvalidArgument(fmt::format("the problem has {} nodes but the communicator {} ranks",
                                      o.problem.nodes, comm.size()));
  const LocalProblem problem(o.problem, comm.rank());
  LabResult result;
  result.optimum = solve_reference(o.problem);
  const std::size_t d = o.problem.dimension;
  auto algorithm = algo::make_algorithm<double>(o.algorithm, d);
  // Minibatches from (seed, rank) only: the same draws on every backend.
  Rng batches(o.problem.seed ^
              (0xD1B54A32D192ED03ULL * (static_cast<std::uint64_t>(comm.rank()) + 7)));
  const bool with_loss = algorithm->needs_loss();
  const algo::GradientFn<double> gradient = [&](std::span<const double> x, std::span<double> g) {
    return problem.gradient(x, g, o.problem.batch, batches, with_loss);
  };
  result.x.assign(d, 0.0);
  result.records.push_back(measure(comm, problem, result.x, result.optimum, 0, 0, 0));
  if (o.lr_decay < 0) throw InvalidArgument(fmt::format("lr decay {}: expected >= 0", o.lr_decay));
  for (std::int64_t k = 0; k < o.iterations; ++k) {
    if (o.lr_decay > 0)
      algorithm->set_lr(o.algorithm.lr * o.lr_decay / (o.lr_decay + static_cast<double>(k)));
    algorithm->step(result.x, gradient, comm, topology, k);
    if ((k + 1) % o.log_every == 0 || k + 1 == o.iterations)
      result.records.push_back(measure(comm, problem, result.x, result.optimum, k + 1,
                                       algorithm->global_averages(), algorithm->bytes_sent()));
  }
  return result;
}

}  // namespace decent::lab
