#include "topology/weights_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace decent::topology {
namespace {

constexpr double kFileTolerance = 1e-9;

using Json = nlohmann::json;

double weight_at(const Json& v, const std::string& where) {
  if (!v.is_number()) throw InvalidArgument(fmt::format("{}: expected a number", where));
  const double w = v.get<double>();
  if (!std::isfinite(w) || w < 0)
    throw InvalidArgument(
        fmt::format("{}: weight {} is not a finite non-negative number", where, w));
  return w;
}

// One step as a dense row-major n x n matrix.
std::vector<double> dense_step(const Json& step, int& n, const std::string& where) {
  if (step.contains("weights")) {
    const auto& rows = step["weights"];
    if (!rows.is_array() || rows.empty())
      throw InvalidArgument(
          fmt::format("{}: \"weights\" must be a non-empty array of rows", where));
    const int size = static_cast<int>(rows.size());
    if (n > 0 && size != n)
      throw InvalidArgument(
          fmt::format("{}: {} rows, but the other steps have {} nodes", where, size, n));
    n = size;
    std::vector<double> w(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const auto& row = rows[static_cast<std::size_t>(i)];
      if (!row.is_array() || static_cast<int>(row.size()) != n)
        throw InvalidArgument(fmt::format("{}: row {} must hold {} weights", where, i, n));
      for (int j = 0; j < n; ++j)
        w[static_cast<std::size_t>(i * n + j)] = weight_at(
            row[static_cast<std::size_t>(j)], fmt::format("{}: row {}, column {}", where, i, j));
    }
    return w;
  }
  if (step.contains("edges")) {
    if (n <= 0)
      throw InvalidArgument(fmt::format("{}: an edge list needs \"n\" (the node count)", where));
    std::vector<double> w(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0.0);
    for (const auto& e : step["edges"]) {
      if (!e.is_array() || e.size() != 3 || !e[0].is_number_integer() || !e[1].is_number_integer())
        throw InvalidArgument(fmt::format("{}: each edge is [i, j, w_ij]", where));
      const long long i = e[0].get<long long>(), j = e[1].get<long long>();
      if (i < 0 || j < 0 || i >= n || j >= n || i == j)
        throw InvalidArgument(fmt::format(
            "{}: edge [{}, {}]: expected two different nodes below {}", where, i, j, n));
      w[static_cast<std::size_t>(i * n + j)] =
          weight_at(e[2], fmt::format("{}: edge [{}, {}]", where, i, j));
    }
    for (int i = 0; i < n; ++i) {
      double rest = 0;
      for (int j = 0; j < n; ++j)
        if (j != i) rest += w[static_cast<std::size_t>(i * n + j)];
      if (1.0 - rest < -kFileTolerance)
        throw InvalidArgument(fmt::format(
            "{}: row {}: its edges' weights sum to {:.12g}, more than 1", where, i, rest));
      // Edges summing to 1 within the file tolerance leave no self weight (not a negative one).
      w[static_cast<std::size_t>(i * n + i)] = std::max(0.0, 1.0 - rest);
    }
    return w;
  }
  throw InvalidArgument(fmt::format("{}: expected \"weights\" or \"edges\"", where));
}

}  // namespace

MixingMatrix weights_from_dense(std::span<const double> w, int n, const std::string& where) {
  if (n < 1 || w.size() != static_cast<std::size_t>(n) * static_cast<std::size_t>(n))
    throw InvalidArgument(fmt::format("{}: expected n x n = {} x {} weights", where, n, n));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double v = w[static_cast<std::size_t>(i * n + j)];
      if (!std::isfinite(v) || v < 0)
        throw InvalidArgument(
            fmt::format("{}: w[{}][{}] = {} is not a finite non-negative number", where, i, j, v));
    }
  std::vector<double> self(static_cast<std::size_t>(n));
  std::vector<std::vector<Neighbor>> in(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    self[static_cast<std::size_t>(i)] = w[static_cast<std::size_t>(i * n + i)];
    for (int j = 0; j < n; ++j)
      if (j != i && w[static_cast<std::size_t>(i * n + j)] > 0)
        in[static_cast<std::size_t>(i)].push_back({j, w[static_cast<std::size_t>(i * n + j)]});
  }
  auto m = MixingMatrix::from_weights(std::move(self), in);
  const auto r = m.stochasticity();
  if (r.worst_row_error > kFileTolerance)
    throw InvalidArgument(
        fmt::format("{}: not doubly stochastic: row {} (node {}'s weights) sums to {:.12g}, not 1",
                    where, r.worst_row, r.worst_row, r.worst_row_sum));
  if (r.worst_col_error > kFileTolerance)
    throw InvalidArgument(fmt::format(
        "{}: not doubly stochastic: column {} (the weights of node {}'s value) sums to {:.12g}, "
        "not 1",
        where, r.worst_col, r.worst_col, r.worst_col_sum));
  return m;
}

std::vector<MixingMatrix> read_weights_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(fmt::format("topology file {}: cannot be opened", path));
  Json doc;
  try {
    doc = Json::parse(in);
  } catch (const Json::exception& e) {
    throw IoError(fmt::format("topology file {}: not JSON: {}", path, e.what()));
  }
  if (!doc.is_object())
    throw InvalidArgument(fmt::format("topology file {}: expected an object", path));
  int n = 0;
  if (doc.contains("n")) {
    if (!doc["n"].is_number_integer() || doc["n"].get<long long>() < 1 ||
        doc["n"].get<long long>() > 4096)
      throw InvalidArgument(fmt::format("topology file {}: \"n\" must be 1 to 4096", path));
    n = doc["n"].get<int>();
  }
  std::vector<Json> steps;
  if (doc.contains("steps")) {
    if (!doc["steps"].is_array() || doc["steps"].empty())
      throw InvalidArgument(
          fmt::format("topology file {}: \"steps\" must be a non-empty array", path));
    for (const auto& s : doc["steps"]) steps.push_back(s);
  } else {
    steps.push_back(doc);
  }
  std::vector<MixingMatrix> phases;
  for (std::size_t t = 0; t < steps.size(); ++t) {
    const auto where = fmt::format("topology file {}: step {}", path, t);
    const auto w = dense_step(steps[t], n, where);
    phases.push_back(weights_from_dense(w, n, where));
  }
  return phases;
}

}  // namespace decent::topology
