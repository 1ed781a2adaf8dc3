// The GPU queries of libdecent through the CUDA plugin, libdecent_cuda.so, loaded at run time:
// libdecent itself links no CUDA library, so it loads on machines without CUDA and runs its CPU
// paths there. The plugin is looked for next to the library that holds this code (the build
// folder, or the installed lib folder), then on the loader's path.
#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "core/build_info.hpp"
#include "core/plugin.hpp"

namespace decent {
namespace {

constexpr int kPluginAbi = 1;

struct Plugin {
  int (*device_count)() = nullptr;
  std::string status;  // "loaded", or why not
};

Plugin load_plugin() {
  Plugin p;
  if (!DECENT_HAVE_CUDA) {
    p.status = "not built (DECENT_WITH_CUDA=OFF, or CUDA not found)";
    return p;
  }
  std::string why;
  void* handle = open_plugin("libdecent_cuda.so", why);
  if (!handle) {
    p.status = "not loaded: " + why;
    return p;
  }
  auto abi = reinterpret_cast<int (*)()>(plugin_symbol(handle, "decent_cuda_plugin_abi"));
  auto count =
      reinterpret_cast<int (*)()>(plugin_symbol(handle, "decent_cuda_plugin_device_count"));
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

void* open_plugin(const std::string& file_name, std::string& why) {
  Dl_info info{};
  std::string here;
  if (dladdr(reinterpret_cast<void*>(&open_plugin), &info) != 0 && info.dli_fname)
    here = std::filesystem::path(info.dli_fname).parent_path().string();
  // Next to this library (a build tree), in its private plugin folder (an installation:
  // <libdir>/decent), then the loader's search path.
  const std::string beside = here.empty() ? std::string() : here + "/" + file_name;
  const std::string private_dir = here.empty() ? std::string() : here + "/decent/" + file_name;
  for (const auto& name : {beside, private_dir, file_name}) {
    if (name.empty()) continue;
    if (void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
    const char* e = dlerror();
    why = e ? e : "dlopen failed";
  }
  return nullptr;
}

void* plugin_symbol(void* handle, const char* name) {
  return handle ? dlsym(handle, name) : nullptr;
}

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
