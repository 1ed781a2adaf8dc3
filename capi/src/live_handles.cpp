#include "live_handles.hpp"

#include <mutex>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

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

void require_live(const void* handle, const char* kind, const char* argument) {
  if (handle == nullptr) throw InvalidArgument(fmt::format("argument '{}' is NULL", argument));
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.live.find(handle);
  if (it == r.live.end())
    throw InvalidArgument(fmt::format(
        "argument '{}' is not a live {} (already freed, or not created by decent)", argument, kind));
  if (std::string(it->second) != kind)
    throw InvalidArgument(fmt::format("argument '{}' is a {}, not a {}", argument, it->second, kind));
}

}  // namespace decent::capi
