#include "live_handles.hpp"

#include <fmt/format.h>

#include <mutex>
#include <string>
#include <unordered_map>

#include "core/error.hpp"

namespace decent::capi {
namespace {

struct Registry {
  std::mutex mutex;
  std::unordered_map<const void*, const char*> live;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: frees may run during static teardown
  return *r;
}

}  // namespace

void register_handle(const void* handle, const char* kind) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.live[handle] = kind;
}

bool unregister_handle(const void* handle) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  return r.live.erase(handle) > 0;
}

namespace {

// The live entry of `handle` after checking it is of `kind`; the caller holds the mutex.
auto checked_entry(Registry& r, const void* handle, const char* kind, const char* argument) {
  if (handle == nullptr) throw InvalidArgument(fmt::format("argument '{}' is NULL", argument));
  const auto it = r.live.find(handle);
  if (it == r.live.end())
    throw InvalidArgument(
        fmt::format("argument '{}' is not a live {} (already freed, or not created by decent)",
                    argument, kind));
  if (std::string(it->second) != kind)
    throw InvalidArgument(
        fmt::format("argument '{}' is a {}, not a {}", argument, it->second, kind));
  return it;
}

}  // namespace

void require_live(const void* handle, const char* kind, const char* argument) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  checked_entry(r, handle, kind, argument);
}

bool is_live(const void* handle, const char* kind) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.live.find(handle);
  return it != r.live.end() && std::string(it->second) == kind;
}

void take_handle(const void* handle, const char* kind, const char* argument) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.live.erase(checked_entry(r, handle, kind, argument));
}

}  // namespace decent::capi
