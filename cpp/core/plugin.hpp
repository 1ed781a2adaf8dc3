// Loading decent's plugins (libdecent_cuda.so, libdecent_gpu.so) at run time: next to the
// library that holds the engine (the build folder, or the installed lib folder), then on the
// loader's path.
#pragma once

#include <string>

namespace decent {

// dlopen's handle of `file_name` (RTLD_NOW | RTLD_LOCAL), or nullptr with the loader's reason
// in `why`. The handle is never closed: unloading a CUDA runtime is not worth the risk.
void* open_plugin(const std::string& file_name, std::string& why);

// The function `name` of a plugin, or nullptr.
void* plugin_symbol(void* handle, const char* name);

}  // namespace decent
