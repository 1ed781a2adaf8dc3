#include "topology/base_graph.hpp"

#include <algorithm>
#include <cstdint>

#include "core/error.hpp"

namespace decent::topology {
namespace {

// One round's weights: self weight and weighted in-neighbours per node (symmetric here).
struct Round {
  std::vector<double> self;
  std::vector<std::vector<Neighbor>> in;
  explicit Round(int n) : self(static_cast<std::size_t>(n), 1.0), in(static_cast<std::size_t>(n)) {}
  void edge(int i, int j, double w) {  // both ways
    in[static_cast<std::size_t>(i)].push_back({j, w});
    in[static_cast<std::size_t>(j)].push_back({i, w});
  }
};

// n = f_1 ... f_L with every factor in [2, k+1], largest first (empty for n = 1); empty with
// `ok` false if some prime factor of n exceeds k+1.
std::vector<int> factors_up_to(int n, int k, bool& ok) {
  std::vector<int> f;
  int rest = n;
  for (int factor = k + 1; factor >= 2 && rest > 1; --factor)
    while (rest % factor == 0) f.push_back(factor), rest /= factor;
  ok = rest == 1;
  return f;
}

// The hyper-hypercube's rounds on the `size` nodes first, first + 1, ...: in round r each node
// joins the clique of the nodes that differ from it only in mixed-radix digit r.
std::vector<std::vector<std::vector<int>>> hyper_hypercube_cliques(int first, int size, int k) {
  bool ok = false;
  const auto f = factors_up_to(size, k, ok);
  if (!ok) throw Error(Status::internal, "base graph: a group size with a prime factor above k+1");
  std::vector<std::vector<std::vector<int>>> rounds;
  long long stride = 1;
  for (const int fr : f) {
    std::vector<std::vector<int>> cliques;
    for (int i = 0; i < size; ++i) {
      const long long digit = (i / stride) % fr;
      if (digit != 0) continue;  // the clique's first member lists it
      std::vector<int> clique;
      for (int t = 0; t < fr; ++t) clique.push_back(first + static_cast<int>(i + t * stride));
      cliques.push_back(std::move(clique));
    }
    rounds.push_back(std::move(cliques));
    stride *= fr;
  }
  return rounds;
}

void add_clique(Round& r, const std::vector<int>& clique) {
  const double w = 1.0 / static_cast<double>(clique.size());
  for (std::size_t a = 0; a < clique.size(); ++a) {
    r.self[static_cast<std::size_t>(clique[a])] = w;
    for (std::size_t b = a + 1; b < clique.size(); ++b) r.edge(clique[a], clique[b], w);
  }
}

MixingMatrix to_matrix(Round r) {
  return MixingMatrix::from_weights(std::move(r.self), r.in);
}

// The k-peer hyper-hypercube's rounds on nodes 0 .. n-1 (every prime factor of n <= k+1).
std::vector<Round> hyper_hypercube_rounds(int n, int k) {
  std::vector<Round> rounds;
  for (const auto& cliques : hyper_hypercube_cliques(0, n, k)) {
    Round r(n);
    for (const auto& c : cliques) add_clique(r, c);
    rounds.push_back(std::move(r));
  }
  return rounds;
}

// Copies `rounds` (on nodes 0 .. m-1) onto the nodes nodes[0 .. m-1] of into[at], into[at+1],
// ...; the node sets placed into one round must be disjoint.
void place(const std::vector<Round>& rounds, const std::vector<int>& nodes,
           std::vector<Round>& into, std::size_t at) {
  for (std::size_t t = 0; t < rounds.size(); ++t) {
    Round& r = into[at + t];
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto node = static_cast<std::size_t>(nodes[i]);
      r.self[node] = rounds[t].self[i];
      for (const auto& e : rounds[t].in[i])
        r.in[node].push_back({nodes[static_cast<std::size_t>(e.node)], e.weight});
    }
  }
}

// The Simple Base-(k+1) graph's rounds on nodes 0 .. n-1 (n >= 1).
std::vector<Round> simple_base_rounds(int n, int k) {
  if (n == 1) return {Round(1)};
  bool factorable = false;
  factors_up_to(n, k, factorable);
  if (factorable) return hyper_hypercube_rounds(n, k);
  std::vector<Round> phases;
  // n in base k+1: groups of a_l (k+1)^(p_l) nodes, largest first.
  const long long base = k + 1;
  long long power = 1;
  while (power * base <= n) power *= base;
  std::vector<long long> group_first, group_size, block;  // block: (k+1)^(p_l)
  long long at = 0;
  for (long long p = power; p >= 1; p /= base) {
    const long long a = (n - at) / p;
    if (a == 0) continue;
    group_first.push_back(at);
    group_size.push_back(a * p);
    block.push_back(p);
    at += a * p;
  }
  // 1. Every group's own hyper-hypercube, side by side: V_l holds its own average.
  std::vector<std::vector<std::vector<std::vector<int>>>> own;
  std::size_t longest = 0;
  for (std::size_t g = 0; g < group_size.size(); ++g) {
    own.push_back(hyper_hypercube_cliques(static_cast<int>(group_first[g]),
                                          static_cast<int>(group_size[g]), k));
    longest = std::max(longest, own.back().size());
  }
  for (std::size_t t = 0; t < longest; ++t) {
    Round r(n);
    for (const auto& rounds : own)
      if (t < rounds.size())
        for (const auto& c : rounds[t]) add_clique(r, c);
    phases.push_back(std::move(r));
  }
  // 2. Level j (j = 0 .. L-2) in round j: U_(j+1) = V_(j+1) u ... (uniform within each group,
  // |U_(j+1)| < B_j = (k+1)^(p_j)) merges into V_j (uniform, a_j blocks of B_j): node u of
  // U_(j+1) pairs with node u of each block, weight B_j / |U_j| per edge. U_(j+1) then holds a
  // combination of its groups' values and V_j's, which the later levels average within
  // U_(j+1); V_j's blocks, in rounds j+1 .. j+p_j, average their paired and unpaired nodes
  // into the average of U_j (linear in U's values, so exact whatever they are).
  const std::size_t levels = group_size.size() - 1;
  std::vector<Round> rounds;
  auto round_at = [&](std::size_t t) -> Round& {
    while (rounds.size() <= t) rounds.emplace_back(n);
    return rounds[t];
  };
  long long rest = n;  // |U_j|
  for (std::size_t j = 0; j < levels; ++j) {
    Round& r = round_at(j);
    const long long u_first = group_first[j] + group_size[j], u_size = rest - group_size[j];
    const int a = static_cast<int>(group_size[j] / block[j]);
    const double w = static_cast<double>(block[j]) / static_cast<double>(rest);
    for (long long u = 0; u < u_size; ++u) {
      for (int b = 0; b < a; ++b) {
        const int v = static_cast<int>(group_first[j] + b * block[j] + u);
        r.edge(static_cast<int>(u_first + u), v, w);
        r.self[static_cast<std::size_t>(v)] = 1.0 - w;
      }
      // 1 - a B_j / |U_j| = |U_(j+1)| / |U_j|, exactly.
      r.self[static_cast<std::size_t>(u_first + u)] =
          static_cast<double>(u_size) / static_cast<double>(rest);
    }
    for (int b = 0; b < a; ++b) {
      const auto cliques = hyper_hypercube_cliques(static_cast<int>(group_first[j] + b * block[j]),
                                                   static_cast<int>(block[j]), k);
      for (std::size_t t = 0; t < cliques.size(); ++t)
        for (const auto& c : cliques[t]) add_clique(round_at(j + 1 + t), c);
    }
    rest = u_size;
  }
  for (auto& r : rounds) phases.push_back(std::move(r));
  return phases;
}

// The Base-(k+1) graph: n = p q with p the largest divisor of n whose prime factors are all at
// most k+1. The p groups of q consecutive nodes run the Simple Base-(k+1) graph on q nodes side
// by side (each group then holds its own average), then the q "columns" (node j of every
// group) run the hyper-hypercube on p nodes, which averages the p group averages. The paper
// keeps the Simple Base-(k+1) graph on all n nodes when that is strictly shorter.
std::vector<Round> base_rounds(int n, int k) {
  auto simple = simple_base_rounds(n, k);
  int p = 1;
  for (int f = 2; f <= k + 1; ++f)
    while ((n / p) % f == 0) p *= f;
  const int q = n / p;
  if (p == 1 || q == 1) return simple;
  const auto inner = simple_base_rounds(q, k), across = hyper_hypercube_rounds(p, k);
  if (simple.size() < inner.size() + across.size()) return simple;
  std::vector<Round> rounds(inner.size() + across.size(), Round(n));
  std::vector<int> nodes(static_cast<std::size_t>(q));
  for (int g = 0; g < p; ++g) {
    for (int i = 0; i < q; ++i) nodes[static_cast<std::size_t>(i)] = g * q + i;
    place(inner, nodes, rounds, 0);
  }
  nodes.resize(static_cast<std::size_t>(p));
  for (int j = 0; j < q; ++j) {
    for (int g = 0; g < p; ++g) nodes[static_cast<std::size_t>(g)] = g * q + j;
    place(across, nodes, rounds, inner.size());
  }
  return rounds;
}

std::vector<MixingMatrix> to_matrices(std::vector<Round> rounds) {
  std::vector<MixingMatrix> out;
  for (auto& r : rounds) out.push_back(to_matrix(std::move(r)));
  return out;
}

void check_arguments(int n, int k) {
  if (n < 1 || k < 1) throw InvalidArgument("base graph: expected n >= 1 and k >= 1");
}

}  // namespace

std::vector<MixingMatrix> simple_base_graph_phases(int n, int k) {
  check_arguments(n, k);
  return to_matrices(simple_base_rounds(n, k));
}

std::vector<MixingMatrix> base_graph_phases(int n, int k) {
  check_arguments(n, k);
  return to_matrices(base_rounds(n, k));
}

}  // namespace decent::topology
