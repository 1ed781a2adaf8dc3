// The training and test splits of a data set, with the normalisation computed on the training
// split (the test split is normalised with the same statistics, as the trainer evaluates it).
#pragma once

#include <cstdint>
#include <span>
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

// Both splits as given (a caller's own data), normalised with `norm`, cut to the limits as
// load_datasets does. IoError as load_datasets for empty or mismatched splits (classes too).
Datasets datasets_of(ImageSet train, ImageSet test, Normalization norm, std::int64_t train_limit,
                     std::int64_t test_limit);

// A float set from a caller's memory (copied): images (labels.size() x C x H x W values, finite)
// and labels in [0, classes). InvalidArgument / OutOfRange name the first bad value.
ImageSet image_set_from_memory(std::span<const float> images, std::span<const std::int32_t> labels,
                               std::int64_t channels, std::int64_t height, std::int64_t width,
                               std::int64_t classes, std::string name);

}  // namespace decent::data
