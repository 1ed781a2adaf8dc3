// The data of a training run: data::load_datasets with the run's options.
#pragma once

#include "data/datasets.hpp"
#include "train/options.hpp"

namespace decent::train {

using Datasets = data::Datasets;

inline Datasets load_datasets(const TrainOptions& o) {
  return data::load_datasets(o.data, o.data_dir, o.train_limit, o.test_limit);
}

}  // namespace decent::train
