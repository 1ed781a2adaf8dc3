#include "topology/mixing_matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace decent::topology {
namespace {

bool has_edge(const std::vector<std::vector<int>>& in_neighbors, int receiver, int sender) {
  const auto& list = in_neighbors[static_cast<std::size_t>(receiver)];
  return std::binary_search(list.begin(), list.end(), sender);
}

std::size_t degree(const std::vector<std::vector<int>>& in_neighbors, int i) {
  return in_neighbors[static_cast<std::size_t>(i)].size();
}

}  // namespace

MixingMatrix MixingMatrix::from_graph(const std::vector<std::vector<int>>& in_neighbors,
                                      WeightRule rule) {
  const int n = static_cast<int>(in_neighbors.size());
  if (rule == WeightRule::metropolis) {
    for (int i = 0; i < n; ++i)
      for (int j : in_neighbors[static_cast<std::size_t>(i)])
        if (!has_edge(in_neighbors, j, i))
          throw NotSupported(fmt::format(
              "metropolis weights need an undirected graph, but node {} receives from {} and "
              "not the reverse; use weights=uniform",
              i, j));
  }
  MixingMatrix m;
  m.self_.assign(static_cast<std::size_t>(n), 1.0);
  m.in_offsets_.assign(static_cast<std::size_t>(n) + 1, 0);
  for (int i = 0; i < n; ++i) {
    const auto di = degree(in_neighbors, i);
    m.in_offsets_[static_cast<std::size_t>(i) + 1] =
        m.in_offsets_[static_cast<std::size_t>(i)] + di;
    for (int j : in_neighbors[static_cast<std::size_t>(i)]) {
      const auto dj = degree(in_neighbors, j);
      // Uniform: equal weight over the closed in-neighbourhood. Metropolis-Hastings:
      // 1 / (1 + max(d_i, d_j)), symmetric by construction; the self weight takes the rest.
      const double w = rule == WeightRule::metropolis
                           ? 1.0 / (1.0 + static_cast<double>(std::max(di, dj)))
                           : 1.0 / (1.0 + static_cast<double>(di));
      m.in_.push_back({j, w});
      m.self_[static_cast<std::size_t>(i)] -= w;
    }
    if (rule != WeightRule::metropolis)  // exact 1/(1+d) rather than 1 - d/(1+d)
      m.self_[static_cast<std::size_t>(i)] = 1.0 / (1.0 + static_cast<double>(di));
  }
  m.transpose_rows();
  return m;
}

void MixingMatrix::transpose_rows() {
  // The rows into columns (counting sort by sender).
  const int n = nodes();
  out_offsets_.assign(static_cast<std::size_t>(n) + 1, 0);
  for (const auto& e : in_) ++out_offsets_[static_cast<std::size_t>(e.node) + 1];
  for (int j = 0; j < n; ++j)
    out_offsets_[static_cast<std::size_t>(j) + 1] += out_offsets_[static_cast<std::size_t>(j)];
  out_.resize(in_.size());
  auto fill = out_offsets_;
  for (int i = 0; i < n; ++i)
    for (const auto& e : in_neighbors(i))
      out_[fill[static_cast<std::size_t>(e.node)]++] = {i, e.weight};
}

MixingMatrix MixingMatrix::from_weights(std::vector<double> self,
                                        const std::vector<std::vector<Neighbor>>& in_neighbors) {
  const int n = static_cast<int>(self.size());
  MixingMatrix m;
  m.self_ = std::move(self);
  m.in_offsets_.assign(static_cast<std::size_t>(n) + 1, 0);
  for (int i = 0; i < n; ++i) {
    const auto& list = in_neighbors[static_cast<std::size_t>(i)];
    m.in_offsets_[static_cast<std::size_t>(i) + 1] =
        m.in_offsets_[static_cast<std::size_t>(i)] + list.size();
    const auto first = m.in_.insert(m.in_.end(), list.begin(), list.end());
    std::sort(first, m.in_.end(),
              [](const Neighbor& a, const Neighbor& b) { return a.node < b.node; });
  }
  m.transpose_rows();
  return m;
}

std::span<const Neighbor> MixingMatrix::in_neighbors(int i) const {
  const auto b = in_offsets_[static_cast<std::size_t>(i)];
  return {in_.data() + b, in_offsets_[static_cast<std::size_t>(i) + 1] - b};
}

std::span<const Neighbor> MixingMatrix::out_neighbors(int j) const {
  const auto b = out_offsets_[static_cast<std::size_t>(j)];
  return {out_.data() + b, out_offsets_[static_cast<std::size_t>(j) + 1] - b};
}

int MixingMatrix::max_degree() const {
  std::size_t d = 0;
  for (int i = 0; i < nodes(); ++i)
    d = std::max({d, in_neighbors(i).size(), out_neighbors(i).size()});
  return static_cast<int>(d);
}

bool MixingMatrix::symmetric() const {
  for (int i = 0; i < nodes(); ++i) {
    const auto in = in_neighbors(i), out = out_neighbors(i);
    if (!std::equal(in.begin(), in.end(), out.begin(), out.end(),
                    [](const Neighbor& a, const Neighbor& b) {
                      return a.node == b.node && a.weight == b.weight;
                    }))
      return false;
  }
  return true;
}

StochasticityReport MixingMatrix::stochasticity() const {
  StochasticityReport r;
  const auto n = static_cast<std::size_t>(nodes());
  std::vector<double> col_sums(self_);
  for (int i = 0; i < nodes(); ++i) {
    double row = self_[static_cast<std::size_t>(i)];
    r.min_weight = std::min(r.min_weight, row);
    for (const auto& e : in_neighbors(i)) {
      row += e.weight;
      col_sums[static_cast<std::size_t>(e.node)] += e.weight;
      r.min_weight = std::min(r.min_weight, e.weight);
    }
    if (std::abs(row - 1) > r.worst_row_error)
      r.worst_row_error = std::abs(row - 1), r.worst_row = i, r.worst_row_sum = row;
  }
  for (std::size_t j = 0; j < n; ++j)
    if (std::abs(col_sums[j] - 1) > r.worst_col_error)
      r.worst_col_error = std::abs(col_sums[j] - 1), r.worst_col = static_cast<int>(j),
      r.worst_col_sum = col_sums[j];
  return r;
}

std::vector<double> MixingMatrix::dense() const {
  const auto n = static_cast<std::size_t>(nodes());
  std::vector<double> w(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    w[i * n + i] = self_[i];
    for (const auto& e : in_neighbors(static_cast<int>(i)))
      w[i * n + static_cast<std::size_t>(e.node)] = e.weight;
  }
  return w;
}

void MixingMatrix::apply(const double* in, double* out, std::size_t columns) const {
  for (int i = 0; i < nodes(); ++i) {
    const auto row = static_cast<std::size_t>(i) * columns;
    const double s = self_[static_cast<std::size_t>(i)];
    for (std::size_t c = 0; c < columns; ++c) out[row + c] = s * in[row + c];
    for (const auto& e : in_neighbors(i)) {
      const double* src = in + static_cast<std::size_t>(e.node) * columns;
      for (std::size_t c = 0; c < columns; ++c) out[row + c] += e.weight * src[c];
    }
  }
}

}  // namespace decent::topology
