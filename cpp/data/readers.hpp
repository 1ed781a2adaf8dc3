// Readers of the two real dataset formats and a synthetic source.
//
// IDX (MNIST, Fashion-MNIST): big-endian header; images magic 0x00000803 with dims N x H x W,
// labels magic 0x00000801 with dim N; unsigned bytes. Files may be gzip-compressed (.gz): zlib
// reads both transparently. CIFAR-10 binary: records of 1 label byte and 3072 pixel bytes
// (1024 red, 1024 green, 1024 blue, row-major 32 x 32), 10000 records per data_batch_*.bin.
//
// A missing, corrupt or truncated file raises IoError naming the file and the byte offset (in the
// decompressed stream) where reading failed, and what was expected there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/image_set.hpp"

namespace decent::data {

// One IDX image file with its label file.
ImageSet read_idx(const std::string& images_path, const std::string& labels_path,
                  std::int64_t classes = 10);

// CIFAR-10 binary batches, concatenated in the order given.
ImageSet read_cifar10(const std::vector<std::string>& paths);

// Fashion-MNIST (or MNIST) from a directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte,
// each plain or .gz. `train` picks the 60000-image training split, else the 10000-image test one.
ImageSet read_mnist_dir(const std::string& dir, bool train);

// CIFAR-10 from its "cifar-10-batches-bin" directory: data_batch_1..5.bin or test_batch.bin.
ImageSet read_cifar10_dir(const std::string& dir, bool train);

// Learnable synthetic images: each class has a fixed random template, each image is its class's
// template plus noise, clamped to bytes. Deterministic in `seed`.
ImageSet synthetic_images(std::int64_t count, std::int64_t channels, std::int64_t height,
                          std::int64_t width, std::int64_t classes, std::uint64_t seed);

// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr const char* kDebianFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The training or test split of a dataset by kind: "fashion-mnist" (`dir`, or Debian's folder
// when empty), "mnist" and "cifar10" (`dir` required), "synthetic" (10 classes of 1x28x28
// images: 10000 training and 2000 test images from one stream; `dir` ignored). `dir_name` names
// the directory argument in errors ("--data-dir", "a path").
ImageSet open_dataset(const std::string& kind, const std::string& dir, bool train,
                      const std::string& dir_name);

}  // namespace decent::data
