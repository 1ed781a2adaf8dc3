// The one table of training options: every field of TrainOptions with its name, command-line
// flag, help, kind, limits and whether it defines the run. The CLI's flags (and so the TOML
// keys, which are the long flag names), config.json, validate(), the settings compared on resume
// and across MPI ranks, and the C ABI's defaults and conversion are all derived from it
// (docs/training.md lists it). Add an option here, and nowhere else but its C struct field.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "train/options.hpp"

namespace decent::train {

// A pointer to the TrainOptions field an option sets.
using OptionField =
    std::variant<std::string TrainOptions::*, int TrainOptions::*, std::int64_t TrainOptions::*,
                 std::uint64_t TrainOptions::*, double TrainOptions::*, bool TrainOptions::*,
                 std::vector<double> TrainOptions::*>;

struct OptionSpec {
  const char* name;        // field, config.json key, C struct field: "weight_decay"
  const char* short_flag;  // "-m", or "" (the long flag is "--" + name with '-' for '_')
  const char* help;        // for --help: what it is, and its default
  OptionField field;
  double min = -std::numeric_limits<double>::infinity();  // numbers (each list element too)
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false, max_exclusive = false;
  std::vector<std::string> (*choices)() = nullptr;  // strings: the accepted names
  bool defines_run = true;  // compared on resume and across ranks (false: only reporting)
};

const std::vector<OptionSpec>& train_option_table();
// The entry named `name`; Error(internal) for a name not in the table.
const OptionSpec& option_spec(const std::string& name);

// "--weight-decay" for the command line, "options.weight_decay" for C ABI callers.
enum class Naming { flag, field };
std::string option_label(const OptionSpec& spec, Naming naming);

// The option's value in `options` as text ("0.1", "true", "30,60"; the shortest exact form).
std::string option_text(const OptionSpec& spec, const TrainOptions& options);

// Throws InvalidArgument ("LABEL V: expected RANGE") unless the number `v` is within the
// option's limits.
void check_option_number(const OptionSpec& spec, double v, const std::string& label);

// Checks every option against its limits and choices, and the few rules between options
// (warm-up within the run, the partition's syntax), naming the option as `naming` says.
void validate(const TrainOptions& options, Naming naming = Naming::flag);

}  // namespace decent::train
