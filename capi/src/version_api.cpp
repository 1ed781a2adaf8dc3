// Version, ABI version and build description.
#include "api_guard.hpp"
#include "core/build_info.hpp"

extern "C" {

const char* decent_version(void) {
  return decent::build_info().version;
}

int decent_abi_version(void) {
  return DECENT_ABI_VERSION;
}

const char* decent_build_info(void) {
  try {
    return decent::build_info_json().c_str();
  } catch (...) {  // only if the first call cannot allocate: never let it cross into C
    return "{}";
  }
}

decent_status decent_cuda_device_count(int* out) {
  DECENT_API_BEGIN();
  decent::capi::require(out, "out") = decent::cuda_device_count();
  DECENT_API_END();
}

}  // extern "C"
