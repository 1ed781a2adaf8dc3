#include "topology/generators.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace decent::topology {
namespace {

// Sparse kinds stay cheap up to this size; kinds with ~n^2 edges are capped lower so that a typo
// cannot ask for gigabytes.
constexpr int kMaxNodes = 1 << 16;
constexpr int kMaxDenseKindNodes = 4096;

int mod(long long a, int n) {
  return static_cast<int>(((a % n) + n) % n);
}

bool is_power_of_two(int n) {
  return n > 0 && (n & (n - 1)) == 0;
}

void finish(Graph& g) {
  for (std::size_t i = 0; i < g.size(); ++i) {
    auto& list = g[i];
    std::erase(list, static_cast<int>(i));
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
}

// Adds the offsets i + d (and i - d when both_ways) for every node.
Graph circulant(int n, const std::vector<long long>& offsets, bool both_ways) {
  Graph g(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    for (long long d : offsets) {
      g[static_cast<std::size_t>(i)].push_back(mod(i + d, n));
      if (both_ways) g[static_cast<std::size_t>(i)].push_back(mod(i - d, n));
    }
  finish(g);
  return g;
}

std::vector<long long> powers_of_two(int count) {
  std::vector<long long> p;
  for (int j = 0; j < count; ++j) p.push_back(1LL << j);
  return p;
}

Graph grid(int rows, int cols, bool wrap) {
  Graph g(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
  auto id = [cols](int r, int c) { return r * cols + c; };
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      auto& list = g[static_cast<std::size_t>(id(r, c))];
      const int steps[4][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
      for (const auto& s : steps) {
        int rr = r + s[0], cc = c + s[1];
        if (wrap) rr = mod(rr, rows), cc = mod(cc, cols);
        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols) list.push_back(id(rr, cc));
      }
    }
  finish(g);
  return g;
}

bool connected(const Graph& g) {
  std::vector<char> seen(g.size(), 0);
  std::vector<int> stack = {0};
  seen[0] = 1;
  std::size_t count = 1;
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    for (int j : g[static_cast<std::size_t>(i)])
      if (!seen[static_cast<std::size_t>(j)])
        seen[static_cast<std::size_t>(j)] = 1, ++count, stack.push_back(j);
  }
  return count == g.size();
}

Graph random_graph(const TopologySpec& s) {
  constexpr int kDraws = 1000;
  Rng rng(s.seed);
  const double p = *s.p;
  for (int draw = 0; draw < kDraws; ++draw) {
    Graph g(static_cast<std::size_t>(s.nodes));
    for (int i = 0; i < s.nodes; ++i)
      for (int j = i + 1; j < s.nodes; ++j)
        if (rng.uniform() < p) {
          g[static_cast<std::size_t>(i)].push_back(j);
          g[static_cast<std::size_t>(j)].push_back(i);
        }
    finish(g);
    if (connected(g)) return g;
  }
  throw InvalidArgument(fmt::format(
      "topology \"{}\": no connected graph in {} draws; raise p (G(n,p) is connected with high "
      "probability once p > ln(n)/n = {:.3g})",
      to_string(s), kDraws, std::log(s.nodes) / s.nodes));
}

// Most square R x C factorisation with R, C >= 2, or {0, 0}.
std::pair<int, int> factor_grid(int n) {
  for (int r = static_cast<int>(std::sqrt(static_cast<double>(n))); r >= 2; --r)
    if (n % r == 0) return {r, n / r};
  return {0, 0};
}

TopologySpec resolve_hierarchical(const TopologySpec& spec, int nodes) {
  TopologySpec s = spec;
  if (s.inner.empty())
    s.inner = {TopologySpec{}}, s.inner.front().kind = Kind::one_peer_exponential;
  const int g = s.per_machine;
  if (g == 0)
    throw InvalidArgument(fmt::format(
        "topology \"{}\": nodes per machine not given; write hier:G:{}, give decent train "
        "--nodes-per-machine G, or run under mpirun (--backend mpi), where G is the ranks per host",
        to_string(spec), to_string(s.inner.front())));
  const int outer_n = s.inner.front().nodes;
  const long long n = nodes > 0 ? nodes : static_cast<long long>(outer_n) * g;
  if (n == 0)
    throw InvalidArgument(fmt::format(
        "topology \"{}\": number of nodes not given; pass it (--nodes N)", to_string(spec)));
  if (n % g != 0)
    throw InvalidArgument(fmt::format(
        "topology \"{}\": {} nodes do not fill machines of {} (n must be a multiple of G)",
        to_string(spec), n, g));
  s.inner.front() = resolve(s.inner.front(), static_cast<int>(n / g));
  s.nodes = static_cast<int>(n);
  return s;
}

}  // namespace

int ceil_log2(int n) {
  int tau = 0;
  while ((1LL << tau) < n) ++tau;
  return tau;
}

TopologySpec resolve(const TopologySpec& spec, int nodes) {
  if (spec.kind == Kind::file) {
    TopologySpec s = spec;
    if (s.path.empty())
      throw InvalidArgument("topology file: give the path of the JSON weights, file:PATH");
    if (s.weights != WeightRule::automatic)
      throw InvalidArgument(
          fmt::format("topology \"{}\": the file gives the weights", to_string(spec)));
    s.nodes = nodes;  // 0: the file's; the Topology reads it once and checks
    return s;
  }
  if (spec.kind == Kind::hierarchical) return resolve_hierarchical(spec, nodes);
  if (spec.kind == Kind::one_peer) {
    TopologySpec s = spec;
    if (s.inner.empty()) s.inner = {TopologySpec{}};  // the ring
    if (s.nodes > 0 && nodes > 0 && s.nodes != nodes)
      throw InvalidArgument(fmt::format("topology \"{}\" has n={} but {} nodes were asked for",
                                        to_string(spec), s.nodes, nodes));
    s.inner.front() = resolve(s.inner.front(), nodes > 0 ? nodes : s.nodes);
    const auto& inner = s.inner.front();
    if (info(inner.kind).time_varying || info(inner.kind).directed)
      throw InvalidArgument(fmt::format(
          "topology \"{}\": one-peer schedules need a static undirected graph, and {} is {}{}",
          to_string(spec), info(inner.kind).name,
          info(inner.kind).time_varying ? "time-varying" : "directed",
          inner.kind == Kind::exponential ? " (one-peer-exp is its one-peer schedule)" : ""));
    s.nodes = inner.nodes;
    return s;
  }
  TopologySpec s = spec;
  const auto name = info(s.kind).name;
  if (nodes < 0) throw InvalidArgument(fmt::format("nodes = {}: expected at least 1", nodes));
  if (nodes > 0 && s.nodes > 0 && nodes != s.nodes)
    throw InvalidArgument(fmt::format("topology \"{}\" has n={} but {} nodes were asked for",
                                      to_string(spec), s.nodes, nodes));
  if (nodes > 0) s.nodes = nodes;
  const bool dims = s.kind == Kind::grid || s.kind == Kind::torus;
  if (dims && s.rows > 0) {
    const long long rc = static_cast<long long>(s.rows) * s.cols;
    if (s.nodes > 0 && rc != s.nodes)
      throw InvalidArgument(fmt::format("topology \"{}\": {}x{} has {} nodes, not {}",
                                        to_string(spec), s.rows, s.cols, rc, s.nodes));
    if (rc > kMaxNodes)
      throw InvalidArgument(fmt::format("topology \"{}\": {} nodes; at most {} are supported",
                                        to_string(spec), rc, kMaxNodes));
    if (s.rows < 2 || s.cols < 2)
      throw InvalidArgument(fmt::format("{} {}x{}: rows and cols must be at least 2 (use ring)",
                                        name, s.rows, s.cols));
    s.nodes = static_cast<int>(rc);
  }
  if (s.nodes == 0)
    throw InvalidArgument(fmt::format(
        "topology \"{}\": number of nodes not given; pass it (--nodes N) or write n=N in the spec",
        to_string(spec)));
  const int n = s.nodes;
  const int cap = (s.kind == Kind::full || s.kind == Kind::random) ? kMaxDenseKindNodes : kMaxNodes;
  if (n > cap)
    throw InvalidArgument(
        fmt::format("{} with n={}: at most {} nodes are supported for this kind", name, n, cap));
  if (dims && s.rows == 0) {
    std::tie(s.rows, s.cols) = factor_grid(n);
    if (s.rows == 0)
      throw InvalidArgument(fmt::format(
          "{} with n={}: n must factor as R x C with R, C >= 2 ({}); pick such an n or write "
          "{}:RxC",
          name, n, n < 4 ? "n is below 4" : "n is prime", name));
  }
  if (s.kind == Kind::hypercube && !is_power_of_two(n)) {
    const int below = 1 << (ceil_log2(n) - 1);
    throw InvalidArgument(fmt::format(
        "hypercube with n={}: n must be a power of 2 (nearest: {} or {})", n, below, 2 * below));
  }
  if (s.kind == Kind::random && !s.p)
    s.p = n < 2 ? 1.0 : std::min(1.0, 2.0 * std::log(static_cast<double>(n)) / n);
  // The base and EquiTopo kinds weigh their edges themselves.
  if ((is_base_kind(s.kind) || is_equi_topo_kind(s.kind)) && s.weights != WeightRule::automatic)
    throw InvalidArgument(
        fmt::format("topology \"{}\": {}'s weights are part of its construction; drop weights=",
                    to_string(spec), name));
  if ((s.kind == Kind::equi_static || s.kind == Kind::u_equi_static) && s.m == 0)
    s.m = std::max(1, static_cast<int>(std::ceil(std::log(static_cast<double>(n)))));
  if (s.kind == Kind::od_equi_dyn || s.kind == Kind::ou_equi_dyn) {
    if (!s.eta) s.eta = 0.5;
    if (s.steps == 0) s.steps = 256;
    if (static_cast<long long>(s.steps) * n > kMaxEquiEntries)
      throw InvalidArgument(fmt::format(
          "topology \"{}\": {} steps of {} nodes; at most {} node-steps are kept (fewer steps=)",
          to_string(spec), s.steps, n, kMaxEquiEntries));
  }
  if (is_base_kind(s.kind) && s.k == 0) s.k = 1;
  if (is_base_kind(s.kind) || is_equi_topo_kind(s.kind)) return s;
  s.weights = resolve_weight_rule(s.kind, s.weights);
  return s;
}

std::vector<Graph> generate(const TopologySpec& s) {
  const int n = s.nodes;
  const int tau = ceil_log2(n);
  switch (s.kind) {
    case Kind::ring: return {circulant(n, {1}, true)};
    case Kind::directed_ring: return {circulant(n, {1}, false)};
    case Kind::grid: return {grid(s.rows, s.cols, false)};
    case Kind::torus: return {grid(s.rows, s.cols, true)};
    case Kind::star: {
      Graph g(static_cast<std::size_t>(n));
      for (int i = 1; i < n; ++i) g[0].push_back(i), g[static_cast<std::size_t>(i)].push_back(0);
      return {g};
    }
    case Kind::hypercube: {
      Graph g(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < tau; ++j) g[static_cast<std::size_t>(i)].push_back(i ^ (1 << j));
      finish(g);
      return {g};
    }
    case Kind::full: {
      Graph g(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          if (j != i) g[static_cast<std::size_t>(i)].push_back(j);
      return {g};
    }
    case Kind::exponential: return {circulant(n, powers_of_two(tau), false)};
    case Kind::symmetric_exponential: return {circulant(n, powers_of_two(tau), true)};
    case Kind::one_peer_exponential: {
      if (n == 1) return {Graph(1)};
      std::vector<Graph> phases;
      for (int j = 0; j < tau; ++j) phases.push_back(circulant(n, {1LL << j}, false));
      return phases;
    }
    case Kind::random: return {random_graph(s)};
    case Kind::base:
    case Kind::simple_base: break;  // weighted by construction: topology/base_graph.hpp
    case Kind::equi_static:
    case Kind::u_equi_static:
    case Kind::od_equi_dyn:
    case Kind::ou_equi_dyn: break;   // weighted by construction: topology/equi_topo.hpp
    case Kind::hierarchical: break;  // from its outer graph: topology/hierarchical.hpp
    case Kind::one_peer: break;      // from its inner graph: topology/one_peer_schedule.hpp
    case Kind::file: break;          // topology/weights_file.hpp
  }
  throw Error(Status::internal, "unhandled topology kind");
}

}  // namespace decent::topology
