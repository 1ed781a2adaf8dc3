#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>

#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "core/build_info.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace decent::cli {

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"decent: decentralized data-parallel training", "decent"};
  app.set_version_flag("--version",
                       std::string("decent ") + build_info().version + " " + build_info_json());
  app.require_subcommand(1);
  Action action;
  add_topology_command(app, action);
  add_consensus_command(app, action);
  add_lab_command(app, action);
  add_sweep_command(app, action);
  // Also without oneDNN: then the nodes train on GPUs only (--device cuda; the CPU layers
  // refuse with the reason).
  add_bench_command(app, action);
  add_train_command(app, action);

  try {
    std::vector<std::string> expanded = args;
    for (const auto* sub : app.get_subcommands({}))
      if (sub->get_option_no_throw("--config")) expand_config_file(*sub, expanded);
    std::vector<std::string> reversed(expanded.rbegin(),
                                      expanded.rend());  // CLI11 wants them reversed
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : kExitUsage;
  } catch (const Error& e) {  // a bad --config file
    err << "decent: error: " << e.what() << "\n";
    return kExitUsage;
  }
  const auto* chosen = app.get_subcommands().front();
  // The library's warnings (a regrouped resume, ...) reach the user on the error stream while
  // the command runs; nothing below a warning, so the output stays what the command prints.
  const std::string name = chosen->get_name();
  set_log_sink(
      [&err, &name](LogLevel level, const std::string& message) {
        err << "decent " << name << ": " << (level == LogLevel::error ? "error" : "warning") << ": "
            << message << "\n";
      },
      LogLevel::warning);
  struct SinkReset {
    ~SinkReset() { set_log_sink(nullptr, LogLevel::error); }
  } reset_sink;
  try {
    action(out);
    out.flush();
    return 0;
  } catch (const Error& e) {
    err << "decent " << chosen->get_name() << ": error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    err << "decent " << chosen->get_name() << ": internal error: " << e.what() << "\n";
  }
  return kExitFailure;
}

}  // namespace decent::cli
