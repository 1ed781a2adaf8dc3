// Checkpoints: one file per node, `<dir>/node-<rank>.ckpt`, holding everything a node needs to
// continue exactly as if it had not stopped: step, data-loader position, parameters, batch-norm
// buffers, optimizer and algorithm state. (The data order and augmentation are derived from the
// seed and the loader position, so no random-generator state needs saving.) Written atomically;
// a CRC-32 over the whole file detects corruption on load.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace decent::train {

struct NodeCheckpoint {
  std::int64_t step = 0;  // completed steps
  std::int64_t loader_epoch = 0, loader_batch = 0;
  std::int32_t rank = 0, nodes = 0;
  std::string model, algorithm, optimizer;
  std::vector<float> parameters, buffers;
  std::vector<double> optimizer_state;
  std::vector<std::vector<float>> algorithm_state;
  // The run's settings (train/settings.hpp), compared on resume; empty in version-1 files.
  std::vector<std::pair<std::string, std::string>> settings;
};

std::string checkpoint_path(const std::string& dir, int rank);

void save_checkpoint(const std::string& path, const NodeCheckpoint& c);

// Writes format version 2 (magic DECENTC2: version 1 and the settings after the algorithm
// state). Reads both versions.
// Throws IoError naming the file (and the byte offset) when it is missing, truncated or corrupt.
NodeCheckpoint load_checkpoint(const std::string& path);

}  // namespace decent::train
