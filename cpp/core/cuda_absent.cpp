// cuda_device_count() for builds without CUDA (DECENT_WITH_CUDA=OFF or not found).
#include "core/build_info.hpp"

namespace decent {

int cuda_device_count() noexcept {
  return 0;
}

}  // namespace decent
