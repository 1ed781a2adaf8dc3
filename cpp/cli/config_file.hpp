// `--config FILE` for subcommands: CLI11 2.1 (Debian 12) reads config files for the top-level
// app only, so decent expands the file itself with CLI11's TOML reader: each `key = value`
// becomes `--key value`, placed right after the subcommand name so that flags given on the
// command line come later and win.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace decent::cli {

// Replaces `--config FILE` / `--config=FILE` in `args` (in command-line order, before CLI11
// reverses them) by the options of FILE for `subcommand`. Throws InvalidArgument for a missing
// file, an unknown key or a bad boolean.
void expand_config_file(const CLI::App& subcommand, std::vector<std::string>& args);

}  // namespace decent::cli
