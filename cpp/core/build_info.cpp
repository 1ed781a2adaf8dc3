#include "core/build_info.hpp"

#include <fmt/format.h>

#ifndef DECENT_VERSION_STRING
#error "DECENT_VERSION_STRING must be defined by the build"
#endif

namespace decent {

const BuildInfo& build_info() {
  static const BuildInfo info {
    DECENT_VERSION_STRING,
#if defined(__clang__)
        "clang " __clang_version__,
#elif defined(__GNUC__)
        "gcc " __VERSION__,
#else
        "unknown",
#endif
        DECENT_HAVE_DNNL != 0, DECENT_HAVE_MPI != 0, DECENT_HAVE_CUDA != 0, DECENT_HAVE_NCCL != 0,
  };
  return info;
}

const std::string& build_info_json() {
  static const std::string json = [] {
    const auto& b = build_info();
    return fmt::format(
        R"({{"version":"{}","compiler":"{}","with_dnnl":{},"with_mpi":{},"with_cuda":{},"with_nccl":{},"cuda_plugin":"{}","cuda_devices":{}}})",
        b.version, b.compiler, b.with_dnnl, b.with_mpi, b.with_cuda, b.with_nccl,
        cuda_plugin_status(), cuda_device_count());
  }();
  return json;
}

}  // namespace decent
