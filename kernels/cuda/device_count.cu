// The CUDA plugin (libdecent_cuda.so): what libdecent asks the GPU through dlopen, as plain C
// functions so that no C++ type crosses the boundary. A machine without a driver or GPU is
// normal (CI, laptops): that is a count of 0, not an error.
#include <cuda_runtime.h>

extern "C" {

// The plugin interface's version; libdecent refuses a plugin of another.
__attribute__((visibility("default"))) int decent_cuda_plugin_abi(void) {
  return DECENT_CUDA_PLUGIN_ABI;
}

__attribute__((visibility("default"))) int decent_cuda_plugin_device_count(void) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later CUDA calls start clean
    return 0;
  }
  return count;
}

}  // extern "C"
