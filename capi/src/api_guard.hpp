// The exception barrier of the C ABI. Every entry point is written as
//
//   decent_status decent_x(...) {
//     DECENT_API_BEGIN();
//     ... validate with require()/require_count(), then forward to C++ ...
//     DECENT_API_END();
//   }
//
// so that no exception crosses into C, every failure sets decent_last_error(), and the message
// starts with the entry point's name.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>

#include "core/error.hpp"
#include "decent/decent.h"

namespace decent::capi {

// Records `message` as this thread's last error and returns `status`.
decent_status set_error(decent_status status, const std::string& message) noexcept;

// The status of this thread's last failed call (DECENT_OK if none since clear_last_error), and
// a reset of it and of the message, for code that must tell its own failures from older ones.
decent_status last_status() noexcept;
void clear_last_error() noexcept;

// Maps the exception in flight to a status and records "function: what()". Call only from a
// catch block.
decent_status handle_exception(const char* function) noexcept;

// Throws InvalidArgument when a required pointer argument is NULL.
template <typename T>
T& require(T* pointer, const char* argument) {
  if (pointer == nullptr) throw InvalidArgument(fmt::format("argument '{}' is NULL", argument));
  return *pointer;
}

// Throws BufferTooSmall when an output array holds fewer than `needed` elements.
inline void require_count(std::size_t count, std::size_t needed, const char* argument) {
  if (count < needed)
    throw BufferTooSmall(
        fmt::format("argument '{}' holds {} elements; {} are needed", argument, count, needed));
}

}  // namespace decent::capi

#define DECENT_API_BEGIN() try {
#define DECENT_API_END()                               \
  }                                                    \
  catch (...) {                                        \
    return ::decent::capi::handle_exception(__func__); \
  }                                                    \
  return DECENT_OK
