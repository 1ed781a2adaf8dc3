// The registry of live handles. Every handle decent creates is registered with its kind and
// removed when freed, so that an entry point given a freed handle (whose address has not been
// reused yet) or a handle of another kind fails with DECENT_ERR_INVALID_ARGUMENT instead of
// reading freed memory, and a second free is ignored instead of corrupting the heap.
#pragma once

namespace decent::capi {

void register_handle(const void* handle, const char* kind);
// Removes `handle`; false when it was not live (already freed, or not decent's).
bool unregister_handle(const void* handle);
// Removes `handle` if it is a live handle of `kind`; otherwise throws InvalidArgument (not live,
// or of another kind) and leaves the registry as it was. Check and removal are one step, so two
// threads freeing the same handle cannot both delete it.
void take_handle(const void* handle, const char* kind, const char* argument);
// Throws InvalidArgument unless `handle` is a live handle of `kind`. NULL is reported as NULL.
void require_live(const void* handle, const char* kind, const char* argument);
// Whether `handle` is a live handle of `kind`.
bool is_live(const void* handle, const char* kind);

}  // namespace decent::capi

#include <memory>

#include "api_guard.hpp"

namespace decent::capi {

// Hands a new handle to the caller, registered as live.
template <typename T>
T* publish(std::unique_ptr<T> handle, const char* kind) {
  T* p = handle.release();
  register_handle(p, kind);
  return p;
}

// Frees a live handle of `kind` for the free function `function`. NULL is ignored silently;
// freed, foreign and other kinds' handles are ignored too (never deleted: that was a crash or a
// double free), with decent_last_error() saying why. Never throws: frees return void in C.
template <typename T>
void retire(T* handle, const char* kind, const char* function) noexcept {
  if (handle == nullptr) return;
  try {
    take_handle(handle, kind, "handle");
  } catch (...) {
    handle_exception(function);
    return;
  }
  delete handle;
}

// The handle behind `pointer` after checking it is live and of `kind`.
template <typename T>
T& live(T* pointer, const char* kind, const char* argument) {
  require_live(pointer, kind, argument);
  return *pointer;
}

}  // namespace decent::capi
