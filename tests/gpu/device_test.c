/* GPU discovery through the C ABI. Skips (exit 77) with a message when decent was built without
 * CUDA or when this machine has no CUDA device; otherwise the build must report CUDA and NCCL and
 * at least one device. */
#include <decent/decent.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  if (strstr(decent_build_info(), "\"with_cuda\":true") == NULL) {
    printf("SKIP: decent was built without CUDA (%s)\n", decent_build_info());
    return 77;
  }
  /* Built with CUDA: the plugin must load here (it links the CUDA runtime statically), GPU or
   * not. */
  if (strstr(decent_build_info(), "\"cuda_plugin\":\"loaded\"") == NULL) {
    printf("FAIL: the CUDA plugin libdecent_cuda.so did not load: %s\n", decent_build_info());
    return 1;
  }
  int devices = 0;
  if (decent_cuda_device_count(&devices) != DECENT_OK) {
    printf("FAIL: decent_cuda_device_count: %s\n", decent_last_error());
    return 1;
  }
  if (devices == 0) {
    printf("SKIP: no CUDA device or driver on this machine\n");
    return 77;
  }
  if (strstr(decent_build_info(), "\"with_nccl\":true") == NULL) {
    printf("FAIL: a CUDA build without NCCL: %s\n", decent_build_info());
    return 1;
  }
  printf("%d CUDA device(s) found\n1 passed, 0 failed\n", devices);
  return 0;
}
