// Registration of the subcommands. Each adds itself to the app and sets the action to run when
// it is chosen; actions write to the given streams and throw decent::Error on failure.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <ostream>

namespace decent::cli {

using Action = std::function<void(std::ostream& out)>;

void add_topology_command(CLI::App& app, Action& action);
void add_consensus_command(CLI::App& app, Action& action);
void add_lab_command(CLI::App& app, Action& action);
void add_sweep_command(CLI::App& app, Action& action);
void add_bench_command(CLI::App& app, Action& action);
void add_train_command(CLI::App& app, Action& action);

}  // namespace decent::cli
