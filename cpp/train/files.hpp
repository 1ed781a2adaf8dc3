// Files a run writes: written atomically (a temporary file in the same folder, fsync, rename),
// so that a crash leaves either the old file or the new one, never half of one.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace decent::train {

void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace decent::train
