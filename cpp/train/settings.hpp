// The settings that define what a training run computes, as (name, value) text pairs: what a
// checkpoint records so that a resume with other settings is refused, and what the MPI ranks of
// one run compare before their first step (an MPMD launch may give them different flags).
// Settings that only change what is reported or where (log_every, eval_nodes, out,
// checkpoint_every, threads, max_steps, resume) are not among them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "comm/communicator.hpp"
#include "train/options.hpp"

namespace decent::train {

using Settings = std::vector<std::pair<std::string, std::string>>;

// The settings of `options` for a run over `nodes` nodes (the communicator's size: under MPI the
// --nodes flag is not what counts).
Settings run_settings(const TrainOptions& options, int nodes);

// The names whose values differ between `a` and `b` ("name: a-value -> b-value"), in order;
// a name present in only one of them counts as differing.
std::vector<std::string> changed_settings(const Settings& a, const Settings& b);

// Collective: every rank compares its settings with every other's (one all-reduce of 52-bit
// hashes per setting). Throws InvalidArgument on every rank, naming the ranks that differ from
// rank 0 and the settings they differ in, before any step.
void check_same_settings(comm::Communicator& comm, const Settings& settings);

}  // namespace decent::train
