#include "data/partition.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "core/error.hpp"
#include "core/parse.hpp"
#include "core/rng.hpp"

namespace decent::data {
namespace {

// Fisher-Yates with the platform-independent Rng (std::shuffle's use of the engine is not
// specified, so results would differ between standard libraries).
void shuffle(std::vector<std::int64_t>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.next_u64() % i]);
}

double normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) U^(1/shape).
double gamma(double shape, Rng& rng) {
  if (shape < 1) return gamma(shape + 1, rng) * std::pow(1.0 - rng.uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x, v;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = 1.0 - rng.uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

// Cuts `items` into parts with sizes proportional to `shares` (largest remainders).
void deal(const std::vector<std::int64_t>& items, const std::vector<double>& shares,
          std::vector<std::vector<std::int64_t>>& parts) {
  const auto n = static_cast<double>(items.size());
  const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
  std::vector<std::int64_t> counts(shares.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::int64_t used = 0;
  for (std::size_t k = 0; k < shares.size(); ++k) {
    const double exact = n * shares[k] / total;
    counts[k] = static_cast<std::int64_t>(std::floor(exact));
    used += counts[k];
    remainders.emplace_back(exact - std::floor(exact), k);
  }
  std::sort(remainders.begin(), remainders.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (std::size_t r = 0; used < static_cast<std::int64_t>(items.size()); ++r, ++used)
    ++counts[remainders[r % remainders.size()].second];
  std::size_t next = 0;
  for (std::size_t k = 0; k < shares.size(); ++k)
    for (std::int64_t c = 0; c < counts[k]; ++c) parts[k].push_back(items[next++]);
}

}  // namespace

PartitionOptions parse_partition(const std::string& spec, std::uint64_t seed) {
  PartitionOptions o;
  o.seed = seed;
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  if (kind == "iid")
    o.kind = PartitionKind::iid;
  else if (kind == "sorted")
    o.kind = PartitionKind::sorted;
  else if (kind == "dirichlet")
    o.kind = PartitionKind::dirichlet;
  else
    throw InvalidArgument("partition \"" + spec +
                          "\": unknown; expected iid, dirichlet[:alpha] or sorted");
  if (colon != std::string::npos) {
    if (o.kind != PartitionKind::dirichlet)
      throw InvalidArgument("partition \"" + spec + "\": only dirichlet takes a parameter");
    o.alpha = parse_double(spec.substr(colon + 1), "dirichlet alpha");
  }
  if (!(o.alpha > 0)) throw InvalidArgument("partition \"" + spec + "\": alpha must be > 0");
  return o;
}

std::vector<std::vector<std::int64_t>> partition(std::span<const std::int32_t> labels,
                                                 std::int64_t classes, int nodes,
                                                 const PartitionOptions& o) {
  if (nodes < 1) throw InvalidArgument("partition over " + std::to_string(nodes) + " nodes");
  if (static_cast<std::int64_t>(labels.size()) < nodes)
    throw InvalidArgument("partition: " + std::to_string(labels.size()) + " samples for " +
                          std::to_string(nodes) + " nodes; every node needs at least one");
  Rng rng(o.seed);
  std::vector<std::vector<std::int64_t>> parts(static_cast<std::size_t>(nodes));
  std::vector<std::int64_t> all(labels.size());
  std::iota(all.begin(), all.end(), 0);
  switch (o.kind) {
    case PartitionKind::iid:
      shuffle(all, rng);
      deal(all, std::vector<double>(static_cast<std::size_t>(nodes), 1.0), parts);
      break;
    case PartitionKind::sorted:
      std::stable_sort(all.begin(), all.end(),
                       [&](std::int64_t a, std::int64_t b) { return labels[a] < labels[b]; });
      deal(all, std::vector<double>(static_cast<std::size_t>(nodes), 1.0), parts);
      break;
    case PartitionKind::dirichlet: {
      std::vector<std::vector<std::int64_t>> by_class(static_cast<std::size_t>(classes));
      for (auto i : all) {
        if (labels[i] < 0 || labels[i] >= classes)
          throw InvalidArgument("partition: label " + std::to_string(labels[i]) + " outside [0, " +
                                std::to_string(classes) + ")");
        by_class[labels[i]].push_back(i);
      }
      for (auto& members : by_class) {
        shuffle(members, rng);
        std::vector<double> shares(static_cast<std::size_t>(nodes));
        for (auto& s : shares) s = gamma(o.alpha, rng);
        // For tiny alpha every Gamma(alpha) draw can underflow to 0 (shares 0/0: NaN counts,
        // which crashed). The Dirichlet's limit as alpha -> 0 puts the whole class on one node
        // chosen uniformly; take that limit when nothing is left to normalise.
        if (!(std::accumulate(shares.begin(), shares.end(), 0.0) > 0)) {
          std::fill(shares.begin(), shares.end(), 0.0);
          shares[rng.next_u64() % shares.size()] = 1.0;
        }
        deal(members, shares, parts);
      }
      // A node left empty by the draw takes one sample from the largest part, so that every
      // node can form batches.
      for (auto& p : parts)
        if (p.empty()) {
          auto& big = *std::max_element(parts.begin(), parts.end(),
                                        [](auto& a, auto& b) { return a.size() < b.size(); });
          p.push_back(big.back());
          big.pop_back();
        }
      for (auto& p : parts) shuffle(p, rng);
      break;
    }
  }
  return parts;
}

}  // namespace decent::data
