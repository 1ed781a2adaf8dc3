// `decent topology`: build a topology and print its mixing matrix (or the product over a window
// of steps), rho and degrees.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/topology_report.hpp"
#include "core/error.hpp"
#include "topology/kinds.hpp"
#include "topology/spec.hpp"

namespace decent::cli {
namespace {

struct TopologyOptions {
  std::string spec;
  int nodes = 0;
  std::string weights;
  std::int64_t steps = 0;
  std::int64_t start = 0;
  std::string format = "text";
  bool list = false;
};

void list_kinds(std::ostream& out) {
  for (const auto& k : topology::all_kinds()) fmt::print(out, "{:<14} {}\n", k.name, k.summary);
}

void run(const TopologyOptions& o, std::ostream& out) {
  if (o.list) return list_kinds(out);
  if (o.spec.empty())
    throw InvalidArgument("--kind is required (e.g. --kind ring); --list shows the kinds");
  auto spec = topology::parse_spec(o.spec);
  if (!o.weights.empty()) {
    const auto rule = topology::weight_rule_from_name(o.weights);
    if (spec.weights != topology::WeightRule::automatic && spec.weights != rule)
      throw InvalidArgument(
          fmt::format("--weights {} contradicts the spec \"{}\"", o.weights, o.spec));
    spec.weights = rule;
  }
  const topology::Topology t(spec, o.nodes);
  const auto summary = summarize(t, o.start, o.steps);
  if (o.format == "json")
    out << to_json(t, summary).dump() << "\n";
  else if (o.format == "dot")
    write_dot(t, summary, out);
  else
    write_text(t, summary, out);
}

}  // namespace

void add_topology_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<TopologyOptions>();
  auto* cmd = app.add_subcommand("topology",
                                 "Build a topology and print its mixing matrix, rho and degrees");
  cmd->add_option("-k,--kind,-t,--topology", options->spec,
                  "Kind or full spec: ring, torus:4x4, random:p=0.3,seed=7, ... (see --list)");
  cmd->add_option("-n,--nodes", options->nodes, "Number of nodes (default: from the spec)")
      ->check(CLI::Range(1, 1 << 30));
  cmd->add_option("-w,--weights", options->weights,
                  "Weight rule: auto (default), uniform or metropolis")
      ->check(CLI::IsMember({"auto", "uniform", "metropolis"}));
  cmd->add_option("--steps", options->steps,
                  "Print the product of this many steps (default: one period; 1 for static graphs)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 16));
  cmd->add_option("--start", options->start, "First step of the window (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-f,--format", options->format, "Output: text (default), json or dot")
      ->check(CLI::IsMember({"text", "json", "dot"}));
  cmd->add_flag("--list", options->list, "List the topology kinds and exit");
  cmd->callback(
      [options, &action] { action = [options](std::ostream& out) { run(*options, out); }; });
}

}  // namespace decent::cli
