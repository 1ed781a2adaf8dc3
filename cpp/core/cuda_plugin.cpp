// The GPU queries of libdecent through the CUDA plugin, libdecent_cuda.so, loaded at run time:
// libdecent itself links no CUDA library, so it loads on machines without CUDA and runs its CPU
// paths there. The plugin is looked for next to the library that holds this code (the build
// folder, or the installed lib folder), then on the loader's path.
#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "core/build_info.hpp"

namespace decent {
namespace {

constexpr int kPluginAbi = 1;

struct Plugin {
  int (*device_count)() = nullptr;
  std::string status;  // "loaded", or why not
};

std::string folder_of_this_library() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&folder_of_this_library), &info) == 0 || !info.dli_fname)
    return "";
  return std::filesystem::path(info.dli_fname).parent_path().string();
}

Plugin load_plugin() {
  Plugin p;
  if (!DECENT_HAVE_CUDA) {
    p.status = "not built (DECENT_WITH_CUDA=OFF, or CUDA not found)";
    return p;
  }
  void* handle = nullptr;
  std::string why;
  const auto here = folder_of_this_library();
  for (const auto& name : {here.empty() ? std::string() : here + "/libdecent_cuda.so",
                           std::string("libdecent_cuda.so")}) {
    if (name.empty()) continue;
    handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) break;
    why = dlerror();
  }
  if (!handle) {
    p.status = "not loaded: " + why;
    return p;
  }
  auto abi = reinterpret_cast<int (*)()>(dlsym(handle, "decent_cuda_plugin_abi"));
  auto count = reinterpret_cast<int (*)()>(dlsym(handle, "decent_cuda_plugin_device_count"));
  if (!abi || !count || abi() != kPluginAbi) {
    p.status = "not loaded: libdecent_cuda.so is of another version";
    return p;  // the handle stays open: unloading a CUDA runtime is not worth the risk
  }
  p.device_count = count;
  p.status = "loaded";
  return p;
}

const Plugin& plugin() {
  static const Plugin p = load_plugin();  // thread-safe, once
  return p;
}

}  // namespace

int cuda_device_count() noexcept {
  try {
    const auto& p = plugin();
    return p.device_count ? p.device_count() : 0;
  } catch (...) {
    return 0;
  }
}

const std::string& cuda_plugin_status() {
  return plugin().status;
}

}  // namespace decent
