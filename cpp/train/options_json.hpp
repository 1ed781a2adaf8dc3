// Every option of the options table as one JSON object, keyed by the options' names: the resolved
// configuration that `decent train` writes as config.json and decent_trainer_config_json returns.
// Header-only, for the targets that have nlohmann/json (the command line and the C ABI).
#pragma once

#include <nlohmann/json.hpp>
#include <variant>

#include "train/option_table.hpp"

namespace decent::train {

inline nlohmann::json options_json(const TrainOptions& options) {
  nlohmann::json j;
  for (const auto& spec : train_option_table())
    std::visit([&](auto member) { j[spec.name] = options.*member; }, spec.field);
  return j;
}

}  // namespace decent::train
