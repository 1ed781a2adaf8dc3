// What this build of decent contains: version and the engines compiled in. The DECENT_HAVE_*
// macros come from CMake (cmake/DecentDependencies.cmake).
#pragma once

#include <string>

namespace decent {

struct BuildInfo {
  const char* version;
  const char* compiler;
  bool with_dnnl, with_mpi;
  bool with_cuda, with_nccl;  // built with the CUDA plugin / the NCCL communicator; whether the
                              // plugin loads here is cuda_plugin_status()
};

const BuildInfo& build_info();
// The same as one JSON object.
const std::string& build_info_json();

// CUDA devices visible to this process; 0 without the CUDA plugin (libdecent_cuda.so), driver or
// device. Never throws.
int cuda_device_count() noexcept;
// "loaded", or why the CUDA plugin is not: "not built (...)", "not loaded: <dlerror>".
const std::string& cuda_plugin_status();

}  // namespace decent
