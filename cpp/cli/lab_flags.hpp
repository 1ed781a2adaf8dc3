// Flags shared by `decent lab` and `decent sweep`: the problem and the algorithm's settings.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "lab/lab.hpp"

namespace decent::cli {

struct LabFlags {
  LabFlags() { run.algorithm.lr = 0.5; }  // the lab's problems have L below 2: 0.5 is stable
  std::string problem = "logistic";
  std::string data = "iid";
  lab::LabOptions run;
};

void add_lab_flags(CLI::App* cmd, LabFlags& flags);

// The lab options with the problem and data names applied.
lab::LabOptions resolve(const LabFlags& flags);

}  // namespace decent::cli
