#include "cli/topology_report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>

#include "topology/spectral.hpp"

namespace decent::cli {

using topology::Topology;

TopologySummary summarize(const Topology& t, std::int64_t start, std::int64_t steps) {
  TopologySummary s;
  s.start = start;
  s.steps = steps == 0 ? t.period() : steps;
  s.matrix = topology::product(t, s.start, s.steps);
  s.rho = topology::deviation_norm(s.matrix, t.nodes());
  s.rho_per_step = std::pow(s.rho, 1.0 / static_cast<double>(s.steps));
  const auto& w = t.at(start);
  for (int i = 0; i < t.nodes(); ++i) {
    s.in_degrees.push_back(static_cast<int>(w.in_neighbors(i).size()));
    s.out_degrees.push_back(static_cast<int>(w.out_neighbors(i).size()));
  }
  return s;
}

namespace {

std::string describe_window(const Topology& t, const TopologySummary& s) {
  if (s.steps == 1) return fmt::format("W at step {}", s.start);
  const auto what = s.steps == t.period() && t.time_varying() ? "one period" : "product";
  return fmt::format("product of W over steps {}..{} ({}, {} steps)", s.start,
                     s.start + s.steps - 1, what, s.steps);
}

std::string range_text(const std::vector<int>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return *lo == *hi ? fmt::format("{}", *lo) : fmt::format("{}..{}", *lo, *hi);
}

}  // namespace

void write_text(const Topology& t, const TopologySummary& s, std::ostream& out) {
  const int n = t.nodes();
  fmt::print(out, "topology   {}\n", t.name());
  fmt::print(out, "nodes      {} ({}, {})\n", n, t.directed() ? "directed" : "undirected",
             t.time_varying() ? fmt::format("time-varying, period {}", t.period()) : "static");
  fmt::print(out, "matrix     {}\n", describe_window(t, s));
  fmt::print(out, "rho        {:.6g}   (||P - 11^T/n||_2; spectral gap {:.6g}", s.rho, 1 - s.rho);
  if (s.steps > 1) fmt::print(out, "; per step {:.6g}", s.rho_per_step);
  fmt::print(out, ")\n");
  fmt::print(out, "degrees    in {}, out {} at step {}; max over the period {}\n",
             range_text(s.in_degrees), range_text(s.out_degrees), s.start, t.max_degree());
  if (n > kMaxPrintedNodes) {
    fmt::print(out, "(the {0} x {0} matrix is printed up to {1} nodes; use --format json)\n", n,
               kMaxPrintedNodes);
    return;
  }
  fmt::print(out, "\nrow i: weights node i gives to the values it receives (0 shown as .)\n");
  fmt::print(out, "{:>4}", "");
  for (int j = 0; j < n; ++j) fmt::print(out, " {:>6}", j);
  fmt::print(out, "\n");
  for (int i = 0; i < n; ++i) {
    fmt::print(out, "{:>4}", i);
    for (int j = 0; j < n; ++j) {
      const double w = s.matrix[static_cast<std::size_t>(i * n + j)];
      if (w == 0)
        fmt::print(out, " {:>6}", ".");
      else
        fmt::print(out, " {:>6.4f}", w);
    }
    fmt::print(out, "\n");
  }
}

nlohmann::json to_json(const Topology& t, const TopologySummary& s) {
  const int n = t.nodes();
  const auto& spec = t.spec();
  nlohmann::json j;
  j["kind"] = std::string(topology::info(t.kind()).name);
  j["spec"] = t.name();
  j["nodes"] = n;
  j["weight_rule"] = std::string(topology::weight_rule_name(spec.weights));
  if (spec.rows > 0) j["rows"] = spec.rows, j["cols"] = spec.cols;
  if (spec.p) j["p"] = *spec.p, j["seed"] = spec.seed;
  j["directed"] = t.directed();
  j["symmetric"] = t.symmetric();
  j["time_varying"] = t.time_varying();
  j["period"] = t.period();
  j["start"] = s.start;
  j["steps"] = s.steps;
  j["rho"] = s.rho;
  j["spectral_gap"] = 1 - s.rho;
  j["rho_per_step"] = s.rho_per_step;
  j["max_degree"] = t.max_degree();
  j["degrees"] = {{"step", s.start}, {"in", s.in_degrees}, {"out", s.out_degrees}};
  auto rows = nlohmann::json::array();
  for (int i = 0; i < n; ++i)
    rows.push_back(std::vector<double>(s.matrix.begin() + i * n, s.matrix.begin() + (i + 1) * n));
  j["weights"] = std::move(rows);
  return j;
}

void write_dot(const Topology& t, const TopologySummary& s, std::ostream& out) {
  const int n = t.nodes();
  // An undirected static graph is drawn with one line per pair; anything else with arrows from
  // sender to receiver, one per step of the window.
  const bool undirected = !t.directed() && !t.time_varying() && t.symmetric();
  const auto edge = undirected ? "--" : "->";
  fmt::print(out, "{} \"{}\" {{\n", undirected ? "graph" : "digraph", t.name());
  fmt::print(out, "  label=\"{} (rho {:.4g} over {} step{})\";\n", t.name(), s.rho, s.steps,
             s.steps == 1 ? "" : "s");
  fmt::print(out, "  node [shape=circle];\n");
  const auto& first = t.at(s.start);
  for (int i = 0; i < n; ++i)
    fmt::print(out, "  {} [label=\"{}\\n{:.3g}\"];\n", i, i, first.self_weight(i));
  const auto window = t.time_varying() ? std::min<std::int64_t>(s.steps, t.period()) : 1;
  for (std::int64_t k = s.start; k < s.start + window; ++k) {
    const auto& w = t.at(k);
    for (int i = 0; i < n; ++i)
      for (const auto& e : w.in_neighbors(i)) {
        if (undirected && e.node > i) continue;  // each pair once
        const auto label = t.time_varying() ? fmt::format("k={} {:.3g}", k, e.weight)
                                            : fmt::format("{:.3g}", e.weight);
        fmt::print(out, "  {} {} {} [label=\"{}\"];\n", e.node, edge, i, label);
      }
  }
  fmt::print(out, "}}\n");
}

}  // namespace decent::cli
