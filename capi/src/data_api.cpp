// decent_dataset_*: validates arguments and forwards to cpp/data.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "api_guard.hpp"
#include "data/datasets.hpp"
#include "data/partition.hpp"
#include "data/readers.hpp"
#include "handles.hpp"
#include "live_handles.hpp"

namespace {

using decent::capi::require;
using decent::capi::require_count;

const decent::data::ImageSet& set_of(const decent_dataset* d) {
  return decent::capi::live(d, "decent_dataset", "dataset").set;
}

}  // namespace

extern "C" {

decent_status decent_dataset_open(const char* kind, const char* path, int train,
                                  decent_dataset** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  const std::string k = &require(kind, "kind");
  const std::string dir = path ? path : "";
  auto d = std::make_unique<decent_dataset>();
  d->set = decent::data::open_dataset(k, dir, train != 0, "a path");
  // Both splits are normalised with the training split's statistics, as the trainer does, so
  // that a caller's own accuracy on the test split equals the trainer's.
  d->norm = decent::data::normalization_of(
      train != 0 ? d->set : decent::data::open_dataset(k, dir, true, "a path"));
  *out = decent::capi::publish(std::move(d), "decent_dataset");
  DECENT_API_END();
}

decent_status decent_dataset_from_memory(const float* images, size_t images_count,
                                         const int32_t* labels, size_t count, int64_t channels,
                                         int64_t height, int64_t width, int64_t classes,
                                         decent_dataset** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  if (count == 0) throw decent::InvalidArgument("count 0: a dataset needs at least one image");
  auto d = std::make_unique<decent_dataset>();
  d->set = decent::data::image_set_from_memory(std::span(&require(images, "images"), images_count),
                                               std::span(&require(labels, "labels"), count),
                                               channels, height, width, classes, "memory");
  d->norm = decent::data::normalization_of(d->set);
  *out = decent::capi::publish(std::move(d), "decent_dataset");
  DECENT_API_END();
}

decent_status decent_dataset_set_normalization(decent_dataset* dataset, const float* mean,
                                               const float* stddev, size_t count) {
  DECENT_API_BEGIN();
  auto& d = decent::capi::live(dataset, "decent_dataset", "dataset");
  require(mean, "mean");
  require(stddev, "stddev");
  if (count != static_cast<std::size_t>(d.set.channels))
    throw decent::InvalidArgument(
        fmt::format("count {}: the dataset has {} channels", count, d.set.channels));
  for (std::size_t c = 0; c < count; ++c)
    if (!std::isfinite(mean[c]) || !std::isfinite(stddev[c]) || !(stddev[c] > 0))
      throw decent::InvalidArgument(
          fmt::format("channel {}: mean {} and stddev {} (expected finite, and stddev > 0)", c,
                      mean[c], stddev[c]));
  d.norm.mean.assign(mean, mean + count);
  d.norm.stddev.assign(stddev, stddev + count);
  DECENT_API_END();
}

void decent_dataset_free(decent_dataset* dataset) {
  decent::capi::retire(dataset, "decent_dataset", __func__);
}

decent_status decent_dataset_size(const decent_dataset* dataset, int64_t* out) {
  DECENT_API_BEGIN();
  require(out, "out") = set_of(dataset).size();
  DECENT_API_END();
}

decent_status decent_dataset_shape(const decent_dataset* dataset, int64_t* channels,
                                   int64_t* height, int64_t* width, int64_t* classes) {
  DECENT_API_BEGIN();
  const auto& s = set_of(dataset);
  if (channels) *channels = s.channels;
  if (height) *height = s.height;
  if (width) *width = s.width;
  if (classes) *classes = s.classes;
  DECENT_API_END();
}

decent_status decent_dataset_batch(const decent_dataset* dataset, const int64_t* indices,
                                   size_t count, float* images, size_t images_count,
                                   int32_t* labels, size_t labels_count) {
  DECENT_API_BEGIN();
  const auto& s = set_of(dataset);
  if (count == 0) return DECENT_OK;
  require(indices, "indices");
  require(images, "images");
  require(labels, "labels");
  require_count(images_count, count * static_cast<std::size_t>(s.sample_size()), "images");
  require_count(labels_count, count, "labels");
  std::vector<float> im;
  std::vector<std::int32_t> lab;
  decent::data::make_batch(s, std::span(indices, count), dataset->norm, im, lab);
  std::copy(im.begin(), im.end(), images);
  std::copy(lab.begin(), lab.end(), labels);
  DECENT_API_END();
}

decent_status decent_dataset_partition(const decent_dataset* dataset, const char* spec, int nodes,
                                       uint64_t seed, int node, int64_t* indices, size_t capacity,
                                       size_t* count) {
  DECENT_API_BEGIN();
  const auto& s = set_of(dataset);
  const auto options = decent::data::parse_partition(&require(spec, "spec"), seed);
  if (nodes < 1)
    throw decent::InvalidArgument("nodes " + std::to_string(nodes) + ": expected >= 1");
  if (node < 0 || node >= nodes)
    throw decent::OutOfRange("node " + std::to_string(node) + " outside [0, " +
                             std::to_string(nodes) + ")");
  const auto parts = decent::data::partition(s.labels, s.classes, nodes, options);
  const auto& mine = parts[static_cast<std::size_t>(node)];
  require(count, "count") = mine.size();
  if (capacity > 0) require(indices, "indices");
  require_count(capacity, mine.size(), "indices (capacity)");
  std::copy(mine.begin(), mine.end(), indices);
  DECENT_API_END();
}

decent_status decent_dataset_normalization(const decent_dataset* dataset, float* mean,
                                           float* stddev, size_t count) {
  DECENT_API_BEGIN();
  const auto& norm = decent::capi::live(dataset, "decent_dataset", "dataset").norm;
  require(mean, "mean");
  require(stddev, "stddev");
  require_count(count, norm.mean.size(), "mean/stddev (count)");
  std::copy(norm.mean.begin(), norm.mean.end(), mean);
  std::copy(norm.stddev.begin(), norm.stddev.end(), stddev);
  DECENT_API_END();
}

}  // extern "C"
