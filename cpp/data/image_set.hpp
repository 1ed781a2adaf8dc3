// A labelled set of images: channel-major per image (C x H x W, as IDX and CIFAR-10 store them)
// and int32 labels. The readers give 8-bit pixels, which stay bytes until a batch is made (a
// quarter of the memory of floats: Fashion-MNIST's training set is 47 MB) and count as
// byte / 255; a set made from a caller's memory (the C ABI's decent_dataset_from_memory) holds
// float values, taken as they are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace decent::data {

struct ImageSet {
  std::string name;
  std::int64_t channels = 0, height = 0, width = 0;
  std::int64_t classes = 0;
  bool floats = false;               // which of the two below holds the images
  std::vector<std::uint8_t> pixels;  // size() * channels * height * width bytes, or
  std::vector<float> values;         // as many floats (floats == true)
  std::vector<std::int32_t> labels;

  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  std::int64_t sample_size() const { return channels * height * width; }
};

}  // namespace decent::data
