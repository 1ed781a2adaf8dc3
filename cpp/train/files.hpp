// Files a run writes: written atomically (a temporary file in the same folder, fsync, rename),
// so that a crash leaves either the old file or the new one, never half of one.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace decent::train {

void write_file_atomically(const std::string& path, std::string_view bytes);

// The node-averaged model: "DECENTM1", then the model name, the parameter and buffer counts and
// the floats (little-endian), then the CRC-32 of everything before it.
void save_model(const std::string& path, const std::string& model_name,
                std::span<const float> parameters, std::span<const float> buffers);

}  // namespace decent::train
