// Batches for one node: per-channel normalisation, optional random crop with zero padding and
// horizontal flip, and a shuffle per epoch. Everything random is derived from (seed, epoch,
// batch index), so a run resumed at any batch sees exactly the batches it would have seen.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "data/image_set.hpp"

namespace decent::data {

// (pixel / 255 - mean[c]) / stddev[c].
struct Normalization {
  std::vector<float> mean, stddev;
};
// Per-channel mean and standard deviation of a set (of its training split, by convention).
Normalization normalization_of(const ImageSet& set);

struct Augmentation {
  std::int64_t crop_padding = 0;  // pad by this many zero pixels, then crop back at random
  bool flip = false;              // mirror left-right with probability 1/2
};

// Writes samples `indices` of `set` as normalised floats (N x C x H x W) and their labels.
void make_batch(const ImageSet& set, std::span<const std::int64_t> indices,
                const Normalization& norm, std::vector<float>& images,
                std::vector<std::int32_t>& labels);

class BatchLoader {
 public:
  // Batches of `batch` samples from `indices` (this node's part). Epochs drop the last partial
  // batch, so every step has the same batch size.
  BatchLoader(const ImageSet& set, std::vector<std::int64_t> indices, std::int64_t batch,
              Normalization norm, Augmentation aug, std::uint64_t seed);

  std::int64_t batches_per_epoch() const { return per_epoch_; }
  std::int64_t epoch() const { return epoch_; }
  std::int64_t batch_in_epoch() const { return next_; }

  // The next batch; after the last batch of an epoch comes the first of the next.
  void next(std::vector<float>& images, std::vector<std::int32_t>& labels);

  // Continue from batch `batch_in_epoch` of `epoch` (for resuming from a checkpoint).
  void seek(std::int64_t epoch, std::int64_t batch_in_epoch);

 private:
  void shuffle_for(std::int64_t epoch);

  const ImageSet& set_;
  std::vector<std::int64_t> indices_, order_;
  std::int64_t batch_, per_epoch_;
  Normalization norm_;
  Augmentation aug_;
  std::uint64_t seed_;
  std::int64_t epoch_ = 0, next_ = 0, shuffled_epoch_ = -1;
};

}  // namespace decent::data
