// `decent sweep`: the convergence lab over algorithms x topologies x node counts, one table with
// each combination's final error and transient iterations against parallel SGD.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/lab_flags.hpp"
#include "lab/sweep.hpp"

namespace decent::cli {
namespace {

struct SweepCliOptions {
  LabFlags flags;
  lab::SweepOptions sweep;
  std::string format = "table";
};

void run(SweepCliOptions o, std::ostream& out) {
  o.sweep.base = resolve(o.flags);
  if (o.format == "table")
    fmt::print(out, "{:<18} {:<36} {:>6} {:>8} {:>13} {:>13} {:>10}\n", "algorithm", "topology",
               "nodes", "rho", "final error", "psgd error", "transient");
  lab::run_sweep(o.sweep, [&](const lab::SweepRow& r) {
    if (o.format == "json") {
      out << nlohmann::json{{"algorithm", r.algorithm},
                            {"topology", r.topology},
                            {"nodes", r.nodes},
                            {"rho", r.rho},
                            {"final_error", r.final_error},
                            {"psgd_error", r.reference_error},
                            {"transient", r.transient}}
                 .dump()
          << std::endl;
    } else {
      fmt::print(out, "{:<18} {:<36} {:>6} {:>8.4f} {:>13.4e} {:>13.4e} {:>10}\n", r.algorithm,
                 r.topology, r.nodes, r.rho, r.final_error, r.reference_error,
                 r.transient < 0 ? std::string("never") : std::to_string(r.transient));
      out.flush();
    }
  });
}

}  // namespace

void add_sweep_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<SweepCliOptions>();
  auto* cmd = app.add_subcommand(
      "sweep", "Lab sweep: algorithms x topologies x nodes, transient iterations against psgd");
  cmd->add_option("-a,--algorithms", o->sweep.algorithms, "Algorithms (comma-separated)")
      ->delimiter(',');
  cmd->add_option("-t,--topologies", o->sweep.topologies, "Topology specs (comma-separated)")
      ->delimiter(',');
  cmd->add_option("-n,--nodes", o->sweep.nodes, "Node counts (comma-separated)")
      ->delimiter(',')
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--repeats", o->sweep.repeats,
                  "Runs averaged per curve, seeds seed.. (default 1)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--factor", o->sweep.factor,
                  "Transient: within this factor of psgd (default 1.5)")
      ->check(CLI::Range(1.0001, 1e6));
  cmd->add_option("--smoothing", o->sweep.smoothing, "Moving average over this many logged points")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  add_lab_flags(cmd, o->flags);
  cmd->add_option("-f,--format", o->format, "table (default) or json (JSON Lines)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->callback([o, &action] { action = [o](std::ostream& out) { run(*o, out); }; });
}

}  // namespace decent::cli
