#include "train/datasets.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "data/readers.hpp"

namespace decent::train {
namespace {

void keep_first(data::ImageSet& s, std::int64_t n) {
  if (n <= 0 || n >= s.size()) return;
  s.labels.resize(static_cast<std::size_t>(n));
  s.pixels.resize(static_cast<std::size_t>(n * s.sample_size()));
}

}  // namespace

Datasets load_datasets(const TrainOptions& o) {
  Datasets d;
  d.train = data::open_dataset(o.data, o.data_dir, true, "--data-dir");
  d.test = data::open_dataset(o.data, o.data_dir, false, "--data-dir");
  for (const auto* set : {&d.train, &d.test})
    if (set->size() == 0)
      throw IoError(set->name + ": holds no images (an accuracy over it would be 0/0)");
  if (d.test.channels != d.train.channels || d.test.height != d.train.height ||
      d.test.width != d.train.width)
    throw IoError(fmt::format(
        "{}: test images are {}x{}x{} (channels x height x width, from the header at byte offset "
        "8), but the training images of {} are {}x{}x{}",
        d.test.name, d.test.channels, d.test.height, d.test.width, d.train.name, d.train.channels,
        d.train.height, d.train.width));
  keep_first(d.train, o.train_limit);
  keep_first(d.test, o.test_limit);
  d.norm = data::normalization_of(d.train);
  return d;
}

}  // namespace decent::train
