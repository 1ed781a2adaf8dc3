// FNV-1a, 64 bits: a portable hash of bytes for the fingerprints that ranks compare (run
// settings, topologies). Not for security.
#pragma once

#include <cstddef>
#include <cstdint>

namespace decent {

inline constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ULL;

// Continues hash `h` over `bytes` bytes at `data` (start from kFnvOffsetBasis).
inline std::uint64_t fnv1a(const void* data, std::size_t bytes, std::uint64_t h = kFnvOffsetBasis) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t b = 0; b < bytes; ++b) h = (h ^ p[b]) * 1099511628211ULL;
  return h;
}

}  // namespace decent
