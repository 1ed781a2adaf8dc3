// `decent consensus`: gossip averaging from random starting vectors, printing the relative
// consensus error per iteration, on in-process nodes or under mpirun.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/plot.hpp"
#include "cli/run_nodes.hpp"
#include "comm/topology_check.hpp"
#include "core/error.hpp"
#include "lab/consensus.hpp"

namespace decent::cli {
namespace {

struct ConsensusCliOptions {
  std::string spec;
  int nodes = 0;
  std::string backend = "local";
  std::string format = "table";
  std::string plot;
  double timeout_s = 0;
  lab::ConsensusOptions run;
};

void report(const ConsensusCliOptions& o, const topology::Topology& t, std::string_view backend,
            const std::vector<double>& errors, std::ostream& out) {
  if (o.format == "json") {
    for (std::size_t k = 0; k < errors.size(); ++k)
      out << nlohmann::json{{"iter", k}, {"error", errors[k]}}.dump() << "\n";
  } else {
    fmt::print(out, "# consensus over {} ({} nodes, backend {}, dimension {}, seed {})\n", t.name(),
               t.nodes(), backend, o.run.dimension, o.run.seed);
    fmt::print(out, "{:>6}  {}\n", "iter", "error");
    for (std::size_t k = 0; k < errors.size(); ++k)
      fmt::print(out, "{:>6}  {:.6e}\n", k, errors[k]);
  }
  if (!o.plot.empty()) {
    Series s{t.name(), {}};
    for (std::size_t k = 0; k < errors.size(); ++k)
      s.points.emplace_back(static_cast<double>(k), errors[k]);
    plot_png(o.plot,
             {fmt::format("consensus error, {} nodes", t.nodes()), "iteration",
              "||X - mean|| / ||X0 - mean||", true},
             {s});
  }
}

void run(const ConsensusCliOptions& o, std::ostream& out) {
  if (o.spec.empty()) throw InvalidArgument("--topology is required (e.g. --topology ring)");
  run_on_nodes(o.backend, o.spec, o.nodes, comm_timeout(o.timeout_s),
               [&](comm::Communicator& c, const topology::Topology& t) {
                 comm::check_same_topology(c, t);
                 const auto errors = lab::run_consensus(c, t, o.run);
                 if (c.rank() == 0) report(o, t, c.backend(), errors, out);
               });
}

}  // namespace

void add_consensus_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<ConsensusCliOptions>();
  auto* cmd = app.add_subcommand(
      "consensus", "Gossip averaging from random vectors: consensus error per iteration");
  cmd->add_option("-t,--topology,-k,--kind", o->spec, "Topology spec (see decent topology --list)");
  cmd->add_option("-n,--nodes", o->nodes, "Number of nodes (local backend; mpi: the ranks)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("-i,--iters", o->run.iterations, "Averaging iterations (default 50)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 24));
  cmd->add_option("-d,--dim", o->run.dimension, "Values per node (default 1000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 28));
  cmd->add_option("-s,--seed", o->run.seed, "Seed of the starting vectors (default 0)");
  cmd->add_option("-b,--backend", o->backend, "local (threads, default) or mpi (under mpirun)")
      ->check(CLI::IsMember({"local", "mpi"}));
  cmd->add_option("-f,--format", o->format, "table (default) or json (JSON Lines)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--plot", o->plot, "Also draw the error curve into this PNG file (gnuplot)");
  cmd->add_option(
         "--timeout", o->timeout_s,
         "Seconds to wait for a peer before failing (default 300, or DECENT_COMM_TIMEOUT_S)")
      ->check(CLI::PositiveNumber);
  cmd->callback([o, &action] { action = [o](std::ostream& out) { run(*o, out); }; });
}

}  // namespace decent::cli
