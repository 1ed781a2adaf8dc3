// A labelled set of images as the readers produce it: 8-bit pixels, channel-major per image
// (C x H x W, as IDX and CIFAR-10 store them), and int32 labels. Pixels stay bytes until a batch
// is made (a quarter of the memory of floats: Fashion-MNIST's training set is 47 MB).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace decent::data {

struct ImageSet {
  std::string name;
  std::int64_t channels = 0, height = 0, width = 0;
  std::int64_t classes = 0;
  std::vector<std::uint8_t> pixels;  // size() * channels * height * width
  std::vector<std::int32_t> labels;

  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  std::int64_t sample_size() const { return channels * height * width; }
};

}  // namespace decent::data
