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
  if (o.data == "fashion-mnist" || o.data == "mnist") {
    const std::string dir = o.data_dir.empty()
                                ? (o.data == "mnist" ? std::string("/usr/share/datasets/mnist")
                                                     : std::string(data::kDebianFashionMnistDir))
                                : o.data_dir;
    d.train = data::read_mnist_dir(dir, true);
    d.test = data::read_mnist_dir(dir, false);
  } else if (o.data == "cifar10") {
    if (o.data_dir.empty())
      throw InvalidArgument("--data cifar10 needs --data-dir (the cifar-10-batches-bin folder)");
    d.train = data::read_cifar10_dir(o.data_dir, true);
    d.test = data::read_cifar10_dir(o.data_dir, false);
  } else if (o.data == "synthetic") {
    // 10 classes of 1x28x28 templates with noise; train and test from one stream.
    auto all = data::synthetic_images(12000, 1, 28, 28, 10, 1234);
    d.train = all;
    keep_first(d.train, 10000);
    d.test = all;
    d.test.labels.erase(d.test.labels.begin(), d.test.labels.begin() + 10000);
    d.test.pixels.erase(d.test.pixels.begin(), d.test.pixels.begin() + 10000 * all.sample_size());
  } else {
    throw InvalidArgument("data \"" + o.data +
                          "\": unknown; expected fashion-mnist, mnist, cifar10 or synthetic");
  }
  keep_first(d.train, o.train_limit);
  keep_first(d.test, o.test_limit);
  d.norm = data::normalization_of(d.train);
  return d;
}

}  // namespace decent::train
