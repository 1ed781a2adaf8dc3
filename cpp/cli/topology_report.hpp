// What `decent topology` prints: a summary of a topology over a window of steps, as text, JSON or
// Graphviz dot.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "topology/topology.hpp"

namespace decent::cli {

// The product P = W^(start+steps-1) ... W^(start) and its figures.
struct TopologySummary {
  std::int64_t start = 0, steps = 1;
  std::vector<double> matrix;                // P, row-major n x n
  double rho = 0;                            // ||P - 11^T/n||_2
  double rho_per_step = 0;                   // rho^(1/steps): the average contraction of one step
  std::vector<int> in_degrees, out_degrees;  // at step `start`, self excluded
};

// steps = 0 means one period.
TopologySummary summarize(const topology::Topology& t, std::int64_t start, std::int64_t steps);

// Text for people; matrices are printed up to kMaxPrintedNodes nodes.
inline constexpr int kMaxPrintedNodes = 16;
void write_text(const topology::Topology& t, const TopologySummary& s, std::ostream& out);
// One JSON object with at least kind, nodes, rho and weights (the n x n rows of P).
nlohmann::json to_json(const topology::Topology& t, const TopologySummary& s);
// The graph of the steps in the window (edges sender -> receiver, labelled with weights).
void write_dot(const topology::Topology& t, const TopologySummary& s, std::ostream& out);

}  // namespace decent::cli
