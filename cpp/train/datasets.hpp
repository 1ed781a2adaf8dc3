// Loads the training and test sets a run names, with the normalisation computed on the
// training set.
#pragma once

#include "data/image_set.hpp"
#include "data/loader.hpp"
#include "train/options.hpp"

namespace decent::train {

struct Datasets {
  data::ImageSet train, test;
  data::Normalization norm;
};

Datasets load_datasets(const TrainOptions& o);

}  // namespace decent::train
