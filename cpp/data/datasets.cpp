#include "data/datasets.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "data/readers.hpp"

namespace decent::data {
namespace {

void keep_first(ImageSet& s, std::int64_t n) {
  if (n <= 0 || n >= s.size()) return;
  s.labels.resize(static_cast<std::size_t>(n));
  s.pixels.resize(static_cast<std::size_t>(n * s.sample_size()));
}

}  // namespace

Datasets load_datasets(const std::string& kind, const std::string& dir, std::int64_t train_limit,
                       std::int64_t test_limit) {
  Datasets d;
  d.train = open_dataset(kind, dir, true, "--data-dir");
  d.test = open_dataset(kind, dir, false, "--data-dir");
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
  keep_first(d.train, train_limit);
  keep_first(d.test, test_limit);
  d.norm = normalization_of(d.train);
  return d;
}

}  // namespace decent::data
