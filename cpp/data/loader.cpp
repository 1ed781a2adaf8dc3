#include "data/loader.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace decent::data {
namespace {

std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  // splitmix64-style mixing so that nearby (epoch, batch) pairs give unrelated streams
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (a + 1) + 0xBF58476D1CE4E5B9ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void check_norm(const ImageSet& set, const Normalization& n) {
  if (static_cast<std::int64_t>(n.mean.size()) != set.channels ||
      static_cast<std::int64_t>(n.stddev.size()) != set.channels)
    throw InvalidArgument("normalisation has " + std::to_string(n.mean.size()) + " means and " +
                          std::to_string(n.stddev.size()) + " deviations for " +
                          std::to_string(set.channels) + " channels");
  for (float s : n.stddev)
    if (!(s > 0)) throw InvalidArgument("normalisation: a standard deviation is not > 0");
}

// Calls f(pointer, scale) with the set's image storage and the factor that makes its values
// (bytes count as byte / 255, floats as they are).
template <class F>
decltype(auto) with_images(const ImageSet& set, F&& f) {
  return set.floats ? f(set.values.data(), 1.0) : f(set.pixels.data(), 1.0 / 255.0);
}

}  // namespace

Normalization normalization_of(const ImageSet& set) {
  Normalization n;
  const auto hw = set.height * set.width;
  with_images(set, [&](const auto* images, double scale) {
    for (std::int64_t c = 0; c < set.channels; ++c) {
      double sum = 0, sq = 0;
      for (std::int64_t i = 0; i < set.size(); ++i) {
        const auto* p = images + i * set.sample_size() + c * hw;
        for (std::int64_t j = 0; j < hw; ++j) {
          const double v = p[j] * scale;
          sum += v;
          sq += v * v;
        }
      }
      const double count = static_cast<double>(set.size() * hw);
      const double mean = sum / count;
      n.mean.push_back(static_cast<float>(mean));
      n.stddev.push_back(static_cast<float>(std::sqrt(std::max(sq / count - mean * mean, 1e-12))));
    }
  });
  return n;
}

void make_batch(const ImageSet& set, std::span<const std::int64_t> indices,
                const Normalization& norm, std::vector<float>& images,
                std::vector<std::int32_t>& labels) {
  check_norm(set, norm);
  const auto s = set.sample_size(), hw = set.height * set.width;
  images.resize(indices.size() * static_cast<std::size_t>(s));
  labels.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto i = indices[k];
    if (i < 0 || i >= set.size())
      throw OutOfRange("sample " + std::to_string(i) + " of a set of " +
                       std::to_string(set.size()));
    labels[k] = set.labels[i];
    with_images(set, [&](const auto* all, double unit) {
      for (std::int64_t c = 0; c < set.channels; ++c) {
        // For bytes: 1 / (255 * stddev) in float, as 0.1.0 computed it (bit-for-bit batches).
        const float scale = unit == 1.0 ? 1.0f / norm.stddev[c] : 1.0f / (255.0f * norm.stddev[c]);
        const float shift = norm.mean[c] / norm.stddev[c];
        const auto* p = all + i * s + c * hw;
        float* q = images.data() + k * s + c * hw;
        for (std::int64_t j = 0; j < hw; ++j) q[j] = p[j] * scale - shift;
      }
    });
  }
}

BatchLoader::BatchLoader(const ImageSet& set, std::vector<std::int64_t> indices, std::int64_t batch,
                         Normalization norm, Augmentation aug, std::uint64_t seed)
    : set_(set),
      indices_(std::move(indices)),
      batch_(batch),
      norm_(std::move(norm)),
      aug_(aug),
      seed_(seed) {
  check_norm(set, norm_);
  if (batch < 1) throw InvalidArgument("batch size " + std::to_string(batch) + ": expected >= 1");
  if (static_cast<std::int64_t>(indices_.size()) < batch)
    throw InvalidArgument("a node holds " + std::to_string(indices_.size()) +
                          " samples, fewer than one batch of " + std::to_string(batch) +
                          " (use fewer nodes or a smaller batch)");
  if (aug.crop_padding < 0 || aug.crop_padding > std::min(set.height, set.width))
    throw InvalidArgument("crop padding " + std::to_string(aug.crop_padding) +
                          ": expected 0 to the image size");
  per_epoch_ = static_cast<std::int64_t>(indices_.size()) / batch;
}

void BatchLoader::shuffle_for(std::int64_t epoch) {
  order_ = indices_;
  Rng rng(mix(seed_, static_cast<std::uint64_t>(epoch), ~0ull));
  for (std::size_t i = order_.size(); i > 1; --i)
    std::swap(order_[i - 1], order_[rng.next_u64() % i]);
  shuffled_epoch_ = epoch;
}

void BatchLoader::seek(std::int64_t epoch, std::int64_t batch_in_epoch) {
  if (epoch < 0 || batch_in_epoch < 0 || batch_in_epoch >= per_epoch_)
    throw OutOfRange("loader position epoch " + std::to_string(epoch) + ", batch " +
                     std::to_string(batch_in_epoch) + " (an epoch has " +
                     std::to_string(per_epoch_) + " batches)");
  epoch_ = epoch;
  next_ = batch_in_epoch;
}

void BatchLoader::next(std::vector<float>& images, std::vector<std::int32_t>& labels) {
  if (shuffled_epoch_ != epoch_) shuffle_for(epoch_);
  make_batch(set_, std::span(order_).subspan(static_cast<std::size_t>(next_ * batch_), batch_),
             norm_, images, labels);
  if (aug_.crop_padding > 0 || aug_.flip) {
    Rng rng(mix(seed_, static_cast<std::uint64_t>(epoch_), static_cast<std::uint64_t>(next_)));
    const auto h = set_.height, w = set_.width, p = aug_.crop_padding;
    std::vector<float> copy(static_cast<std::size_t>(h * w));
    for (std::int64_t k = 0; k < batch_; ++k) {
      const auto dy = p ? static_cast<std::int64_t>(rng.next_u64() % (2 * p + 1)) - p : 0;
      const auto dx = p ? static_cast<std::int64_t>(rng.next_u64() % (2 * p + 1)) - p : 0;
      const bool flip = aug_.flip && (rng.next_u64() & 1);
      for (std::int64_t c = 0; c < set_.channels; ++c) {
        float* plane = images.data() + (k * set_.channels + c) * h * w;
        std::copy(plane, plane + h * w, copy.begin());
        // Padding is zero in the normalised space (the mean pixel), as is usual.
        for (std::int64_t y = 0; y < h; ++y)
          for (std::int64_t x = 0; x < w; ++x) {
            const auto sy = y + dy, sx0 = flip ? w - 1 - x : x, sx = sx0 + dx;
            plane[y * w + x] = (sy < 0 || sy >= h || sx < 0 || sx >= w) ? 0.0f : copy[sy * w + sx];
          }
      }
    }
  }
  if (++next_ == per_epoch_) {
    next_ = 0;
    ++epoch_;
  }
}

}  // namespace decent::data
