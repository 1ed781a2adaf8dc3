// `decent lab`: one decentralized algorithm on a synthetic convex problem, printing per
// iteration the error of the average, the consensus distance and the loss.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/lab_flags.hpp"
#include "cli/plot.hpp"
#include "cli/run_nodes.hpp"
#include "comm/topology_check.hpp"
#include "core/parse.hpp"
#include "lab/lab.hpp"

namespace decent::cli {
namespace {

struct LabCliOptions {
  std::string spec = "ring";
  int nodes = 0;
  std::string backend = "local";
  std::string format = "table";
  std::string plot;
  LabFlags flags;
  lab::LabOptions run;  // resolved from flags when the command runs
};

void report(const LabCliOptions& o, const topology::Topology& t,
            const std::vector<lab::LabRecord>& records, std::ostream& out) {
  if (o.format == "json") {
    for (const auto& r : records)
      out << nlohmann::json{{"iter", r.iter},
                            {"error", r.error},
                            {"consensus", r.consensus},
                            {"loss", r.loss},
                            {"global_averages", r.global_averages},
                            {"bytes_sent", r.bytes_sent}}
                 .dump()
          << "\n";
  } else {
    fmt::print(
        out, "# {} on {} ({} nodes), {} {} data, lr {}, batch {}\n", o.run.algorithm.name, t.name(),
        t.nodes(), o.flags.data, o.flags.problem, o.run.algorithm.lr,
        o.run.problem.batch == 0 ? std::string("full") : std::to_string(o.run.problem.batch));
    fmt::print(out, "{:>8}  {:>14}  {:>14}  {:>14}  {:>8}  {:>12}\n", "iter", "||xbar-x*||^2",
               "consensus", "loss", "averages", "bytes/node");
    for (const auto& r : records)
      fmt::print(out, "{:>8}  {:>14.6e}  {:>14.6e}  {:>14.8f}  {:>8}  {:>12.0f}\n", r.iter, r.error,
                 r.consensus, r.loss, r.global_averages, r.bytes_sent);
  }
  if (!o.plot.empty()) {
    Series error{"||xbar - x*||^2", {}}, consensus{"consensus distance", {}};
    for (const auto& r : records) {
      error.points.emplace_back(static_cast<double>(r.iter), r.error);
      consensus.points.emplace_back(static_cast<double>(r.iter), r.consensus);
    }
    plot_png(o.plot,
             {fmt::format("{} on {}", o.run.algorithm.name, t.name()), "iteration", "", true},
             {error, consensus});
  }
}

void run(LabCliOptions o, std::ostream& out) {
  o.run = resolve(o.flags);
  run_on_nodes(o.backend, o.spec, o.nodes, comm::default_timeout(),
               [&](comm::Communicator& c, const topology::Topology& t) {
                 comm::check_same_topology(c, t);
                 auto run = o.run;
                 run.problem.nodes = t.nodes();
                 const auto r = lab::run_lab(c, t, run);
                 if (c.rank() == 0) report(o, t, r.records, out);
               });
}

}  // namespace

void add_lab_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<LabCliOptions>();
  auto* cmd = app.add_subcommand(
      "lab", "Convergence lab: a decentralized algorithm on a synthetic convex problem");
  cmd->add_option("-a,--algorithm", o->flags.run.algorithm.name,
                  join(algo::algorithm_names()) + " (default dsgd)");
  cmd->add_option("-t,--topology", o->spec, "Topology spec (default ring)");
  cmd->add_option("-n,--nodes", o->nodes, "Nodes (local backend; mpi: the ranks)")
      ->check(CLI::Range(1, 4096));
  add_lab_flags(cmd, o->flags);
  cmd->add_option("--backend", o->backend, "local (threads, default) or mpi (under mpirun)")
      ->check(CLI::IsMember({"local", "mpi"}));
  cmd->add_option("-f,--format", o->format, "table (default) or json (JSON Lines)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--plot", o->plot, "Also draw error and consensus curves into this PNG");
  cmd->callback([o, &action] { action = [o](std::ostream& out) { run(*o, out); }; });
}

}  // namespace decent::cli
