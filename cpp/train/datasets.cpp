#include "train/datasets.hpp"

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
  keep_first(d.train, o.train_limit);
  keep_first(d.test, o.test_limit);
  d.norm = data::normalization_of(d.train);
  return d;
}

}  // namespace decent::train
