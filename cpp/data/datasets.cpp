#include "data/datasets.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "data/readers.hpp"

namespace decent::data {
namespace {

void keep_first(ImageSet& s, std::int64_t n) {
  if (n <= 0 || n >= s.size()) return;
  s.labels.resize(static_cast<std::size_t>(n));
  const auto kept = static_cast<std::size_t>(n * s.sample_size());
  if (s.floats)
    s.values.resize(kept);
  else
    s.pixels.resize(kept);
}

}  // namespace

void check_splits(const Datasets& d, const char* where) {
  for (const auto* set : {&d.train, &d.test})
    if (set->size() == 0)
      throw IoError(set->name + ": holds no images (an accuracy over it would be 0/0)");
  if (d.test.channels != d.train.channels || d.test.height != d.train.height ||
      d.test.width != d.train.width || d.test.classes != d.train.classes)
    throw IoError(fmt::format(
        "{}: test images are {}x{}x{} in {} classes (channels x height x width{}), but the "
        "training images of {} are {}x{}x{} in {} classes",
        d.test.name, d.test.channels, d.test.height, d.test.width, d.test.classes, where,
        d.train.name, d.train.channels, d.train.height, d.train.width, d.train.classes));
}

Datasets load_datasets(const std::string& kind, const std::string& dir, std::int64_t train_limit,
                       std::int64_t test_limit) {
  Datasets d;
  d.train = open_dataset(kind, dir, true, "--data-dir");
  d.test = open_dataset(kind, dir, false, "--data-dir");
  check_splits(d, ", from the header at byte offset 8");
  keep_first(d.train, train_limit);
  keep_first(d.test, test_limit);
  d.norm = normalization_of(d.train);
  return d;
}

Datasets datasets_of(ImageSet train, ImageSet test, Normalization norm, std::int64_t train_limit,
                     std::int64_t test_limit) {
  Datasets d{std::move(train), std::move(test), std::move(norm)};
  check_splits(d, "");
  if (static_cast<std::int64_t>(d.norm.mean.size()) != d.train.channels ||
      d.norm.stddev.size() != d.norm.mean.size())
    throw InvalidArgument(fmt::format("normalisation of {} means and {} deviations for {} channels",
                                      d.norm.mean.size(), d.norm.stddev.size(), d.train.channels));
  keep_first(d.train, train_limit);
  keep_first(d.test, test_limit);
  return d;
}

ImageSet image_set_from_memory(std::span<const float> images, std::span<const std::int32_t> labels,
                               std::int64_t channels, std::int64_t height, std::int64_t width,
                               std::int64_t classes, std::string name) {
  if (channels < 1 || height < 1 || width < 1)
    throw InvalidArgument(
        fmt::format("images of {}x{}x{} (channels x height x width): each must be >= 1", channels,
                    height, width));
  if (classes < 2 || classes > (1 << 24))
    throw InvalidArgument(fmt::format("classes {}: expected 2 to 16777216", classes));
  if (labels.empty()) throw InvalidArgument("no images (labels is empty)");
  const auto sample = channels * height * width;
  if (images.size() != labels.size() * static_cast<std::size_t>(sample))
    throw InvalidArgument(fmt::format(
        "{} image values for {} labels of {}x{}x{} images: expected {} values", images.size(),
        labels.size(), channels, height, width, labels.size() * static_cast<std::size_t>(sample)));
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      throw OutOfRange(
          fmt::format("label {} of image {}: expected 0 to {}", labels[i], i, classes - 1));
  for (std::size_t i = 0; i < images.size(); ++i)
    if (!std::isfinite(images[i]))
      throw InvalidArgument(fmt::format("image {} holds {} at value {} (not finite)",
                                        i / static_cast<std::size_t>(sample), images[i], i));
  ImageSet s;
  s.name = std::move(name);
  s.channels = channels;
  s.height = height;
  s.width = width;
  s.classes = classes;
  s.floats = true;
  s.values.assign(images.begin(), images.end());
  s.labels.assign(labels.begin(), labels.end());
  return s;
}

}  // namespace decent::data
