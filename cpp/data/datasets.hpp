// The training and test splits of a data set, with the normalisation computed on the training
// split (the test split is normalised with the same statistics, as the trainer evaluates it).
#pragma once

#include <cstdint>
#include <string>

#include "data/image_set.hpp"
#include "data/loader.hpp"

namespace decent::data {

struct Datasets {
  ImageSet train, test;
  Normalization norm;  // of the training split
};

// Opens both splits of `kind` (open_dataset) and keeps the first train_limit / test_limit
// images of each (0: all). IoError for an empty split or test images of another size than the
// training images.
Datasets load_datasets(const std::string& kind, const std::string& dir, std::int64_t train_limit,
                       std::int64_t test_limit);

}  // namespace decent::data
