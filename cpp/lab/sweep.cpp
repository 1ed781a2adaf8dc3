#include "lab/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "comm/local.hpp"
#include "core/error.hpp"
#include "topology/spectral.hpp"

namespace decent::lab {
namespace {

struct Curve {
  std::vector<std::int64_t> iterations;
  std::vector<double> errors;  // averaged over repeats, then smoothed
};

Curve averaged_curve(const LabOptions& base, const std::string& algorithm,
                     const topology::Topology& t, int repeats, std::size_t smoothing) {
  Curve curve;
  for (int rep = 0; rep < repeats; ++rep) {
    LabOptions o = base;
    o.problem.nodes = t.nodes();
    o.problem.seed = base.problem.seed + static_cast<std::uint64_t>(rep);
    o.algorithm.name = algorithm;
    std::vector<LabRecord> records;
    comm::run_local(t.nodes(), [&](comm::Communicator& c) {
      auto r = run_lab(c, t, o);
      if (c.rank() == 0) records = std::move(r.records);
    });
    if (rep == 0) {
      for (const auto& r : records) curve.iterations.push_back(r.iter);
      curve.errors.assign(records.size(), 0.0);
    }
    for (std::size_t k = 0; k < records.size(); ++k) curve.errors[k] += records[k].error / repeats;
  }
  curve.errors = smooth(curve.errors, smoothing);
  return curve;
}

double tail_mean(const std::vector<double>& v) {
  const std::size_t from = v.size() - std::max<std::size_t>(1, v.size() / 10);
  double s = 0;
  for (std::size_t k = from; k < v.size(); ++k) s += v[k];
  return s / static_cast<double>(v.size() - from);
}

}  // namespace

std::vector<double> smooth(const std::vector<double>& values, std::size_t window) {
  if (window <= 1 || values.empty()) return values;
  std::vector<double> out(values.size());
  const std::size_t half = window / 2;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::size_t lo = k >= half ? k - half : 0, hi = std::min(values.size(), k + half + 1);
    double s = 0;
    for (std::size_t j = lo; j < hi; ++j) s += values[j];
    out[k] = s / static_cast<double>(hi - lo);
  }
  return out;
}

std::int64_t transient_iterations(const std::vector<std::int64_t>& iterations,
                                  const std::vector<double>& errors,
                                  const std::vector<double>& reference, double factor) {
  if (errors.size() != reference.size() || errors.size() != iterations.size())
    throw InvalidArgument("transient iterations: curves of different lengths");
  // Walk back from the end while the algorithm stays within the factor.
  std::size_t k = errors.size();
  while (k > 0 && errors[k - 1] <= factor * reference[k - 1]) --k;
  if (k == errors.size()) return -1;
  return iterations[k];
}

std::vector<SweepRow> run_sweep(const SweepOptions& o,
                                const std::function<void(const SweepRow&)>& on_row) {
  if (o.repeats < 1)
    throw InvalidArgument(fmt::format("repeats {}: expected at least 1", o.repeats));
  if (!(o.factor > 1)) throw InvalidArgument(fmt::format("factor {}: expected > 1", o.factor));
  std::vector<SweepRow> rows;
  for (int n : o.nodes) {
    const topology::Topology full("full", n);
    const Curve reference = averaged_curve(o.base, "psgd", full, o.repeats, o.smoothing);
    for (const auto& algorithm : o.algorithms)
      for (const auto& spec : o.topologies) {
        const topology::Topology t(spec, n);
        const Curve curve = averaged_curve(o.base, algorithm, t, o.repeats, o.smoothing);
        SweepRow row{
            algorithm,
            t.name(),
            n,
            topology::rho(t),
            tail_mean(curve.errors),
            tail_mean(reference.errors),
            transient_iterations(curve.iterations, curve.errors, reference.errors, o.factor)};
        if (on_row) on_row(row);
        rows.push_back(std::move(row));
      }
  }
  return rows;
}

}  // namespace decent::lab
