// Model files (`model.bin`, decent_model_save/load): everything needed to rebuild a trained
// model without its training run. Format 2, little-endian:
//   "DECENTM2", u64 name length, name, i64 channels, height, width, classes, first-stage width
//   (0: the architecture's own), stem, u64 parameter count, u64 buffer count, the parameters and
//   buffers as f32, and a CRC-32 of everything before it.
// (Format 1, written by 0.1.0's `decent train`, lacked the shape and cannot be rebuilt from.)
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "nn/model.hpp"

namespace decent::nn {

std::string encode_model(const Model& model);

// Rebuilds the model `bytes` describe and loads its parameters and buffers. IoError naming
// `what` (the file) and the byte offset for a wrong magic number, a truncated or corrupt file.
std::unique_ptr<Model> decode_model(std::string_view bytes, const std::string& what);

}  // namespace decent::nn
